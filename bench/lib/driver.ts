import { performance } from 'node:perf_hooks';

/** Commits one transaction of `count` events on behalf of writer `writer` (0-based). */
export type Transact = (writer: number, count: number) => Promise<void>;

export interface PhaseShape {
  /** Total events to write; the last transaction is smaller if this is not a multiple of `eventsPerTx`. */
  events: number;
  eventsPerTx: number;
  /** Concurrent writers, each with its own stream, each waiting for its commit before the next transaction. */
  writers: number;
}

export interface PhaseResult {
  events: number;
  transactions: number;
  seconds: number;
  /** Wall time of each transaction, from asking the pool for a connection to COMMIT's reply. */
  latenciesMs: number[];
}

/**
 * Runs `writers` closed-loop workers that share one budget of events, so the total is exact however
 * unevenly the writers progress (under the Factlog head lock some may wait much longer than others).
 */
export async function runPhase(
  shape: PhaseShape,
  transact: Transact,
  signal: AbortSignal,
  onProgress: (done: number) => void = () => undefined,
): Promise<PhaseResult> {
  let claimed = 0;
  let done = 0;
  let failed = false;
  const latenciesMs: number[] = [];

  const worker = async (writer: number): Promise<void> => {
    while (claimed < shape.events && !failed) {
      signal.throwIfAborted();
      const count = Math.min(shape.eventsPerTx, shape.events - claimed);
      claimed += count;
      const start = performance.now();
      await transact(writer, count);
      latenciesMs.push(performance.now() - start);
      done += count;
      onProgress(done);
    }
  };

  const start = performance.now();
  const outcomes = await Promise.allSettled(
    Array.from({ length: shape.writers }, (_, w) =>
      worker(w).catch((err: unknown) => {
        // Stop the other writers too, and wait for them: teardown must not race in-flight transactions.
        failed = true;
        throw err;
      }),
    ),
  );
  const seconds = (performance.now() - start) / 1000;
  const rejected = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (rejected) throw rejected.reason;
  return { events: done, transactions: latenciesMs.length, seconds, latenciesMs };
}
