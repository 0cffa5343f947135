import { importLongtermWiki } from '../../src/importers/longterm-wiki';
import { SEARCH_EXAMPLE_QUERY } from '../../src/playground/example-query';
import { compareReadModels, withReplay } from '../../src/projections/audit';
import { COUNT_LIMIT, searchAt, searchStatement } from '../../src/projections/queries/search';
import { DATA_DIR } from '../importers/longterm-wiki-support';
import { createTestGateway, type TestGateway } from '../support/gateway';

/**
 * A reader's session with search on the real data set (docs/api.md, "Search"): a name, a misspelling,
 * an alias, words of a source's summary, a page title, a prefix as typed, and time travel.
 */

const SEARCH = `query S($query: String!, $kinds: [SearchKind!], $first: Int, $after: String, $atPosition: String) {
  search(query: $query, kinds: $kinds, first: $first, after: $after, atPosition: $atPosition) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      kind id title snippet score
      node {
        __typename
        ... on Entity { id name }
        ... on Source { id title }
        ... on Page { slug pageTitle: title }
        ... on Fact { id }
        ... on EntityRecord { id }
      }
    }
  }
}`;

interface Hit {
  kind: string;
  id: string;
  title: string;
  snippet: string;
  score: number;
  node: { __typename: string; id?: string; name?: string; slug?: string; title?: string } | null;
}
interface SearchData {
  search: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: Hit[] };
}

let g: TestGateway;
beforeAll(async () => {
  g = await createTestGateway();
  await importLongtermWiki(g.app, DATA_DIR, { actor: 'test', reason: 'search test' });
}, 900_000);
afterAll(() => g?.dispose());

const search = async (vars: Record<string, unknown>) => {
  const r = await g.gql<SearchData>(SEARCH, vars);
  expect(r.errors).toBeUndefined();
  return r.data!.search;
};

const ANTHROPIC = 'mK9pX3rQ7n';
const CONJECTURE = '0u4J70VqFY';
const NOBEL_SOURCE = 'c29029f842f73623';

const top = async (query: string, vars: Record<string, unknown> = {}) => (await search({ query, first: 5, ...vars })).nodes;

it('finds Anthropic first when a reader types its name, its numeric id or a prefix of it, and marks the match', async () => {
  const [first, second] = await top('Anthropic');
  expect(first).toMatchObject({
    kind: 'ENTITY',
    id: ANTHROPIC,
    title: 'Anthropic',
    node: { __typename: 'Entity', id: ANTHROPIC, name: 'Anthropic' },
  });
  expect(first.snippet).toContain('«Anthropic»');
  // The page about it comes next: an exact title, but not an entity's name.
  expect(second).toMatchObject({ kind: 'PAGE', id: 'anthropic', node: { __typename: 'Page', slug: 'anthropic' } });
  expect((await top('E22'))[0]).toMatchObject({ kind: 'ENTITY', id: ANTHROPIC });
  for (const typed of ['Anthr', 'anthrop', 'ANTHROPIC ']) expect((await top(typed))[0]).toMatchObject({ kind: 'ENTITY', id: ANTHROPIC });
});

it('tolerates a misspelling: "Antropic" finds Anthropic', async () => {
  const hits = await top('Antropic');
  expect(hits[0]).toMatchObject({ kind: 'ENTITY', id: ANTHROPIC });
  expect(hits[0].score).toBeGreaterThan(0.6);
});

it('answers the playground’s search tab', async () => {
  const r = await g.gql<{ search: { nodes: { kind: string; id: string; snippet: string; node: { name?: string } }[] } }>(
    SEARCH_EXAMPLE_QUERY,
  );
  expect(r.errors).toBeUndefined();
  expect(r.data!.search.nodes[0]).toMatchObject({ kind: 'ENTITY', id: ANTHROPIC, node: { name: 'Anthropic' } });
});

it('finds an entity by its alias', async () => {
  // things/conjecture.yaml: aliases: [Conjecture AI]
  const [first] = await top('Conjecture AI');
  expect(first).toMatchObject({ kind: 'ENTITY', id: CONJECTURE, title: 'Conjecture', node: { name: 'Conjecture' } });
  expect(first.score).toBeGreaterThanOrEqual(100);
});

it('finds a source by words of its summary, stemmed ("structures" finds "structure")', async () => {
  const [first] = await top('AlphaFold protein structures Nobel');
  expect(first).toMatchObject({ kind: 'SOURCE', id: NOBEL_SOURCE, node: { __typename: 'Source', id: NOBEL_SOURCE } });
  expect(first.snippet).toMatch(/«Nobel»/);
  const sourcesOnly = await top('AlphaFold protein structures Nobel', { kinds: ['SOURCE'] });
  expect(sourcesOnly.every((h) => h.kind === 'SOURCE')).toBe(true);
});

it('finds a page by its title, and kinds narrow the search to pages', async () => {
  const all = await top('Anthropic Valuation Analysis');
  expect(all.slice(0, 2).map((h) => [h.kind, h.id])).toContainEqual(['PAGE', 'anthropic-valuation']);
  const pages = await top('Anthropic Valuation Analysis', { kinds: ['PAGE'] });
  expect(pages[0]).toMatchObject({ kind: 'PAGE', id: 'anthropic-valuation', title: 'Anthropic Valuation Analysis' });
  expect(pages.every((h) => h.kind === 'PAGE' && h.node?.__typename === 'Page')).toBe(true);
});

it('pages through the hits with cursors, the count staying the same, in a constant number of statements', async () => {
  const one = await search({ query: 'interpretability', first: 3 });
  expect(one.totalCount).toBeGreaterThan(6);
  expect(one.pageInfo.hasNextPage).toBe(true);
  const two = await search({ query: 'interpretability', first: 3, after: one.pageInfo.endCursor });
  expect(two.totalCount).toBe(one.totalCount);
  const ids = [...one.nodes, ...two.nodes].map((h) => `${h.kind}:${h.id}`);
  expect(new Set(ids).size).toBe(6);
  expect(two.nodes[0].score).toBeLessThanOrEqual(one.nodes[2].score);
  const few = await g.counted(SEARCH, { query: 'interpretability', first: 3 });
  const many = await g.counted(SEARCH, { query: 'interpretability', first: 50 });
  expect(many.result.errors).toBeUndefined();
  // One search, then one loader statement per kind of node at most: never one per hit.
  expect(many.statements).toBeLessThanOrEqual(few.statements + 5);
  expect(many.statements).toBeLessThan(12);
});

it('counts up to its limit and says when totalCount is only a lower bound', async () => {
  // "AI" is in thousands of the wiki's titles and summaries: counting them all is what the limit saves.
  const broad = await g.gql<{ search: { totalCount: number; totalCountExact: boolean; nodes: Hit[] } }>(
    `{ search(query: "AI", first: 3) { totalCount totalCountExact nodes { kind id title score } } }`,
  );
  expect(broad.errors).toBeUndefined();
  expect(broad.data!.search).toMatchObject({ totalCount: COUNT_LIMIT, totalCountExact: false });
  expect(broad.data!.search.nodes).toHaveLength(3);
  const narrow = await g.gql<{ search: { totalCount: number; totalCountExact: boolean } }>(
    `{ search(query: "interpretability") { totalCount totalCountExact } }`,
  );
  expect(narrow.data!.search.totalCountExact).toBe(true);
  expect(narrow.data!.search.totalCount).toBeLessThan(COUNT_LIMIT);
});

it('ranks names and titles before bodies, and reads the bodies only when the names leave the page short', async () => {
  const position = (await g.app.store.head()).position;
  const at = (first: number, limits = { pool: 3, count: 4 }) =>
    searchAt(g.app.db, { query: 'Anthropic', position, first, offset: 0, limits });
  // Three candidates per tier at most: the two names tiers (entities and pages; the rest) and the bodies.
  const all = await at(20);
  expect(all.hits).toHaveLength(9);
  expect(all.hasNextPage).toBe(false);
  expect(all).toMatchObject({ totalCount: 4, totalCountExact: false });
  const inNames = all.hits.filter((h) => h.score >= 10);
  expect(inNames).toHaveLength(6);
  expect(all.hits.slice(0, 6)).toEqual(inNames);
  // A page the names fill has no body hit: the body tier was not needed.
  const few = await at(2);
  expect(few.hits.every((h) => h.score >= 10)).toBe(true);
  expect(few.hasNextPage).toBe(true);
  // Without the limits, the count is every hit.
  const whole = await at(1, { pool: 100_000, count: 100_000 });
  expect(whole.totalCountExact).toBe(true);
  expect(whole.totalCount).toBeGreaterThan(4);
});

it('leaves the planner statistics after the import, so a search probes its indexes instead of reading every document', async () => {
  const position = (await g.app.store.head()).position;
  const compiled = searchStatement({ query: 'Anthropic', position, first: 10, offset: 0 }).compile(g.app.db);
  const { rows } = await g.app.database.pool.query(`EXPLAIN ${compiled.sql}`, [...compiled.parameters]);
  const plan = rows.map((r: { 'QUERY PLAN': string }) => r['QUERY PLAN']).join('\n');
  expect(plan).toContain('search_documents_names_named_first_idx');
});

it('does not find at a position what was added after it', async () => {
  const before = (await g.app.store.head()).position;
  const added = await g.gql(
    `mutation { registerEntity(input: { slug: "zyxquorp-labs", name: "Zyxquorp Labs", type: "organization", description: "A lab that studies quasar cartography." }) { entity { id } } }`,
  );
  expect(added.errors).toBeUndefined();
  const id = (added.data as { registerEntity: { entity: { id: string } } }).registerEntity.entity.id;
  expect((await top('Zyxquorp'))[0]).toMatchObject({ kind: 'ENTITY', id, title: 'Zyxquorp Labs' });
  expect((await top('quasar cartography'))[0]).toMatchObject({ kind: 'ENTITY', id });
  const then = await search({ query: 'Zyxquorp', atPosition: String(before) });
  expect(then.totalCount).toBe(0);
  expect(then.nodes).toEqual([]);
  // Misspelled, at that position: the trigram fallback keeps to the position too.
  expect((await search({ query: 'Zyxquorb', atPosition: String(before) })).nodes).toEqual([]);
  expect((await top('Zyxquorb'))[0]).toMatchObject({ id });
});

it('refuses an empty, blank, wordless or over-long query with BAD_USER_INPUT', async () => {
  for (const query of ['', '   ', '?!…', 'a'.repeat(201)]) {
    const r = await g.gql(SEARCH, { query });
    expect(r.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(r.errors?.[0].message).toMatch(/^query: /);
  }
});

it('keeps the documents a replay of the log would write (audit replay compares them)', async () => {
  const tables = await withReplay(g.app.db, {}, (trx, r) => compareReadModels(trx, r.scratchSchema, r.liveSchema));
  const documents = tables.find((t) => t.table === 'search_documents')!;
  expect(documents.live.rows).toBeGreaterThan(5_000);
  expect({ equal: documents.equal, onlyLive: documents.onlyLive, onlyReplayed: documents.onlyReplayed }).toEqual({
    equal: true,
    onlyLive: [],
    onlyReplayed: [],
  });
}, 600_000);
