import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { pagesCitingAt } from '../../src/projections/queries/things';
import { createTestFactlog, type TestFactlog } from '../support/factlog';

/**
 * Which pages cite a source at a position comes from the citation spans of
 * src/projections/read-models/citation-versions.ts. The reference is what the page states themselves
 * say (the old query over state_versions), at every position of a history that cites, unciting,
 * cites again and merges; and the migration's backfill of an existing log gives the same spans as
 * the projector.
 */

let app: TestFactlog;
const sources: string[] = [];

/** The old answer: page versions alive at P whose state lists the source. */
async function fromPageStates(ids: readonly string[], position: number): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>(ids.map((id) => [id, []]));
  const { rows } = await sql<{ id: string; citations: string[] }>`
    SELECT id, state->'citations' AS citations FROM state_versions
    WHERE kind = 'page' AND tx_from <= ${position} AND (tx_to IS NULL OR tx_to > ${position})
    ORDER BY id`.execute(app.db);
  for (const r of rows) for (const id of r.citations) out.get(id)?.push(r.id);
  return out;
}

const spans = async () =>
  (await sql<{ row: string }>`SELECT t::text AS row FROM citation_versions t ORDER BY 1`.execute(app.db)).rows.map((r) => r.row);

beforeAll(async () => {
  app = await createTestFactlog();
  const run = (command: Parameters<TestFactlog['commands']['execute']>[0]) => app.commands.execute(command);
  for (const n of [1, 2, 3]) {
    const r = await run({ type: 'RegisterSource', fields: { url: `https://example.org/cited/${n}`, title: `Cited ${n}` } });
    sources.push(r.id);
  }
  for (const slug of ['alpha', 'beta', 'gamma']) await run({ type: 'CreatePage', slug, fields: { title: slug } });
  await run({ type: 'CiteSource', page: 'alpha', source: sources[0] });
  await run({ type: 'CiteSource', page: 'beta', source: sources[0] });
  await run({ type: 'CiteSource', page: 'alpha', source: sources[1] });
  await run({ type: 'UnciteSource', page: 'alpha', source: sources[0] });
  await run({ type: 'CiteSource', page: 'gamma', source: sources[2] });
  await run({ type: 'CiteSource', page: 'alpha', source: sources[0] }); // cited again: a second span
  await run({ type: 'UpdatePage', page: 'beta', set: { title: 'Beta' } });
  await run({ type: 'MergeSources', from: sources[2], into: sources[1] });
  await run({ type: 'UnciteSource', page: 'beta', source: sources[0] });
  await run({ type: 'CiteSource', page: 'beta', source: sources[1] });
}, 120_000);
afterAll(() => app?.dispose());

it('answers as the page states do at every position of the history', async () => {
  const head = (await app.store.head()).position;
  for (let p = 0; p <= head; p++) {
    expect({ p, citing: await pagesCitingAt(app.db, sources, p) }).toEqual({ p, citing: await fromPageStates(sources, p) });
  }
  // The history is not trivial: alpha's citation of the first source has two spans.
  expect((await spans()).filter((r) => r.startsWith(`(alpha,${sources[0]},`))).toHaveLength(2);
});

it('is filled for an existing log by its migration exactly as the projector writes it', async () => {
  const projected = await spans();
  const migration = readFileSync(path.join(__dirname, '../../migrations/0006_citation_versions.sql'), 'utf8');
  const backfill = migration.slice(migration.indexOf('INSERT INTO citation_versions'));
  await sql`TRUNCATE citation_versions`.execute(app.db);
  await sql.raw(backfill).execute(app.db);
  expect(await spans()).toEqual(projected);
});
