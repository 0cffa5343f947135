import { promises as fs } from 'node:fs';
import { Presets, SingleBar } from 'cli-progress';
import {
  DEFAULT_ACTOR,
  DEFAULT_BATCH_SIZE,
  formatReport,
  ImportFailed,
  importLongtermWiki,
  type ImportProgress,
  type ImportReport,
  type ImportTarget,
} from '../importers/longterm-wiki';
import {
  formatHistoryReport,
  HistoryFailed,
  HistoryFormatError,
  importLongtermWikiHistory,
  type HistoryReport,
} from '../importers/longterm-wiki/history';
import { UsageError, type Command } from './command';
import { progressBar } from './progress';
import { openForCommand } from './open';

const SOURCES = ['longterm-wiki', 'longterm-wiki-history'] as const;
const MAX_BATCH_SIZE = 5000;

/** Exit status when --strict finds anomalies (1 is a run that failed, 2 a usage error). */
export const EXIT_ANOMALIES = 3;

const HELP = `
Usage: factlog import longterm-wiki <dir> [options]
       factlog import longterm-wiki-history <things-history.jsonl> [--base DIR] [--commits N] [options]

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

longterm-wiki-history replays the wiki's real edit history of things/ (one JSON line per changed
file: commit, committedAt, file, yaml or deleted) commit by commit: each commit is one sync run over
things/ as it was then, and its events carry the commit's hash and time in their metadata. The other
parts of the data set come from --base as they are now. Afterwards, a query with atPosition (or
knownAt) at a commit's position answers what the files said at that commit; the report lists each
commit's position. A run that stopped resumes at the last commit it had synced.

Options:
  --base DIR         (history) the data set folder for publications, properties, entities,
                     resources and pages (default: the folder above the history file's folder)
  --commits N        (history) replay only the first N commits
  --actor NAME       who is importing, recorded on every event (default: ${DEFAULT_ACTOR})
  --reason TEXT      why, recorded on every event (default: "sync from the Longterm Wiki files in <dir>")
  --json             print the report as JSON instead of the text summary (every anomaly listed)
  --verbose          list every anomaly in the text summary (by default only the count per kind)
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
    const app = await openForCommand();
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
    verbose: { type: 'boolean' },
    strict: { type: 'boolean' },
    'dry-run': { type: 'boolean' },
    'batch-size': { type: 'string' },
    'via-handler': { type: 'boolean' },
    quiet: { type: 'boolean' },
    base: { type: 'string' },
    commits: { type: 'string' },
  },
  run: (values, positionals) => runImport(values, positionals),
};

export async function runImport(
  values: Record<string, string | boolean | undefined>,
  positionals: string[],
  io: ImportIo = defaultIo(),
): Promise<number> {
  const [source, input, ...extra] = positionals;
  if (!source) throw new UsageError('say what to import: factlog import longterm-wiki <dir>\nRun "factlog import --help" for usage.');
  if (!(SOURCES as readonly string[]).includes(source)) throw new UsageError(`unknown source "${source}"; known: ${SOURCES.join(', ')}`);
  const history = source === 'longterm-wiki-history';
  if (!input) {
    throw new UsageError(
      history
        ? 'give the history file: factlog import longterm-wiki-history <things-history.jsonl>'
        : 'give the folder of the Longterm Wiki data: factlog import longterm-wiki <dir>',
    );
  }
  if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`);
  const batchSize = values['batch-size'] === undefined ? DEFAULT_BATCH_SIZE : Number(values['batch-size']);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
    throw new UsageError(`--batch-size must be a whole number from 1 to ${MAX_BATCH_SIZE}, got "${String(values['batch-size'])}"`);
  }
  for (const key of ['actor', 'reason'] as const) {
    const v = values[key];
    if (typeof v === 'string' && (v.trim() === '' || v.length > 2000)) throw new UsageError(`--${key} must be 1–2000 characters`);
  }
  const only = (option: string, where: string) => {
    if (values[option] !== undefined) throw new UsageError(`--${option} applies to ${where} only`);
  };
  if (history) {
    for (const option of ['reason', 'dry-run']) only(option, 'longterm-wiki');
    return runHistory(values, input, batchSize, io);
  }
  for (const option of ['base', 'commits']) only(option, 'longterm-wiki-history');
  const dir = input;
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
  io.stdout(values.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report, { verbose: values.verbose === true })}\n`);
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
      bar = new SingleBar(
        {
          format: `${phase.padEnd(12)} [{bar}] {value}/{total} {duration_formatted}`,
          stream,
          hideCursor: true,
          etaBuffer: 50,
        },
        Presets.shades_classic,
      );
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

async function runHistory(
  values: Record<string, string | boolean | undefined>,
  file: string,
  batchSize: number,
  io: ImportIo,
): Promise<number> {
  const stat = await fs.stat(file).catch(() => null);
  if (!stat?.isFile()) throw new UsageError(`"${file}" is not a file`);
  const base = typeof values.base === 'string' ? values.base : undefined;
  if (base !== undefined && !(await fs.stat(base).catch(() => null))?.isDirectory())
    throw new UsageError(`--base "${base}" is not a folder`);
  const limit = values.commits === undefined ? undefined : Number(values.commits);
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1))
    throw new UsageError(`--commits must be a whole number ≥ 1, got "${String(values.commits)}"`);

  const bar = !values.quiet && io.stderr.isTTY === true && !io.env.CI ? progressBar('commits', io.stderr as NodeJS.WriteStream) : null;
  const { target, close } = await io.open();
  let report: HistoryReport;
  let status = 0;
  try {
    report = await importLongtermWikiHistory(target, file, {
      base,
      limit,
      actor: typeof values.actor === 'string' ? values.actor : undefined,
      batchSize,
      writer: values['via-handler'] ? 'handler' : 'batched',
      onCommit: (_, done, total) => bar?.update(done, total),
    });
  } catch (err) {
    if (err instanceof HistoryFormatError) {
      io.stderr.write(`factlog import: the history file is malformed, nothing was imported: ${err.message}\n`);
      return 1;
    }
    if (!(err instanceof HistoryFailed)) throw err;
    report = err.report;
    status = 1;
  } finally {
    bar?.stop();
    await close();
  }
  io.stdout(
    values.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatHistoryReport(report, { verbose: values.verbose === true })}\n`,
  );
  if (status === 0 && values.strict && report.anomalies > 0) status = EXIT_ANOMALIES;
  return status;
}
