/**
 * Import benchmark: the whole Longterm Wiki data set into an empty store, then the same files again
 * (which must append nothing). PGlite in memory always; PostgreSQL too when DATABASE_URL is set.
 * It prints figures and asserts nothing.
 *
 *   npx tsc -p tsconfig.bench.json && node dist-bench/bench/import.js [--dir DIR] [--batch-size N] [--via-handler]
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { factlogOver } from '../src/app';
import { importLongtermWiki, type ImportReport } from '../src/importers/longterm-wiki';
import { createBaselineTable, insertBaselineRows } from './lib/baseline';
import { Cleanup, describeError } from './lib/cleanup';
import { openPgliteTarget, openPostgresTarget, type BenchTarget } from './lib/target';

const USAGE = `Usage: node dist-bench/bench/import.js [--dir DIR] [--batch-size N] [--via-handler]

  --dir DIR        the Longterm Wiki data (default: ../shared/datasets/longterm-wiki from the project)
  --batch-size N   commands per transaction (default: the importer's)
  --via-handler    every command through CommandHandler.execute (the slower reference path)

Runs on PGlite in memory, and on PostgreSQL as well when DATABASE_URL is set (in a throwaway schema).
Beside each import, the same events as plain multi-row INSERTs into a bare table on the same database,
in transactions of the import's batch size: what the database alone does with them.`;

interface Row {
  target: string;
  first: ImportReport;
  cpuSeconds: number;
  again: ImportReport;
  /** The same events as plain multi-row INSERTs into a bare table, in transactions of the same size, on the same database. */
  baselineSeconds: number;
}

async function measure(target: BenchTarget, dir: string, options: { batchSize?: number; writer: 'batched' | 'handler' }): Promise<Row> {
  const app = factlogOver(target.database);
  const cpu = process.cpuUsage();
  const first = await importLongtermWiki(app, dir, { ...options, reason: 'benchmark' });
  const used = process.cpuUsage(cpu);
  const again = await importLongtermWiki(app, dir, { ...options, reason: 'benchmark re-run' });

  const pool = target.database.pool;
  const { rows } = await pool.query<{ stream: string; data: unknown }>('SELECT stream, data FROM events ORDER BY position');
  await createBaselineTable(pool);
  const started = process.hrtime.bigint();
  for (let i = 0; i < rows.length; i += first.run.batchSize) await insertBaselineRows(pool, rows.slice(i, i + first.run.batchSize));
  const baselineSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { target: target.description, first, cpuSeconds: (used.user + used.system) / 1e6, again, baselineSeconds };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      dir: { type: 'string' },
      'batch-size': { type: 'string' },
      'via-handler': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const dir = values.dir ?? path.resolve(__dirname, '..', '..', '..', 'shared', 'datasets', 'longterm-wiki');
  const batchSize = values['batch-size'] ? Number(values['batch-size']) : undefined;
  const writer = values['via-handler'] ? 'handler' : 'batched';
  const cleanup = new Cleanup();
  process.once('SIGINT', () => void cleanup.run().then(() => process.exit(130)));
  const rows: Row[] = [];
  try {
    rows.push(await measure(await openPgliteTarget(cleanup), dir, { batchSize, writer }));
    if (process.env.DATABASE_URL)
      rows.push(await measure(await openPostgresTarget(process.env.DATABASE_URL, 4, cleanup), dir, { batchSize, writer }));
  } finally {
    await cleanup.run();
  }
  for (const { target, first, cpuSeconds, again, baselineSeconds } of rows) {
    const s = first.seconds;
    const rate = (events: number, seconds: number) => Math.round(events / seconds);
    process.stdout.write(
      [
        `${target} (${writer} writer, batches of ${first.run.batchSize})`,
        `  first run: ${first.eventsAppended} events, ${first.commands} commands in ${first.batches} batches; ` +
          `read ${s.read.toFixed(1)} s, plan ${s.plan.toFixed(1)} s, sync ${s.sync.toFixed(1)} s, total ${s.total.toFixed(1)} s (${cpuSeconds.toFixed(1)} s CPU in this process)`,
        `  per phase: ${Object.entries(s.phases)
          .map(([p, t]) => `${p} ${t!.toFixed(1)} s`)
          .join(', ')}`,
        `  events/s:  import ${rate(first.eventsAppended, s.total)} (sync phase alone ${rate(first.eventsAppended, s.sync)}), ` +
          `plain INSERT of the same events in transactions of ${first.run.batchSize}: ${rate(first.eventsAppended, baselineSeconds)} ` +
          `(import ${((100 * baselineSeconds) / s.total).toFixed(0)}% of it, sync ${((100 * baselineSeconds) / s.sync).toFixed(0)}%)`,
        `  re-run:    ${again.eventsAppended} events, ${again.commands} commands; total ${again.seconds.total.toFixed(1)} s`,
        `  anomalies: ${first.anomalies.length} (${Object.entries(first.anomalyCounts)
          .map(([k, n]) => `${k} ${n}`)
          .join(', ')})`,
        '',
      ].join('\n'),
    );
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${describeError(err)}\n`);
  process.exitCode = 1;
});
