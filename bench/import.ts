/**
 * Import benchmark: the whole Longterm Wiki data set into an empty store, then the same files again
 * (which must append nothing). PGlite in memory always; PostgreSQL too when DATABASE_URL is set.
 * With --history, the wiki's 70-commit history replayed into another empty store on each; with
 * --memory, the peak RSS of an embedded import in a process of its own. It prints figures and asserts
 * nothing.
 *
 *   npm run bench:import -- --help
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { factlogOver } from '../src/app';
import { importLongtermWiki, type ImportReport } from '../src/importers/longterm-wiki';
import { importLongtermWikiHistory } from '../src/importers/longterm-wiki/history';
import { createBaselineTable, insertBaselineRows } from './lib/baseline';
import { Cleanup, describeError } from './lib/cleanup';
import type { EmbeddedRun } from './lib/embedded-import-child';
import { openPgliteTarget, openPostgresTarget, type BenchTarget } from './lib/target';

const USAGE = `Usage: npm run bench:import -- [--dir DIR] [--batch-size N] [--via-handler] [--history] [--memory]

  --dir DIR        the Longterm Wiki data (default: ../shared/datasets/longterm-wiki from the project)
  --batch-size N   commands per transaction (default: the importer's)
  --via-handler    every command through CommandHandler.execute (the slower reference path)
  --history        also replay the wiki's edit history (DIR/history/things-history.jsonl, every commit)
                   into another empty store on each database
  --memory         also the peak RSS of an embedded store, each in a process of its own: a new
                   PGlite folder created and migrated only; an existing one opened only; the import
                   into a new folder; the import into an existing, empty one

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

/** The history replay into an empty store: every commit of the wiki's history file. */
async function measureHistory(target: BenchTarget, dir: string): Promise<string> {
  const report = await importLongtermWikiHistory(factlogOver(target.database), path.join(dir, 'history', 'things-history.jsonl'), {
    base: dir,
  });
  if (!report.completed) throw new Error(`the history replay stopped: ${report.error ?? 'unknown'}`);
  return `${target.description}: history replay of ${report.commits.length} commits, ${report.eventsAppended} events in ${report.seconds.toFixed(1)} s (${Math.round(report.eventsAppended / report.seconds)} ev/s)`;
}

/** One embedded-store process (bench/lib/embedded-import-child.ts) and what it reported. */
function embedded(mode: EmbeddedRun['mode'], folder: string, dir: string): EmbeddedRun {
  const child = spawnSync(process.execPath, [path.join(__dirname, 'lib', 'embedded-import-child.js'), mode, folder, dir], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (child.status !== 0) throw new Error(`the embedded ${mode} process exited with ${child.status ?? child.signal}`);
  return JSON.parse(child.stdout) as EmbeddedRun;
}

function measureMemory(dir: string): string {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'factlog-bench-embedded-'));
  try {
    const created = embedded('open', path.join(scratch, 'created'), dir);
    const intoNew = embedded('import', path.join(scratch, 'new'), dir);
    embedded('open', path.join(scratch, 'existing'), dir);
    const opened = embedded('open', path.join(scratch, 'existing'), dir);
    const intoExisting = embedded('import', path.join(scratch, 'existing'), dir);
    return [
      'embedded store (PGlite folder), peak RSS of a process of its own:',
      `  a new folder created and migrated, nothing imported: ${created.peakRssMb} MB (${created.seconds.toFixed(1)} s)`,
      `  an existing folder opened, nothing imported: ${opened.peakRssMb} MB (${opened.seconds.toFixed(1)} s)`,
      `  the import into a new folder: ${intoNew.peakRssMb} MB (${intoNew.events} events, ${intoNew.seconds.toFixed(1)} s)`,
      `  the import into an existing, migrated, empty folder: ${intoExisting.peakRssMb} MB (${intoExisting.events} events, ${intoExisting.seconds.toFixed(1)} s)`,
    ].join('\n');
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      dir: { type: 'string' },
      'batch-size': { type: 'string' },
      'via-handler': { type: 'boolean' },
      history: { type: 'boolean' },
      memory: { type: 'boolean' },
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
  const history: string[] = [];
  try {
    rows.push(await measure(await openPgliteTarget(cleanup), dir, { batchSize, writer }));
    if (process.env.DATABASE_URL)
      rows.push(await measure(await openPostgresTarget(process.env.DATABASE_URL, 4, cleanup), dir, { batchSize, writer }));
    if (values.history) {
      history.push(await measureHistory(await openPgliteTarget(cleanup), dir));
      if (process.env.DATABASE_URL) history.push(await measureHistory(await openPostgresTarget(process.env.DATABASE_URL, 4, cleanup), dir));
    }
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
  for (const line of history) process.stdout.write(`${line}\n`);
  if (values.memory) process.stdout.write(`${measureMemory(dir)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${describeError(err)}\n`);
  process.exitCode = 1;
});
