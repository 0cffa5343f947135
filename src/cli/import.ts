import { promises as fs } from 'node:fs';
import { Presets, SingleBar } from 'cli-progress';
import { openFactlog } from '../app';
import { readConfig } from '../config';
import {
  DEFAULT_ACTOR, DEFAULT_BATCH_SIZE, formatReport, ImportFailed, importLongtermWiki,
  type ImportProgress, type ImportReport, type ImportTarget,
} from '../importers/longterm-wiki';
import { UsageError, type Command } from './command';

const SOURCES = ['longterm-wiki'] as const;
const MAX_BATCH_SIZE = 5000;

/** Exit status when --strict finds anomalies (1 is a run that failed, 2 a usage error). */
export const EXIT_ANOMALIES = 3;

const HELP = `
Usage: factlog import longterm-wiki <dir> [options]

Syncs the Longterm Wiki's data files into the store: publications.yaml, properties.yaml,
entities/*.yaml, things/*.yaml (entities and their facts), resources/*.yaml with
resources-snapshot.json (sources; their cited_by lists are the pages' citations) and pages.yaml.

It is a sync, not an overwrite: running it again on the same files appends no event; on changed
files it appends exactly the changes (field-level updates, including cleared fields; new facts
asserted, changed facts corrected, facts gone from the files retracted). Facts and citations that
did not come from this importer are never taken away. Each run has one correlation id and writes
in batches of commands that commit together: if a run stops, run it again to finish.

Real data is messy: problems are reported, not fatal. The summary on stdout counts what was
imported and lists every anomaly with its file and line.

Options:
  --actor NAME       who is importing, recorded on every event (default: ${DEFAULT_ACTOR})
  --reason TEXT      why, recorded on every event (default: "sync from the Longterm Wiki files in <dir>")
  --json             print the report as JSON instead of the text summary
  --strict           exit with status ${EXIT_ANOMALIES} if there was any anomaly (the import still runs;
                     add --dry-run to check the files without writing)
  --dry-run          read, compare with the store and report what would change; write nothing
  --batch-size N     commands per transaction, 1–${MAX_BATCH_SIZE} (default: ${DEFAULT_BATCH_SIZE})
  --via-handler      run every command through the CommandHandler one by one (slower; the
                     reference path, for cross-checking the batched writer)
  --quiet            no progress bars (they are shown only on a terminal, never when CI is set)

Exit status: 0 done; 1 the run failed (committed batches are kept); 2 usage error;
${EXIT_ANOMALIES} --strict and anomalies were found.

Environment:
  DATABASE_URL, FACTLOG_DATA_DIR   as for serve
`;

/** What the command needs from the outside world; tests pass their own. */
export interface ImportIo {
  open(): Promise<{ target: ImportTarget; close(): Promise<void> }>;
  stdout: (text: string) => void;
  /** Progress bars go here, when shown at all. */
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

const defaultIo = (): ImportIo => ({
  open: async () => {
    const app = await openFactlog(readConfig());
    return { target: app, close: () => app.close() };
  },
  stdout: (text) => process.stdout.write(text),
  stderr: process.stderr,
  env: process.env,
});

export const importCommand: Command = {
  name: 'import',
  summary: 'sync a knowledge base into the store (factlog import longterm-wiki <dir>); safe to repeat',
  help: HELP,
  allowPositionals: true,
  options: {
    actor: { type: 'string' },
    reason: { type: 'string' },
    json: { type: 'boolean' },
    strict: { type: 'boolean' },
    'dry-run': { type: 'boolean' },
    'batch-size': { type: 'string' },
    'via-handler': { type: 'boolean' },
    quiet: { type: 'boolean' },
  },
  run: (values, positionals) => runImport(values, positionals),
};

export async function runImport(values: Record<string, string | boolean | undefined>, positionals: string[], io: ImportIo = defaultIo()): Promise<number> {
  const [source, dir, ...extra] = positionals;
  if (!source) throw new UsageError('say what to import: factlog import longterm-wiki <dir>\nRun "factlog import --help" for usage.');
  if (!(SOURCES as readonly string[]).includes(source)) throw new UsageError(`unknown source "${source}"; known: ${SOURCES.join(', ')}`);
  if (!dir) throw new UsageError('give the folder of the Longterm Wiki data: factlog import longterm-wiki <dir>');
  if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`);
  const batchSize = values['batch-size'] === undefined ? DEFAULT_BATCH_SIZE : Number(values['batch-size']);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
    throw new UsageError(`--batch-size must be a whole number from 1 to ${MAX_BATCH_SIZE}, got "${String(values['batch-size'])}"`);
  }
  for (const key of ['actor', 'reason'] as const) {
    const v = values[key];
    if (typeof v === 'string' && (v.trim() === '' || v.length > 2000)) throw new UsageError(`--${key} must be 1–2000 characters`);
  }
  const stat = await fs.stat(dir).catch(() => null);
  if (!stat?.isDirectory()) throw new UsageError(`"${dir}" is not a folder`);

  const showProgress = !values.quiet && io.stderr.isTTY === true && !io.env.CI;
  const { target, close } = await io.open();
  let report: ImportReport;
  let status = 0;
  try {
    report = await importLongtermWiki(target, dir, {
      actor: typeof values.actor === 'string' ? values.actor : undefined,
      reason: typeof values.reason === 'string' ? values.reason : undefined,
      batchSize,
      dryRun: values['dry-run'] === true,
      writer: values['via-handler'] ? 'handler' : 'batched',
      progress: showProgress ? terminalProgress(io.stderr) : undefined,
    });
  } catch (err) {
    if (!(err instanceof ImportFailed)) throw err;
    report = err.report;
    status = 1;
  } finally {
    await close();
  }
  io.stdout(values.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report)}\n`);
  if (status === 0 && values.strict && report.anomalies.length > 0) status = EXIT_ANOMALIES;
  return status;
}

/** One cli-progress bar per phase, each left on screen when its phase is done. */
function terminalProgress(stream: NodeJS.WritableStream): ImportProgress {
  let bar: SingleBar | null = null;
  let current: string | null = null;
  const stop = () => {
    bar?.stop();
    bar = null;
    current = null;
  };
  return {
    start(phase, total) {
      stop();
      current = phase;
      bar = new SingleBar({
        format: `${phase.padEnd(12)} [{bar}] {value}/{total} {duration_formatted}`,
        stream,
        hideCursor: true,
        etaBuffer: 50,
      }, Presets.shades_classic);
      bar.start(total, 0);
    },
    update(phase, done) {
      if (phase === current) bar?.update(done);
    },
    stop(phase) {
      if (phase === current) stop();
    },
  };
}
