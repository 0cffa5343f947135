/**
 * Audit benchmark: how fast can `factlog audit verify` walk a large log, and `factlog audit replay`
 * rebuild every read model from it? Generates a realistic log with a correct hash chain in bulk, then
 * times verifyLog and a full withReplay on it. It prints figures and asserts nothing (beyond the
 * generated log verifying).
 *
 *   npm run bench:replay -- --help
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { verifyLog, withReplay } from '../src/projections/audit';
import { DEFAULT_REPLAY_BATCH } from '../src/projections/rebuild';
import type { FactlogDb } from '../src/projections/tables';
import { Cleanup, describeError, runMain } from './lib/cleanup';
import { UsageError } from './lib/cli';
import { writeDomainLog } from './lib/domain-log';
import { Progress } from './lib/progress';
import { parseReplayCommandLine, REPLAY_USAGE, type ReplayBenchOptions } from './lib/replay-cli';
import { formatTable } from './lib/table';
import { openPgliteTarget, openPostgresTarget, type BenchTarget } from './lib/target';

interface Phase {
  phase: string;
  events: number;
  seconds: number;
  eventsPerSecond: number;
  note: string;
}

interface Results {
  target: BenchTarget;
  options: ReplayBenchOptions;
  log: { events: number; streams: number; types: Record<string, number>; tableMB: number };
  phases: Phase[];
  replayedRows: Record<string, number> | null;
}

const phase = (name: string, events: number, seconds: number, note = ''): Phase => ({
  phase: name,
  events,
  seconds,
  eventsPerSecond: events / seconds,
  note,
});

async function run(options: ReplayBenchOptions, cleanup: Cleanup, signal: AbortSignal): Promise<Results> {
  const target = options.pglite ? await openPgliteTarget(cleanup) : await openPostgresTarget(options.databaseUrl, 2, cleanup);
  const db = target.database.db as unknown as FactlogDb;
  const phases: Phase[] = [];

  // 1. The log, in bulk.
  const writing = new Progress('writing the log', options.events);
  const written = await writeDomainLog(
    target.database.pool,
    { events: options.events, entities: options.entities, sources: options.sources, seed: options.seed },
    {
      batch: options.insertBatch,
      onProgress: (done) => {
        signal.throwIfAborted();
        writing.update(done);
      },
    },
  );
  writing.finish(written.seconds);
  phases.push(phase('write (bulk INSERT, hashing)', written.events, written.seconds, `${options.insertBatch} rows per INSERT`));
  const size = await sql<{ mb: number }>`SELECT (pg_total_relation_size('events') / 1048576.0)::float8 AS mb`.execute(db);

  // 2. verify: the whole chain.
  const verifying = new Progress('verify', written.events);
  let started = performance.now();
  const report = await verifyLog(db, {
    ...(options.readBatch ? { batchSize: options.readBatch } : {}),
    onProgress: (n) => {
      signal.throwIfAborted();
      verifying.update(n);
    },
  });
  const verifySeconds = (performance.now() - started) / 1000;
  verifying.finish(verifySeconds);
  if (!report.ok) throw new Error(`the generated log does not verify: position ${report.firstBad?.position}: ${report.firstBad?.problem}`);
  phases.push(phase('verify (verifyLog)', report.checked, verifySeconds, `batches of ${options.readBatch || 2000}`));

  // 3. replay: every event through the projections into a scratch schema.
  let replayedRows: Record<string, number> | null = null;
  const upTo = options.replayEvents === undefined ? written.events : Math.min(options.replayEvents, written.events);
  if (upTo > 0) {
    const replaying = new Progress(upTo < written.events ? `replay (first ${upTo} events)` : 'replay', upTo);
    started = performance.now();
    let replaySeconds = 0;
    replayedRows = await withReplay(
      db,
      { atPosition: upTo },
      async (trx) => {
        replaySeconds = (performance.now() - started) / 1000;
        const out: Record<string, number> = {};
        for (const table of ['facts', 'fact_versions', 'fact_citations', 'state_versions', 'entities', 'sources', 'pages'] as const) {
          const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table)}`.execute(trx);
          out[table] = rows[0].n;
        }
        return out;
      },
      {
        ...(options.readBatch ? { batchSize: options.readBatch } : {}),
        onProgress: (done) => {
          signal.throwIfAborted();
          replaying.update(done);
        },
      },
    );
    replaying.finish(replaySeconds);
    phases.push(
      phase(
        'replay (withReplay from 0)',
        upTo,
        replaySeconds,
        `batches of ${options.readBatch || DEFAULT_REPLAY_BATCH}, scratch schema, one transaction`,
      ),
    );
  }
  return {
    target,
    options,
    log: {
      events: written.events,
      streams: written.streams,
      types: Object.fromEntries([...written.counts].sort((a, b) => b[1] - a[1])),
      tableMB: size.rows[0].mb,
    },
    phases,
    replayedRows,
  };
}

const rate = (n: number): string => Math.round(n).toLocaleString('en-US');

function textReport(r: Results): string {
  const { options } = r;
  const mix = Object.entries(r.log.types)
    .map(([t, n]) => `${t} ${((100 * n) / r.log.events).toFixed(1)}%`)
    .join(', ');
  return [
    'Factlog audit benchmark (verify and replay)',
    `target:  ${r.target.description}, server ${r.target.serverVersion}`,
    `log:     ${r.log.events.toLocaleString('en-US')} events in ${r.log.streams.toLocaleString('en-US')} streams; ${options.entities} entities, ${options.sources} sources; events table ${r.log.tableMB.toFixed(0)} MB`,
    `mix:     ${mix}`,
    `machine: Node ${process.version}, ${os.cpus().length} CPUs, load ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
    '',
    formatTable(
      [
        { header: 'phase', align: 'left', cell: (p: Phase) => p.phase },
        { header: 'events', align: 'right', cell: (p: Phase) => p.events.toLocaleString('en-US') },
        { header: 'seconds', align: 'right', cell: (p: Phase) => p.seconds.toFixed(1) },
        { header: 'events/s', align: 'right', cell: (p: Phase) => rate(p.eventsPerSecond) },
        { header: 'notes', align: 'left', cell: (p: Phase) => p.note },
      ],
      r.phases,
    ),
    '',
    r.replayedRows
      ? `replayed read models: ${Object.entries(r.replayedRows)
          .map(([t, n]) => `${t} ${n.toLocaleString('en-US')}`)
          .join(', ')}`
      : 'replay skipped',
    '',
  ].join('\n');
}

function jsonReport(r: Results): string {
  return `${JSON.stringify(
    {
      target: { kind: r.target.database.kind, description: r.target.description, serverVersion: r.target.serverVersion },
      node: process.version,
      cpus: os.cpus().length,
      options: { ...r.options, databaseUrl: undefined },
      log: r.log,
      phases: r.phases.map((p) => ({ ...p, seconds: Number(p.seconds.toFixed(3)), eventsPerSecond: Number(p.eventsPerSecond.toFixed(1)) })),
      replayedRows: r.replayedRows,
    },
    null,
    2,
  )}\n`;
}

async function benchmark(options: ReplayBenchOptions): Promise<number> {
  const cleanup = new Cleanup();
  const abort = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    process.exitCode = 130;
    process.stderr.write(`\n${signal}: stopping and cleaning up (again to quit at once)…\n`);
    abort.abort(new Error(`interrupted by ${signal}`));
    void cleanup.run().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const results = await run(options, cleanup, abort.signal);
    process.stdout.write(options.json ? jsonReport(results) : textReport(results));
    return 0;
  } catch (err) {
    if (abort.signal.aborted) return 130;
    process.stderr.write(`\nreplay: ${err instanceof Error ? (err.stack ?? err.message) : describeError(err)}\n`);
    return 1;
  } finally {
    await cleanup.run();
  }
}

runMain('replay', parseReplayCommandLine, REPLAY_USAGE, (err): err is UsageError => err instanceof UsageError, benchmark);
