import type { Transaction } from 'kysely';
import { CommandHandler } from '../../commands/handler';
import { DomainError } from '../../domain/errors';
import { inlineProjector } from '../../projections/project';
import type { FactlogDb } from '../../projections/tables';
import type { Database } from '../../store/database';
import { EventStore, type AppendMetadata, type AppendOptions, type Committed, type StreamWrite } from '../../store/event-store';
import type { StoreSchema } from '../../store/schema';
import type { Effect, PlannedCommand } from './plan';
import { writeBatch, type Outcome } from './write-batch';
import { Anomalies, PHASES, type Phase } from './vocabulary';

/**
 * Executing a plan, phase by phase, N commands per database transaction. A crash therefore leaves
 * whole batches behind, and since the next run diffs against what is stored, it simply finishes the job.
 * The commands are decided by the domain either way: in bulk by write-batch.ts (default), or one by one
 * through the CommandHandler (the reference path, which the tests check gives the same store).
 */

/**
 * An EventStore whose every read and append runs inside one open transaction. PGlite has a single
 * connection: a read through the root handle while the transaction holds it would wait forever, so
 * the handler built over this store must never see the root handle at all.
 */
class TransactionScopedStore extends EventStore {
  constructor(
    database: Database,
    private readonly trx: Transaction<StoreSchema>,
  ) {
    // Same projector as app.ts wires: read models commit with their events.
    super({ ...database, db: trx }, { projectors: [inlineProjector] });
  }

  // appendCommitted is the one way in for both appendMany and the CommandHandler. No head is handed
  // back: the batch has not committed yet, and reads through `trx` see its writes anyway.
  override async appendCommitted(writes: StreamWrite[], metadata: AppendMetadata = {}, options: AppendOptions = {}): Promise<Committed> {
    return { result: await this.appendWithin(this.trx, writes, metadata, options) };
  }
}

/** Runs `work` with a CommandHandler whose commands all commit (or roll back) together. */
export async function withCommandBatch<T>(
  database: Database,
  work: (commands: CommandHandler, trx: Transaction<StoreSchema>) => Promise<T>,
): Promise<T> {
  return database.db.transaction().execute(async (trx) => {
    const store = new TransactionScopedStore(database, trx);
    return work(new CommandHandler(store, trx as unknown as FactlogDb), trx);
  });
}

export type Origin = Required<Pick<AppendMetadata, 'commit' | 'committedAt'>>;

export interface SyncTarget {
  database: Database;
  /** The app's store (with its inline projectors): batches append through its appendWithin. */
  store: EventStore;
}

export interface SyncOptions {
  batchSize: number;
  /**
   * "batched" (default): decide each batch with the domain and append it at once (write.ts).
   * "handler": every command through CommandHandler.execute; slower, kept as the reference path.
   */
  writer?: 'batched' | 'handler';
  actor: string;
  reason: string;
  correlationId: string;
  /** Which version of the files this run syncs (a commit and its time), kept on every event. */
  origin?: Origin;
  onPhase?: (phase: Phase, total: number) => void;
  onProgress?: (phase: Phase, done: number, total: number) => void;
  /** Test seam: called after each command inside its batch; throwing simulates a crash mid-batch. */
  afterCommand?: (planned: PlannedCommand, index: number) => void | Promise<void>;
}

export interface SyncResult {
  effects: Record<Phase, Partial<Record<Effect | 'rejected' | 'noop', number>>>;
  /** Wall-clock seconds per phase. */
  seconds: Partial<Record<Phase, number>>;
  eventsAppended: number;
  batches: number;
  commands: number;
}

export const newSyncResult = (): SyncResult => ({
  effects: Object.fromEntries(PHASES.map((p) => [p, {}])) as SyncResult['effects'],
  seconds: {},
  eventsAppended: 0,
  batches: 0,
  commands: 0,
});

/**
 * Runs the planned commands phase by phase, `batchSize` per transaction. `result` is filled as
 * batches commit, so a caller that catches a failure still knows what was written before it.
 */
export async function executePlan(
  target: SyncTarget,
  planned: readonly PlannedCommand[],
  anomalies: Anomalies,
  options: SyncOptions,
  result: SyncResult = newSyncResult(),
): Promise<SyncResult> {
  const count = (phase: Phase, key: Effect | 'rejected' | 'noop') => {
    result.effects[phase][key] = (result.effects[phase][key] ?? 0) + 1;
  };
  const meta = { actor: options.actor, reason: options.reason, correlationId: options.correlationId, ...options.origin };
  const batchSize = Math.max(1, Math.floor(options.batchSize));
  let index = 0;
  for (const phase of PHASES) {
    const phaseCommands = planned.filter((c) => c.phase === phase);
    options.onPhase?.(phase, phaseCommands.length);
    const phaseStarted = Date.now();
    let done = 0;
    for (let start = 0; start < phaseCommands.length; start += batchSize) {
      const batch = phaseCommands.slice(start, start + batchSize);
      const { outcomes, appended } =
        options.writer === 'handler'
          ? await batchViaHandler(target.database, batch, meta, options, index, (n) =>
              options.onProgress?.(phase, done + n, phaseCommands.length),
            )
          : await target.database.db.transaction().execute(async (trx) => {
              const written = await writeBatch(trx, target.store, batch, meta);
              for (const [i, o] of written.outcomes.entries()) await options.afterCommand?.(o.planned, index + i);
              return written;
            });
      // Only a committed batch counts.
      for (const o of outcomes) {
        count(phase, o.error ? 'rejected' : o.events > 0 ? o.planned.effect : 'noop');
        if (o.error) anomalies.add('rejected', o.planned.loc, `${o.planned.label}: ${o.error.message}`);
      }
      index += batch.length;
      result.eventsAppended += appended;
      result.batches += 1;
      result.commands += batch.length;
      done += batch.length;
      options.onProgress?.(phase, done, phaseCommands.length);
      result.seconds[phase] = (Date.now() - phaseStarted) / 1000;
    }
  }
  return result;
}

/** The reference path: each command through CommandHandler.execute, the batch in one transaction. */
async function batchViaHandler(
  database: Database,
  batch: readonly PlannedCommand[],
  meta: AppendMetadata,
  options: SyncOptions,
  index: number,
  onCommand: (n: number) => void,
): Promise<{ outcomes: Outcome[]; appended: number }> {
  const outcomes: Outcome[] = [];
  const appended = await withCommandBatch(database, async (commands, trx) => {
    const before = await trx.selectFrom('log_head').select('position').executeTakeFirstOrThrow();
    for (const planned of batch) {
      try {
        const r = await commands.execute(planned.command, meta);
        outcomes.push({ planned, events: r.changed ? 1 : 0 });
      } catch (err) {
        // A refusal by the domain is the data's problem: report it and go on. Anything else
        // (the database, a bug) rolls the batch back and stops the run.
        if (!(err instanceof DomainError)) throw err;
        outcomes.push({ planned, events: 0, error: err });
      }
      await options.afterCommand?.(planned, index + outcomes.length - 1);
      onCommand(outcomes.length);
    }
    const after = await trx.selectFrom('log_head').select('position').executeTakeFirstOrThrow();
    return after.position - before.position;
  });
  return { outcomes, appended };
}
