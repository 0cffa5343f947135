import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { FactlogDb } from '../../projections/tables';
import type { Database } from '../../store/database';
import type { EventStore } from '../../store/event-store';
import { refreshStatistics } from '../../store/statistics';
import { loadStoreSnapshot } from '../sync/store-snapshot';
import { mapDataset } from './map';
import { planSync } from '../sync/plan';
import type { ImportReport, PhaseReport } from './report';
import { readDataset, type ReadCache } from './read';
import { executePlan, newSyncResult, type SyncOptions, type SyncResult } from '../sync/execute';
import { Anomalies, PHASES, type Phase } from '../sync/vocabulary';

/**
 * `factlog import longterm-wiki <dir>`: read → map → plan → sync. The first three are a pure function
 * of the files and the store's current state; only the last writes, in batches of commands that
 * commit together. The design is described in README.md next to this file.
 */

export interface ImportProgress {
  /** A phase starts with this many units of work (files for "read", commands otherwise). */
  start(phase: 'read' | Phase, total: number): void;
  update(phase: 'read' | Phase, done: number): void;
  stop(phase: 'read' | Phase): void;
}

export interface ImportOptions {
  actor?: string;
  reason?: string;
  /** Commands per transaction (default DEFAULT_BATCH_SIZE). */
  batchSize?: number;
  /** Plan and report, but write nothing. */
  dryRun?: boolean;
  progress?: ImportProgress;
  /** Stable ids for entities without one in the files. */
  newStableId?: () => string;
  /** See SyncOptions.origin. */
  origin?: SyncOptions['origin'];
  /** See SyncOptions.writer. */
  writer?: SyncOptions['writer'];
  /** Test seam, see SyncOptions. */
  afterCommand?: SyncOptions['afterCommand'];
  /** Parsed files of earlier runs (the history replay passes one cache to every commit's run). */
  readCache?: ReadCache;
  /**
   * Refresh the planner's statistics when the run wrote enough to change them (default true; see refreshStatistics). The
   * history replay refreshes once at its end instead of after each of its commits.
   */
  refreshStatistics?: boolean;
}

/** The run stopped (a database error, a crash): the committed batches stay; running again finishes. */
export class ImportFailed extends Error {
  constructor(
    message: string,
    readonly report: ImportReport,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ImportFailed';
  }
}

/**
 * Commands per transaction: each batch costs a few dozen statements whatever its size, so on
 * PostgreSQL 2,000 syncs the data set about a quarter faster than 500 (PGlite, in process, is indifferent).
 */
export const DEFAULT_BATCH_SIZE = 2000;
/** Every run's correlation id starts with this; it is how the importer knows what it owns. */
export const CORRELATION_PREFIX = 'longterm-wiki-import:';
export const DEFAULT_ACTOR = 'longterm-wiki-importer';

export interface ImportTarget {
  database: Database;
  db: FactlogDb;
  store: EventStore;
}

export async function importLongtermWiki(target: ImportTarget, dir: string, options: ImportOptions = {}): Promise<ImportReport> {
  const started = Date.now();
  const absDir = path.resolve(dir);
  const anomalies = new Anomalies();
  const progress = options.progress;
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const run = {
    correlationId: `${CORRELATION_PREFIX}${randomUUID()}`,
    actor: options.actor ?? DEFAULT_ACTOR,
    reason: options.reason ?? `sync from the Longterm Wiki files in ${absDir}`,
    dryRun: options.dryRun ?? false,
    batchSize,
    writer: options.writer ?? 'batched',
    startedAt: new Date(started).toISOString(),
    ...(options.origin ? { origin: options.origin } : {}),
  };

  let readStarted = false;
  const data = await readDataset(
    absDir,
    anomalies,
    (done, total) => {
      if (!readStarted) {
        progress?.start('read', total);
        readStarted = true;
      }
      progress?.update('read', done);
    },
    options.readCache,
  );
  progress?.stop('read');
  const readDone = Date.now();

  const inStore = await loadStoreSnapshot(target.db, CORRELATION_PREFIX);
  const desired = mapDataset(data, inStore, anomalies, { newStableId: options.newStableId, memo: options.readCache?.records });
  const plan = planSync(desired, inStore, anomalies);
  const planDone = Date.now();

  const report: ImportReport = {
    source: 'longterm-wiki',
    dir: absDir,
    database: target.database.description,
    run,
    seconds: { read: (readDone - started) / 1000, plan: (planDone - readDone) / 1000, sync: 0, total: 0, phases: {} },
    inFiles: desired.inFiles,
    phases: Object.fromEntries(PHASES.map((p) => [p, { ...plan.totals[p], applied: {} }])) as Record<Phase, PhaseReport>,
    commands: 0,
    batches: 0,
    eventsAppended: 0,
    conversions: sorted(desired.conversions.counts),
    unmapped: sorted(desired.unmapped.counts),
    untyped: sorted(desired.untyped.counts),
    anomalyCounts: {},
    anomalies: anomalies.list,
    completed: false,
  };
  const finish = (sync: SyncResult | null): ImportReport => {
    if (sync) {
      for (const p of PHASES) report.phases[p].applied = sync.effects[p];
      report.commands = sync.commands;
      report.batches = sync.batches;
      report.eventsAppended = sync.eventsAppended;
      report.seconds.phases = sync.seconds;
    }
    report.anomalyCounts = anomalies.countByKind();
    report.seconds.sync = (Date.now() - planDone) / 1000;
    report.seconds.total = (Date.now() - started) / 1000;
    return report;
  };

  if (run.dryRun) {
    report.completed = true;
    return finish(null);
  }

  const partial = newSyncResult();
  try {
    await executePlan(
      target,
      plan.commands,
      anomalies,
      {
        batchSize,
        writer: run.writer,
        actor: run.actor,
        reason: run.reason,
        correlationId: run.correlationId,
        origin: options.origin,
        afterCommand: options.afterCommand,
        onPhase: (phase, total) => progress?.start(phase, total),
        onProgress: (phase, done) => {
          progress?.update(phase, done);
        },
      },
      partial,
    );
    for (const p of PHASES) progress?.stop(p);
    if (options.refreshStatistics !== false) await refreshStatistics(target.db, partial.eventsAppended);
  } catch (err) {
    for (const p of PHASES) progress?.stop(p);
    finish(partial);
    report.error = (err as Error).message;
    throw new ImportFailed(
      `the import stopped: ${(err as Error).message}. Batches committed before it are kept; run the import again to finish.`,
      report,
      { cause: err },
    );
  }
  report.completed = true;
  return finish(partial);
}

const sorted = (counts: Record<string, number>): Record<string, number> =>
  Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));

export { formatReport, type ImportReport, type PhaseReport } from './report';
export type { Anomaly, AnomalyKind } from '../sync/vocabulary';
