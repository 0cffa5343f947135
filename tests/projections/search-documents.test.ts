import { sql } from 'kysely';
import { evolvePage, type PageEvent } from '../../src/domain/page';
import { evolveSource, type SourceEvent } from '../../src/domain/source';
import { searchTextOf, TEXT_UNCHANGED } from '../../src/projections/read-models/search-documents';
import { rebuildReadModels } from '../../src/projections/rebuild';
import { createTestFactlog, type TestFactlog } from '../support/factlog';

/**
 * A search document changes only when its thing's searchable text does (search-documents.ts): events
 * that touch only what no document reads (a page's citations, a source's cached content, the sources
 * merged into it) are skipped without a lookup, live and in a replay alike.
 */

let app: TestFactlog;
const run = (command: Parameters<TestFactlog['commands']['execute']>[0]) => app.commands.execute(command);
/** Whether each of a thing's document versions is open, oldest first. */
const versions = async (kind: string, id: string) =>
  (
    await sql<{ open: boolean }>`
      SELECT tx_to IS NULL AS open FROM search_documents WHERE kind = ${kind} AND id = ${id} ORDER BY tx_from`.execute(app.db)
  ).rows.map((v) => v.open);

beforeAll(async () => {
  app = await createTestFactlog();
});
afterAll(() => app?.dispose());

it('keeps one document through citations, content captures and merges into it; opens a new one when the text changes', async () => {
  const into = (await run({ type: 'RegisterSource', fields: { url: 'https://example.org/search/into', title: 'Kept report' } })).id;
  const from = (await run({ type: 'RegisterSource', fields: { url: 'https://example.org/search/from', title: 'Duplicate report' } })).id;
  await run({ type: 'CreatePage', slug: 'search-page', fields: { title: 'Frontier labs' } });
  await run({ type: 'CiteSource', page: 'search-page', source: into });
  await run({ type: 'CiteSource', page: 'search-page', source: from });
  await run({ type: 'UnciteSource', page: 'search-page', source: from });
  await run({ type: 'CaptureSourceContent', source: into, content: { text: 'The report, in full.' } });
  await run({ type: 'MergeSources', from, into });

  expect(await versions('page', 'search-page')).toEqual([true]);
  expect(await versions('source', into)).toEqual([true]);
  // Merged away: its document is closed, as a thing that can no longer be found keeps none open.
  expect(await versions('source', from)).toEqual([false]);

  await run({ type: 'UpdatePage', page: 'search-page', set: { title: 'Frontier AI labs' } });
  expect(await versions('page', 'search-page')).toEqual([false, true]);

  // A replay of the log writes exactly these rows.
  const rebuilt = await rebuildReadModels(app.db, { dryRun: true, batchSize: 3 });
  expect(rebuilt.tables.find((t) => t.table === 'search_documents')?.equal).toBe(true);
  expect(rebuilt.equal).toBe(true);
});

it('skips only events that leave every document as it was (the domain decides what they change)', () => {
  const page = evolvePage(null, {
    type: 'PageCreated',
    data: { slug: 'p', title: 'Frontier labs', description: 'About labs' },
  } as PageEvent)!;
  const source = evolveSource(null, {
    type: 'SourceRegistered',
    data: { id: 'src1', url: 'https://example.org/r', title: 'Report', summary: 'A summary' },
  } as SourceEvent)!;
  const after: Record<string, () => [unknown, unknown]> = {
    SourceCited: () => [
      searchTextOf({ kind: 'page', state: page }),
      searchTextOf({ kind: 'page', state: evolvePage(page, { type: 'SourceCited', data: { slug: 'p', sourceId: 'src1' } })! }),
    ],
    SourceUncited: () => {
      const cited = evolvePage(page, { type: 'SourceCited', data: { slug: 'p', sourceId: 'src1' } })!;
      return [
        searchTextOf({ kind: 'page', state: cited }),
        searchTextOf({ kind: 'page', state: evolvePage(cited, { type: 'SourceUncited', data: { slug: 'p', sourceId: 'src1' } })! }),
      ];
    },
    SourceContentCaptured: () => [
      searchTextOf({ kind: 'source', state: source }),
      searchTextOf({
        kind: 'source',
        state: evolveSource(source, { type: 'SourceContentCaptured', data: { id: 'src1', text: 'Full text' } } as SourceEvent)!,
      }),
    ],
    SourceMergedFrom: () => [
      searchTextOf({ kind: 'source', state: source }),
      searchTextOf({ kind: 'source', state: evolveSource(source, { type: 'SourceMergedFrom', data: { id: 'src1', from: 'src2' } })! }),
    ],
  };
  expect([...TEXT_UNCHANGED].sort()).toEqual(Object.keys(after).sort());
  for (const type of TEXT_UNCHANGED) {
    const [before, later] = after[type]();
    expect(later).toEqual(before);
  }
});
