import type { Transaction } from 'kysely';
import { CommandHandler } from '../../commands/handler';
import { DomainError } from '../../domain/errors';
import { inlineProjector } from '../../projections/project';
import type { FactlogDb } from '../../projections/tables';
import type { Database } from '../../store/database';
import { EventStore, type AppendMetadata, type AppendOptions, type AppendResult, type StreamWrite } from '../../store/event-store';
import type { StoreSchema } from '../../store/schema';
import type { Effect, Step } from './plan';
import { Anomalies, PHASES, type Phase } from './types';

/**
 * Executing a plan: the commands go through the normal CommandHandler (which resolves names and lets
 * the domain decide), but N of them share one database transaction. A crash therefore leaves whole
 * batches behind, and since the next run diffs against what is stored, it simply finishes the job.
 */

/**
 * An EventStore whose every read and append runs inside one open transaction. PGlite has a single
 * connection: a read through the root handle while the transaction holds it would wait forever, so
 * the handler built over this store must never see the root handle at all.
 */
class TransactionScopedStore extends EventStore {
  constructor(database: Database, private readonly trx: Transaction<StoreSchema>) {
    // Same projector as app.ts wires: read models commit with their events.
    super({ ...database, db: trx }, { projectors: [inlineProjector] });
  }

  override appendMany(writes: StreamWrite[], metadata: AppendMetadata = {}, options: AppendOptions = {}): Promise<AppendResult> {
    return this.appendWithin(this.trx, writes, metadata, options);
  }
}

/** Runs `work` with a CommandHandler whose commands all commit (or roll back) together. */
export async function withCommandBatch<T>(database: Database, work: (commands: CommandHandler, trx: Transaction<StoreSchema>) => Promise<T>): Promise<T> {
  return database.db.transaction().execute(async (trx) => {
    const store = new TransactionScopedStore(database, trx);
    return work(new CommandHandler(store, trx as unknown as FactlogDb), trx);
  });
}

export interface SyncOptions {
  batchSize: number;
  actor: string;
  reason: string;
  correlationId: string;
  onPhase?: (phase: Phase, total: number) => void;
  onProgress?: (phase: Phase, done: number, total: number) => void;
  /** Test seam: called after each command inside its batch; throwing simulates a crash mid-batch. */
  afterCommand?: (step: Step, index: number) => void | Promise<void>;
}

export interface SyncResult {
  effects: Record<Phase, Partial<Record<Effect | 'rejected' | 'noop', number>>>;
  eventsAppended: number;
  batches: number;
  commands: number;
}

export const newSyncResult = (): SyncResult => ({
  effects: Object.fromEntries(PHASES.map((p) => [p, {}])) as SyncResult['effects'],
  eventsAppended: 0,
  batches: 0,
  commands: 0,
});

/**
 * Runs the steps phase by phase, `batchSize` commands per transaction. `result` is filled as batches
 * commit, so a caller that catches a failure still knows what was written before it.
 */
export async function executePlan(database: Database, steps: readonly Step[], anomalies: Anomalies, options: SyncOptions, result: SyncResult = newSyncResult()): Promise<SyncResult> {
  const count = (phase: Phase, key: Effect | 'rejected' | 'noop') => {
    result.effects[phase][key] = (result.effects[phase][key] ?? 0) + 1;
  };
  const meta = { actor: options.actor, reason: options.reason, correlationId: options.correlationId };
  const batchSize = Math.max(1, Math.floor(options.batchSize));
  let index = 0;
  for (const phase of PHASES) {
    const phaseSteps = steps.filter((s) => s.phase === phase);
    options.onPhase?.(phase, phaseSteps.length);
    let done = 0;
    for (let start = 0; start < phaseSteps.length; start += batchSize) {
      const batch = phaseSteps.slice(start, start + batchSize);
      const outcomes: { step: Step; outcome: Effect | 'rejected' | 'noop'; error?: DomainError }[] = [];
      const appended = await withCommandBatch(database, async (commands, trx) => {
        const before = await trx.selectFrom('log_head').select('position').executeTakeFirstOrThrow();
        for (const step of batch) {
          try {
            const r = await commands.execute(step.command, meta);
            outcomes.push({ step, outcome: r.changed ? step.effect : 'noop' });
          } catch (err) {
            // A refusal by the domain is the data's problem: report it and go on. Anything else
            // (the database, a bug) rolls the batch back and stops the run.
            if (!(err instanceof DomainError)) throw err;
            outcomes.push({ step, outcome: 'rejected', error: err });
          }
          await options.afterCommand?.(step, index + outcomes.length - 1);
          options.onProgress?.(phase, done + outcomes.length, phaseSteps.length);
        }
        const after = await trx.selectFrom('log_head').select('position').executeTakeFirstOrThrow();
        return after.position - before.position;
      });
      // Only a committed batch counts.
      for (const o of outcomes) {
        count(phase, o.outcome);
        if (o.error) anomalies.add('rejected', o.step.loc, `${o.step.label}: ${o.error.message}`);
      }
      index += batch.length;
      result.eventsAppended += appended;
      result.batches += 1;
      result.commands += batch.length;
      done += batch.length;
    }
  }
  return result;
}
