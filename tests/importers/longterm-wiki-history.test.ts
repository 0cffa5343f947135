import { promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { UsageError } from '../../src/cli/command';
import { runImport, type ImportIo } from '../../src/cli/import';
import { importLongtermWiki } from '../../src/importers/longterm-wiki';
import { exportLongtermWiki } from '../../src/importers/longterm-wiki/export';
import { HistoryFormatError, importLongtermWikiHistory, parseHistory, type HistoryReport } from '../../src/importers/longterm-wiki/history';
import type { FactlogDb } from '../../src/projections/tables';
import { createTestFactlog } from '../support/factlog';
import { createTestGateway, type TestGateway } from '../support/gateway';
import {
  buildFixture,
  currentThing,
  DATA_DIR,
  dataFiles,
  eventCount,
  entitySlugs,
  eventsOfRun,
  normalizedFacts,
  propertyTypes,
  readYaml,
  removeFixtures,
} from './longterm-wiki-support';

/**
 * The wiki's real edit history (history/things-history.jsonl), replayed commit by commit: after the
 * first ten commits, the store's view known at each chosen commit must equal the files of that commit
 * — checked against a fresh import of exactly those files into an empty store, and against the fact
 * ids the files hold.
 */

const HISTORY = path.join(DATA_DIR, 'history', 'things-history.jsonl');
/** The other parts of the data set (the history covers things/ only); resources and pages are left out to keep it quick. */
const BASE = ['publications.yaml', 'properties.yaml', 'entities'];
/** Commit 3 retracts facts; 7 changes 16 files; 10 is the last one replayed. */
const CHOSEN = [3, 7, 10];

const { commits, quirks } = parseHistory(readFileSync(HISTORY, 'utf8'), HISTORY);

/** things/ as it stood after the first n commits. */
function thingsAfter(n: number): Record<string, string> {
  const files: Record<string, string> = {};
  for (const c of commits.slice(0, n)) {
    for (const change of c.changes) {
      if (change.yaml === null) delete files[change.file];
      else files[change.file] = change.yaml;
    }
  }
  return files;
}

/** The facts believed at a log position (transaction time), as comparable rows keyed by fact id. */
async function factsKnownAt(db: FactlogDb, position: number): Promise<Map<string, string>> {
  const rows = await db
    .selectFrom('fact_versions')
    .select(['fact_id', 'entity_id', 'property_id', 'value', 'as_of', 'valid_end', 'rank', 'citations', 'notes'])
    .where('tx_from', '<=', position)
    .where((eb) => eb.or([eb('tx_to', 'is', null), eb('tx_to', '>', position)]))
    .where('retracted', '=', false)
    .execute();
  return new Map(rows.map((r) => [r.fact_id, JSON.stringify({ ...r, value: parse(r.value), citations: parse(r.citations) })]));
}
const parse = (v: unknown): unknown => (typeof v === 'string' ? JSON.parse(v) : v);

let g: TestGateway;
let app: TestGateway['app'];
let base: string;
let report: HistoryReport;

beforeAll(async () => {
  g = await createTestGateway();
  app = g.app;
  base = await buildFixture({ link: BASE });
  report = await importLongtermWikiHistory(app, HISTORY, { base, limit: 10, actor: 'history-test' });
}, 900_000);
afterAll(async () => {
  await g?.dispose();
  await removeFixtures();
});

it('replays the first ten commits in order, one sync run per commit, each marked with its commit', async () => {
  expect(report.completed).toBe(true);
  expect(report.commitsInFile).toBe(commits.length);
  expect(report.commits.map((c) => c.commit)).toEqual(commits.slice(0, 10).map((c) => c.commit));
  expect(report.commits.every((c) => !c.skipped)).toBe(true);
  // Positions only grow, and the log holds exactly what the runs say they appended.
  const positions = report.commits.map((c) => c.position);
  expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  expect(await eventCount(app.db)).toBe(report.eventsAppended);

  for (const c of report.commits) {
    const events = await eventsOfRun(app.db, c.correlationId!);
    expect(events).toHaveLength(c.eventsAppended);
    for (const e of events) {
      expect(e.metadata).toMatchObject({ commit: c.commit, committedAt: c.committedAt, actor: 'history-test' });
      expect(e.metadata.reason).toContain(c.commit);
    }
  }
  // Auditors see the commit through GraphQL too.
  const third = report.commits[2];
  const res = await g.gql(`query E($after: String) { events(afterPosition: $after, first: 1) { nodes { commit committedAt reason } } }`, {
    after: String(third.position - third.eventsAppended),
  });
  expect(res.errors).toBeUndefined();
  expect(res.data.events.nodes).toEqual([
    { commit: third.commit, committedAt: third.committedAt, reason: expect.stringContaining(third.commit) },
  ]);
  // The first commit registers the base (publications, properties, entities); later ones are mostly facts.
  expect(report.commits[0].eventsAppended).toBeGreaterThan(100);
});

it.each(CHOSEN)(
  "the view known right after commit %i equals that commit's files",
  async (n) => {
    const after = report.commits[n - 1];
    const known = await factsKnownAt(app.db, after.position);

    // An independent reading: the fact ids the files of that commit hold.
    const files = thingsAfter(n);
    const idsInFiles = new Set(Object.values(files).flatMap((text) => (readYaml(text).facts ?? []).map((f: { id: string }) => f.id)));

    // The same files imported at once into an empty store.
    const fresh = await createTestFactlog();
    try {
      const direct = await importLongtermWiki(fresh, await buildFixture({ link: BASE, things: files }), { actor: 'history-test' });
      const expected = await factsKnownAt(fresh.db, await eventCount(fresh.db));
      expect(known).toEqual(expected);
      // Every fact of the files is there unless the importer reported why it was skipped.
      const skipped = new Set(
        direct.anomalies
          .filter((a) => a.kind === 'unknown-property' || a.kind === 'unparsable-value' || a.kind === 'invalid-record')
          .map((a) => a.at?.split('.')[0]),
      );
      expect(new Set(known.keys())).toEqual(new Set([...idsInFiles].filter((id) => !skipped.has(id))));
      expect(known.size).toBeGreaterThan(10);
    } finally {
      await fresh.dispose();
    }
  },
  300_000,
);

it.each(CHOSEN)(
  "the export at commit %i's position means the same as that commit's things/ files",
  async (n) => {
    const after = report.commits[n - 1];
    const out = await fs.mkdtemp(path.join(os.tmpdir(), 'lw-export-at-'));
    try {
      await exportLongtermWiki(app.db, out, { atPosition: after.position });
      const slugs = entitySlugs();
      const types = propertyTypes();
      const files = thingsAfter(n);
      // The facts the store holds at that position (the test above checks they are the files' minus those reported unusable).
      const known = await factsKnownAt(app.db, after.position);
      for (const [name, text] of Object.entries(files)) {
        const exported = await fs.readFile(path.join(out, 'things', name), 'utf8');
        const header = (t: string) => {
          const h = readYaml(t).thing;
          return { id: h.id, stableId: h.stableId ?? slugs.get(h.id), aliases: new Set(h.aliases ?? []) };
        };
        expect(header(exported)).toEqual(header(text));
        const want = new Map([...normalizedFacts(text, slugs, types)].filter(([id]) => known.has(id)));
        expect(normalizedFacts(exported, slugs, types)).toEqual(want);
      }
    } finally {
      await fs.rm(out, { recursive: true, force: true });
    }
  },
  300_000,
);

it('retracts what a commit removed, while knownAt before it still shows it', async () => {
  const removed = [...(await factsKnownAt(app.db, report.commits[1].position))]
    .map(([id]) => id)
    .filter((id) => !Object.values(thingsAfter(3)).some((text) => text.includes(`id: ${id}`)));
  expect(removed.length).toBeGreaterThan(0);
  const atThree = await factsKnownAt(app.db, report.commits[2].position);
  for (const id of removed) expect(atThree.has(id)).toBe(false);
  const retractions = (await eventsOfRun(app.db, report.commits[2].correlationId!))
    .filter((e) => e.type === 'FactRetracted')
    .map((e) => e.data.id);
  expect(new Set(retractions)).toEqual(new Set(removed));
});

it('resumes at the last synced commit: running again appends nothing', async () => {
  const before = await eventCount(app.db);
  const again = await importLongtermWikiHistory(app, HISTORY, { base, limit: 10, actor: 'history-test' });
  expect(again.resumedFrom).toBe(commits[9].commit);
  expect(again.commits.filter((c) => c.skipped)).toHaveLength(9);
  expect(again.eventsAppended).toBe(0);
  expect(await eventCount(app.db)).toBe(before);
}, 300_000);

describe('a malformed history file', () => {
  const write = async (lines: string[]) => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lw-history-'));
    const file = path.join(dir, 'history.jsonl');
    await fs.writeFile(file, `${lines.join('\n')}\n`);
    return file;
  };
  const good = (commit: string, file: string) =>
    JSON.stringify({ commit, committedAt: '2026-03-06T08:41:51-08:00', file, yaml: 'thing:\n  id: x\n' });

  it.each([
    ['not JSON', '{"commit": "abc1234", ', /:3: not valid JSON/],
    [
      'a path outside things/',
      JSON.stringify({ commit: 'abc1234', committedAt: '2026-03-06T08:41:51-08:00', file: '../escape.yaml', yaml: '' }),
      /:3: "file" must be a YAML file name/,
    ],
    [
      'no time zone',
      JSON.stringify({ commit: 'abc1234', committedAt: '2026-03-06 08:41', file: 'a.yaml', yaml: '' }),
      /:3: "committedAt" must be an ISO 8601 time/,
    ],
    [
      'both yaml and deleted',
      JSON.stringify({ commit: 'abc1234', committedAt: '2026-03-06T08:41:51-08:00', file: 'a.yaml', yaml: '', deleted: true }),
      /:3: each entry has either/,
    ],
    ['a commit split in two', good('7a938b7ebd', 'c.yaml'), /:3: commit 7a938b7ebd appears again/],
    ['a file written twice in one commit', good('419bd74727', 'b.yaml'), /:3: commit 419bd74727 writes b.yaml twice/],
  ])('refuses %s, naming the line, and writes nothing', async (_, bad, message) => {
    const file = await write([good('7a938b7ebd', 'a.yaml'), good('419bd74727', 'b.yaml'), bad]);
    const before = await eventCount(app.db);
    try {
      const err = await importLongtermWikiHistory(app, file, { base }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(HistoryFormatError);
      expect((err as HistoryFormatError).line).toBe(3);
      expect((err as Error).message).toMatch(message);
      expect(await eventCount(app.db)).toBe(before);
    } finally {
      await fs.rm(path.dirname(file), { recursive: true, force: true });
    }
  });
});

it('reads a file both written and deleted in one commit as moved into things/: the history then ends where the files are', () => {
  const move = quirks.filter((q) => q.commit === 'ea01b23b91');
  expect(move.length).toBeGreaterThan(300);
  const files = thingsAfter(commits.length);
  const today = dataFiles('things');
  expect(Object.keys(files).sort()).toEqual(today);
  for (const name of today) expect(files[name]).toBe(currentThing(name));
});

describe('the command line', () => {
  const io = (out: string[], err: string[] = []): ImportIo => ({
    open: async () => ({ target: app, close: async () => undefined }),
    stdout: (t) => out.push(t),
    stderr: Object.assign(
      new Writable({
        write: (c, _e, cb) => {
          err.push(String(c));
          cb();
        },
      }),
      { isTTY: false },
    ),
    env: {},
  });

  it('prints the per-commit report as JSON, each commit with the position to query it at', async () => {
    const out: string[] = [];
    expect(await runImport({ json: true, base, commits: '10' }, ['longterm-wiki-history', HISTORY], io(out))).toBe(0);
    const json = JSON.parse(out.join('')) as HistoryReport;
    expect(json.commits).toHaveLength(10);
    expect(json.commits[9]).toMatchObject({
      commit: commits[9].commit,
      skipped: false,
      eventsAppended: 0,
      position: report.commits[9].position,
    });
  }, 300_000);

  it('says which line of a malformed history is wrong and exits 1', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lw-history-'));
    const file = path.join(dir, 'history.jsonl');
    await fs.writeFile(file, '{"commit": "abc1234"}\n');
    const err: string[] = [];
    try {
      expect(await runImport({}, ['longterm-wiki-history', file], io([], err))).toBe(1);
      expect(err.join('')).toMatch(/malformed, nothing was imported: .*history\.jsonl:1: "committedAt"/);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a wrong invocation with a usage error', async () => {
    await expect(runImport({}, ['longterm-wiki-history'], io([]))).rejects.toThrow(/give the history file/);
    await expect(runImport({}, ['longterm-wiki-history', `${HISTORY}.nope`], io([]))).rejects.toThrow(/is not a file/);
    await expect(runImport({ commits: '0' }, ['longterm-wiki-history', HISTORY], io([]))).rejects.toThrow(/--commits/);
    await expect(runImport({ base: '/nonexistent' }, ['longterm-wiki-history', HISTORY], io([]))).rejects.toThrow(/--base/);
    await expect(runImport({ 'dry-run': true }, ['longterm-wiki-history', HISTORY], io([]))).rejects.toThrow(UsageError);
    await expect(runImport({ commits: '3' }, ['longterm-wiki', DATA_DIR], io([]))).rejects.toThrow(
      /--commits applies to longterm-wiki-history only/,
    );
  });
});
