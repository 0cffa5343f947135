import { readFileSync } from 'node:fs';
import path from 'node:path';
import { importLongtermWiki } from '../../src/importers/longterm-wiki';
import { importLongtermWikiHistory, type HistoryReport } from '../../src/importers/longterm-wiki/history';
import type { FactlogDb } from '../../src/projections/tables';
import { createTestFactlog, type TestFactlog } from '../support/factlog';
import { buildFixture, DATA_DIR, eventCount, readYaml, removeFixtures } from './longterm-wiki-support';

/**
 * Records through the history replay: the wiki's real versions of things/anthropic.yaml from the
 * commits where its records first appear and grow (2 equity positions and an investment, then 15
 * and 19 and nine more collections), replayed commit by commit. At each commit's position the
 * store's records must be exactly the records that commit's file holds.
 */

const COMMITS = ['6b553a41f1', 'a7783b62a3', '347143ed01', 'fa21a4cd79'];
const BASE = ['publications.yaml', 'properties.yaml', 'entities', 'schemas'];

interface Line {
  commit: string;
  file: string;
  yaml?: string;
}
const lines = readFileSync(path.join(DATA_DIR, 'history', 'things-history.jsonl'), 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as Line);
const chosen = COMMITS.map((c) => lines.find((l) => l.commit === c && l.file === 'anthropic.yaml')!);

/** `collection.key` → the record's fields as the file writes them (tags as text), from a things file. */
function recordsInFile(yaml: string): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  for (const [collection, entries] of Object.entries(
    (readYaml(yaml).records ?? {}) as Record<string, Record<string, Record<string, unknown>>>,
  ))
    for (const [key, fields] of Object.entries(entries)) out.set(`${collection}.${key}`, fields);
  return out;
}

/** `collection.key` → the stake of each record believed at a position (removed ones left out). */
async function recordsKnownAt(db: FactlogDb, position: number): Promise<Map<string, Record<string, unknown>>> {
  const rows = await db
    .selectFrom('record_versions')
    .select(['collection', 'record_key', 'state'])
    .where('tx_from', '<=', position)
    .where((eb) => eb.or([eb('tx_to', 'is', null), eb('tx_to', '>', position)]))
    .where('removed', '=', false)
    .execute();
  return new Map(rows.map((r) => [`${r.collection}.${r.record_key}`, (r.state as { fields: Record<string, unknown> }).fields]));
}

let app: TestFactlog;
let report: HistoryReport;

beforeAll(async () => {
  app = await createTestFactlog();
  const base = await buildFixture({ link: BASE });
  const dir = await buildFixture({ files: { 'history/things-history.jsonl': chosen.map((l) => JSON.stringify(l)).join('\n') + '\n' } });
  report = await importLongtermWikiHistory(app, path.join(dir, 'history', 'things-history.jsonl'), { base, actor: 'history-records-test' });
}, 600_000);
afterAll(async () => {
  await app?.dispose();
  await removeFixtures();
});

it('at each commit, the records known are those of that commit’s file', async () => {
  expect(report.commits.map((c) => c.commit)).toEqual(COMMITS);
  const sizes: number[] = [];
  for (const [i, commit] of report.commits.entries()) {
    const inFile = recordsInFile(chosen[i].yaml!);
    const known = await recordsKnownAt(app.db, commit.position);
    expect(new Set(known.keys())).toEqual(new Set(inFile.keys()));
    sizes.push(known.size);
    // The checked text fields read as the file wrote them (the source URL of each record that has one).
    for (const [k, fields] of inFile) if (typeof fields.source === 'string') expect(known.get(k)?.source).toBe(fields.source);
  }
  // The records grew from 3 to over a hundred at the third commit.
  expect(sizes[0]).toBe(3);
  expect(sizes[2]).toBeGreaterThan(100);
});

it('removes a record that a later commit dropped, while a position before still shows it', async () => {
  const first = recordsInFile(chosen[0].yaml!);
  const third = recordsInFile(chosen[2].yaml!);
  const dropped = [...first.keys()].filter((k) => !third.has(k));
  expect(dropped).toHaveLength(3);
  const atSecond = await recordsKnownAt(app.db, report.commits[1].position);
  const atThird = await recordsKnownAt(app.db, report.commits[2].position);
  for (const k of dropped) {
    expect(atSecond.has(k)).toBe(true);
    expect(atThird.has(k)).toBe(false);
  }
  const removals = await app.db.selectFrom('events').select('position').where('type', '=', 'RecordRemoved').execute();
  expect(removals).toHaveLength(dropped.length);
});

it('never removes a record the importer did not create, and creates again what comes back', async () => {
  // A record added through the API, next to the imported ones.
  await app.commands.execute({
    type: 'CreateRecord',
    entity: 'anthropic',
    collection: 'products',
    key: 'api-only',
    fields: { name: 'Made through the API', launched: '2026-01' },
  });
  // The files go back to the first commit's version: the imported records it lacks go, the API's stays.
  const dir = await buildFixture({ link: BASE, things: { 'anthropic.yaml': chosen[0].yaml! } });
  const back = await importLongtermWiki(app, dir, { actor: 'history-records-test' });
  expect(back.phases.records.planned).toEqual({ create: 3, remove: recordsInFile(chosen[3].yaml!).size });
  const head = await eventCount(app.db);
  const now = await recordsKnownAt(app.db, head);
  expect(new Set(now.keys())).toEqual(new Set([...recordsInFile(chosen[0].yaml!).keys(), 'products.api-only']));
});
