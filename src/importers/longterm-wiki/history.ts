import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { resolveBasis } from '../../projections/queries/basis';
import { refreshStatistics } from '../../store/statistics';
import { CORRELATION_PREFIX, ImportFailed, importLongtermWiki, type ImportOptions, type ImportReport, type ImportTarget } from './index';
import { DATASET_FILES, ReadCache } from './read';
import type { Anomaly, AnomalyKind } from '../sync/vocabulary';

/**
 * `factlog import longterm-wiki-history <file.jsonl>`: the wiki's real edit history of `things/`, one
 * JSON line per changed file, replayed commit by commit. Each commit is one ordinary sync run over
 * the files as they were at that commit (so the store ends up with exactly the corrections,
 * assertions and retractions the wiki's editors made, in their order), with the commit's hash and
 * time on every event it appends. The history covers `things/` only; the other parts of the data
 * set (publications, properties, the entity registry, resources, pages) are taken from a base folder
 * as they are now.
 */

export interface HistoryChange {
  file: string;
  /** The file's text after the commit; null when the commit deleted it. */
  yaml: string | null;
}

export interface HistoryCommit {
  commit: string;
  committedAt: string;
  /** 1-based line of the commit's first entry in the history file. */
  line: number;
  changes: HistoryChange[];
}

/** Something odd but recoverable in the history file, and what was made of it. */
export interface HistoryQuirk {
  line: number;
  commit: string;
  file: string;
  message: string;
}

export interface ParsedHistory {
  commits: HistoryCommit[];
  quirks: HistoryQuirk[];
}

/** The history file is not what it should be: nothing has been written when this is thrown. */
export class HistoryFormatError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    detail: string,
  ) {
    super(`${file}:${line}: ${detail}`);
    this.name = 'HistoryFormatError';
  }
}

const COMMIT = /^[0-9a-f]{7,40}$/i;
// A plain file name: the history names files inside things/, and must not reach outside it.
const THING_FILE = /^[A-Za-z0-9][A-Za-z0-9._-]*\.ya?ml$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Reads the whole history before anything is written, so a malformed line stops the run with its
 * line number and the store untouched. Entries of one commit must be adjacent (as `git log` writes them).
 *
 * The history names files without their folder, so a commit that moved files into things/ from an
 * older layout lists each one twice: written (its new place) and deleted (its old one). The files as
 * they are today show the written version is the one that stayed; a quirk records each such case.
 */
export function parseHistory(text: string, file: string): ParsedHistory {
  const commits: HistoryCommit[] = [];
  const quirks: HistoryQuirk[] = [];
  const seen = new Set<string>();
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === '') return;
    const fail = (detail: string): never => {
      throw new HistoryFormatError(file, line, detail);
    };
    let entry: unknown;
    try {
      entry = JSON.parse(raw);
    } catch (err) {
      fail(`not valid JSON (${(err as Error).message})`);
    }
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return fail('expected a JSON object per line');
    const e = entry as Record<string, unknown>;
    if (typeof e.commit !== 'string' || !COMMIT.test(e.commit)) fail(`"commit" must be a hex commit hash, got ${JSON.stringify(e.commit)}`);
    if (typeof e.committedAt !== 'string' || !ISO_TIME.test(e.committedAt) || Number.isNaN(Date.parse(e.committedAt))) {
      fail(`"committedAt" must be an ISO 8601 time with its offset, got ${JSON.stringify(e.committedAt)}`);
    }
    if (typeof e.file !== 'string' || !THING_FILE.test(e.file))
      fail(`"file" must be a YAML file name without folders, got ${JSON.stringify(e.file)}`);
    const deleted = e.deleted === true;
    if (deleted === (typeof e.yaml === 'string')) fail('each entry has either "yaml" (the file\'s text) or "deleted": true');
    const commit = e.commit as string;
    const committedAt = e.committedAt as string;
    const change: HistoryChange = { file: e.file as string, yaml: deleted ? null : (e.yaml as string) };

    const last = commits[commits.length - 1];
    if (last?.commit === commit) {
      if (last.committedAt !== committedAt) fail(`commit ${commit} has two times: ${last.committedAt} and ${committedAt}`);
      const twin = last.changes.findIndex((c) => c.file === change.file);
      if (twin < 0) last.changes.push(change);
      else if (last.changes[twin].yaml === null || change.yaml === null) {
        if (change.yaml !== null) last.changes[twin] = change;
        // Only a write paired with a delete is a move; anything else is one entry too many.
        else if (last.changes[twin].yaml === null) fail(`commit ${commit} deletes ${change.file} twice`);
        quirks.push({
          line,
          commit,
          file: change.file,
          message: `commit ${commit} both writes and deletes ${change.file} (a move from an older layout): the written version is kept`,
        });
      } else fail(`commit ${commit} writes ${change.file} twice`);
      return;
    }
    if (seen.has(commit)) fail(`commit ${commit} appears again after other commits: a commit's entries must be adjacent`);
    seen.add(commit);
    commits.push({ commit, committedAt, line, changes: [change] });
  });
  if (commits.length === 0) throw new HistoryFormatError(file, 1, 'the history has no entries');
  return { commits, quirks };
}

export interface CommitReport {
  commit: string;
  committedAt: string;
  /** Files the commit changed or deleted. */
  files: number;
  /** Already in the store from an earlier run: not synced again. */
  skipped: boolean;
  commands: number;
  eventsAppended: number;
  /** The log right after this commit's run: query with `atPosition` (or `knownAt: recordedAt`) to see what the store knew then. */
  position: number;
  recordedAt: string | null;
  correlationId: string | null;
  anomalyCounts: Partial<Record<AnomalyKind, number>>;
  /** Anomalies this commit's files show that no earlier commit showed. */
  newAnomalies: Anomaly[];
}

export interface HistoryReport {
  source: 'longterm-wiki-history';
  file: string;
  base: string;
  database: string;
  actor: string;
  commits: CommitReport[];
  /** Commits in the file (the run may stop earlier with `limit`). */
  commitsInFile: number;
  /** Odd entries in the history file and what was made of them. */
  quirks: HistoryQuirk[];
  /** The commit the run started syncing from when an earlier run had got that far. */
  resumedFrom: string | null;
  eventsAppended: number;
  anomalies: number;
  seconds: number;
  completed: boolean;
  error?: string;
}

export interface HistoryOptions extends Pick<ImportOptions, 'actor' | 'batchSize' | 'writer' | 'newStableId'> {
  /** The data set folder the other parts come from (default: the folder above the history file's). */
  base?: string;
  /** Replay only the first N commits. */
  limit?: number;
  /** Called after each commit (synced or skipped). */
  onCommit?: (report: CommitReport, done: number, total: number) => void;
}

export class HistoryFailed extends Error {
  constructor(
    message: string,
    readonly report: HistoryReport,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'HistoryFailed';
  }
}

/** The last commit of this history an earlier run appended events for: the run resumes there. */
async function lastSyncedCommit(target: ImportTarget, commits: readonly HistoryCommit[]): Promise<number> {
  const row = await target.db
    .selectFrom('events')
    .select(sql<string>`metadata->>'commit'`.as('commit'))
    .where(sql<boolean>`metadata->>'commit' IS NOT NULL`)
    .where(sql<boolean>`metadata->>'correlationId' like ${`${CORRELATION_PREFIX}%`}`)
    .orderBy('position', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? commits.findIndex((c) => c.commit === row.commit) : -1;
}

const anomalyKey = (a: Anomaly): string => `${a.kind}\u0000${a.file}\u0000${a.line ?? ''}\u0000${a.at ?? ''}\u0000${a.message}`;

export async function importLongtermWikiHistory(
  target: ImportTarget,
  historyFile: string,
  options: HistoryOptions = {},
): Promise<HistoryReport> {
  const started = Date.now();
  const file = path.resolve(historyFile);
  const base = path.resolve(options.base ?? path.join(path.dirname(file), '..'));
  const { commits: all, quirks } = parseHistory(await fs.readFile(file, 'utf8'), historyFile);
  const commits = options.limit === undefined ? all : all.slice(0, options.limit);

  // An earlier run that stopped (or finished) is picked up at its last commit: syncing that commit
  // again completes it if it stopped midway, and appends nothing if it did not. A store already past
  // the requested commits is left as it is rather than rewound.
  const last = await lastSyncedCommit(target, all);
  const resumeAt = Math.max(0, last);
  const report: HistoryReport = {
    source: 'longterm-wiki-history',
    file,
    base,
    database: target.database.description,
    actor: options.actor ?? 'longterm-wiki-importer',
    commits: [],
    commitsInFile: all.length,
    quirks,
    resumedFrom: last > 0 ? all[last].commit : null,
    eventsAppended: 0,
    anomalies: 0,
    seconds: 0,
    completed: false,
  };

  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'factlog-history-'));
  try {
    // The data folder each run reads: the base's other parts linked in, things/ as of the commit.
    for (const part of Object.values(DATASET_FILES)) {
      if (part === DATASET_FILES.things) continue;
      const from = path.join(base, part);
      if (await fs.stat(from).catch(() => null)) await fs.symlink(from, path.join(work, part));
    }
    const things = path.join(work, DATASET_FILES.things);
    await fs.mkdir(things);

    const seenAnomalies = new Set<string>();
    // Most files are the same from one commit to the next: each version is parsed once.
    const readCache = new ReadCache();
    for (const [index, commit] of commits.entries()) {
      for (const change of commit.changes) {
        const dest = path.join(things, change.file);
        if (change.yaml === null) await fs.rm(dest, { force: true });
        else await fs.writeFile(dest, change.yaml);
      }
      let commitReport: CommitReport;
      if (index < resumeAt) {
        commitReport = { ...emptyCommitReport(commit), skipped: true };
      } else {
        let run: ImportReport;
        try {
          run = await importLongtermWiki(target, work, {
            actor: options.actor,
            reason: `history replay: commit ${commit.commit} of ${commit.committedAt}`,
            origin: { commit: commit.commit, committedAt: commit.committedAt },
            batchSize: options.batchSize,
            writer: options.writer,
            newStableId: options.newStableId,
            readCache,
            refreshStatistics: false,
          });
        } catch (err) {
          if (err instanceof ImportFailed) report.eventsAppended += err.report.eventsAppended;
          report.error = `commit ${commit.commit}: ${(err as Error).message}`;
          report.seconds = (Date.now() - started) / 1000;
          throw new HistoryFailed(
            `the history replay stopped at commit ${commit.commit} (${index + 1} of ${commits.length}): ${(err as Error).message}. Run it again to resume there.`,
            report,
            { cause: err },
          );
        }
        const basis = await resolveBasis(target.db);
        const fresh = run.anomalies.filter((a) => !seenAnomalies.has(anomalyKey(a)));
        for (const a of fresh) seenAnomalies.add(anomalyKey(a));
        commitReport = {
          ...emptyCommitReport(commit),
          commands: run.commands,
          eventsAppended: run.eventsAppended,
          position: basis.position,
          recordedAt: basis.recordedAt?.toISOString() ?? null,
          correlationId: run.run.correlationId,
          anomalyCounts: run.anomalyCounts,
          newAnomalies: fresh,
        };
        report.eventsAppended += run.eventsAppended;
        report.anomalies += fresh.length;
      }
      report.commits.push(commitReport);
      options.onCommit?.(commitReport, index + 1, commits.length);
    }
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
  await refreshStatistics(target.db, report.eventsAppended);
  report.completed = true;
  report.seconds = (Date.now() - started) / 1000;
  return report;
}

const emptyCommitReport = (commit: HistoryCommit): CommitReport => ({
  commit: commit.commit,
  committedAt: commit.committedAt,
  files: commit.changes.length,
  skipped: false,
  commands: 0,
  eventsAppended: 0,
  position: 0,
  recordedAt: null,
  correlationId: null,
  anomalyCounts: {},
  newAnomalies: [],
});

export function formatHistoryReport(report: HistoryReport, { verbose = false }: { verbose?: boolean } = {}): string {
  const out: string[] = [];
  out.push(`Longterm Wiki history replay: ${report.file} → ${report.database}`);
  out.push(`other parts of the data set from ${report.base}; actor ${report.actor}`);
  if (report.resumedFrom) out.push(`resumed at commit ${report.resumedFrom} (the commits before it were synced by an earlier run)`);
  out.push('');
  out.push('commit      committed at                files  events  position  new anomalies');
  for (const c of report.commits) {
    const tail = c.skipped
      ? 'already synced'
      : `${String(c.eventsAppended).padStart(6)}  ${String(c.position).padStart(8)}  ${c.newAnomalies.length}`;
    out.push(`${c.commit.padEnd(10)}  ${c.committedAt.padEnd(25)}  ${String(c.files).padStart(5)}  ${tail}`);
  }
  if (report.quirks.length) {
    out.push('');
    const byCommit = new Map<string, number>();
    for (const q of report.quirks) byCommit.set(q.commit, (byCommit.get(q.commit) ?? 0) + 1);
    out.push(`History quirks (${report.quirks.length}; --json lists each):`);
    for (const [commit, n] of byCommit)
      out.push(`  commit ${commit}: ${n} files both written and deleted (moved from an older layout): the written versions were kept`);
  }
  const anomalies = report.commits.flatMap((c) => c.newAnomalies.map((a) => ({ commit: c.commit, a })));
  if (anomalies.length) {
    out.push('');
    if (verbose) {
      out.push(`Anomalies (${anomalies.length}, each listed at the first commit that shows it):`);
      for (const { commit, a } of anomalies)
        out.push(`  ${commit} ${a.kind} ${a.file}${a.line !== undefined ? `:${a.line}` : ''}${a.at ? ` (${a.at})` : ''}: ${a.message}`);
    } else {
      // One line per kind; the details are behind --verbose or --json.
      const byKind = new Map<string, number>();
      for (const { a } of anomalies) byKind.set(a.kind, (byKind.get(a.kind) ?? 0) + 1);
      out.push(`Anomalies (${anomalies.length}, counted at the first commit that shows each; --verbose or --json lists each):`);
      for (const [kind, n] of byKind) out.push(`  ${kind} ${n}`);
    }
  }
  out.push('');
  out.push(
    `${report.commits.length} of ${report.commitsInFile} commits, ${report.eventsAppended} events appended in ${report.seconds.toFixed(1)} s${report.completed ? '' : ' (stopped: run again to resume)'}`,
  );
  return out.join('\n');
}
