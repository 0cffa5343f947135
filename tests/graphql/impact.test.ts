import { createTestGateway, type TestGateway } from '../support/gateway';

// source.impact: what leans on a source, and what would change if it were retracted or discredited,
// computed without writing anything.
let g: TestGateway;
let beforeLater = '';
const A = 'https://example.org/a';
const B = 'https://example.org/b';
const C = 'https://example.org/c';

const head = async () => String((await g.app.store.head()).position);
const impact = (args: string) => `{
  source(id: "${A}") {
    impact${args ? `(${args})` : ''} {
      hypothesis factsLosingSupport
      facts { fact { id } onlySupport keepsSupport }
      records { record { key } fields }
      pages { page { slug } citesSource shows { slug } }
      valueChanges { entity { slug } property { id } before { id } after { id } conflictsAfter { id } }
    }
  }
}`;

beforeAll(async () => {
  g = await createTestGateway();
  const c = g.app.commands;
  await c.execute({ type: 'RegisterPublication', id: 'good', fields: { name: 'Good', credibility: 4 } });
  await c.execute({ type: 'RegisterPublication', id: 'weak', fields: { name: 'Weak', credibility: 2 } });
  await c.execute({ type: 'RegisterSource', fields: { url: A, title: 'A', publicationId: 'good' } });
  await c.execute({ type: 'RegisterSource', fields: { url: B, title: 'B', publicationId: 'weak' } });
  await c.execute({ type: 'RegisterSource', fields: { url: C, title: 'C', publicationId: 'good' } });
  await c.execute({ type: 'RegisterEntity', fields: { slug: 'acme', name: 'Acme', type: 'organization' } });
  await c.execute({ type: 'DefineProperty', id: 'revenue', fields: { name: 'Revenue', dataType: 'number', temporal: true } });
  await c.execute({
    type: 'CreatePage',
    slug: 'acme',
    fields: { title: 'Acme', entityId: (await g.gql(`{ entity(id: "acme") { id } }`)).data.entity.id },
  });
  await c.execute({ type: 'CreatePage', slug: 'revenues', fields: { title: 'Revenues' } });
  await c.execute({ type: 'CiteSource', page: 'revenues', source: A });
  await c.execute({
    type: 'AssertFact',
    id: 'f_2023',
    entity: 'acme',
    property: 'revenue',
    value: 1,
    asOf: '2023',
    citations: [{ source: C }],
  });
  await c.execute({
    type: 'AssertFact',
    id: 'f_2024',
    entity: 'acme',
    property: 'revenue',
    value: 2,
    asOf: '2024',
    citations: [{ source: A }],
  });
  beforeLater = await head();
  await c.execute({
    type: 'AssertFact',
    id: 'f_2025',
    entity: 'acme',
    property: 'revenue',
    value: 3,
    asOf: '2025',
    citations: [{ source: A }, { source: B }],
  });
  await c.execute({
    type: 'RegisterRecordSchema',
    id: 'grant',
    fields: {
      name: 'Grant',
      collectionName: 'grants',
      endpoints: { funder: { types: ['organization'], implicit: true } },
      fields: { amount: { type: 'number' }, source: { type: 'text' } },
    },
  });
  await c.execute({ type: 'CreateRecord', entity: 'acme', collection: 'grants', key: 'g1', fields: { amount: 5, source: A } });
});
afterAll(() => g?.dispose());

it('lists the facts, record fields and pages that lean on the source, and changes nothing', async () => {
  const before = await head();
  const r = await g.gql(impact(''));
  expect(r.errors).toBeUndefined();
  expect(r.data.source.impact).toEqual({
    hypothesis: 'none',
    factsLosingSupport: 0,
    facts: [
      { fact: { id: 'f_2024' }, onlySupport: true, keepsSupport: true },
      { fact: { id: 'f_2025' }, onlySupport: false, keepsSupport: true },
    ],
    records: [{ record: { key: 'g1' }, fields: ['source'] }],
    pages: [
      { page: { slug: 'revenues' }, citesSource: true, shows: [] },
      { page: { slug: 'acme' }, citesSource: false, shows: [{ slug: 'acme' }] },
    ],
    valueChanges: [],
  });
  expect(await head()).toBe(before);
});

it('if retracted: the value as of a time that rested on it alone falls back to the next fact', async () => {
  const now = await g.gql(impact('ifRetracted: true'));
  expect(now.data.source.impact.factsLosingSupport).toBe(1);
  // Now the 2025 fact is the value and it also cites B: nothing changes.
  expect(now.data.source.impact.valueChanges).toEqual([]);
  const mid2024 = await g.gql(impact('ifRetracted: true, asOf: "2024-06"'));
  expect(mid2024.data.source.impact.valueChanges).toEqual([
    { entity: { slug: 'acme' }, property: { id: 'revenue' }, before: { id: 'f_2024' }, after: { id: 'f_2023' }, conflictsAfter: [] },
  ]);
});

it('if discredited below a rating: a fact keeps support only through a source rated that or more', async () => {
  const below3 = await g.gql(impact('ifCredibilityBelow: 3'));
  // B is rated 2: the 2025 fact loses its support too, and the value now falls back to 2023.
  expect(below3.data.source.impact.factsLosingSupport).toBe(2);
  expect(below3.data.source.impact.valueChanges).toEqual([
    { entity: { slug: 'acme' }, property: { id: 'revenue' }, before: { id: 'f_2025' }, after: { id: 'f_2023' }, conflictsAfter: [] },
  ]);
  const below2 = await g.gql(impact('ifCredibilityBelow: 2'));
  expect(below2.data.source.impact.factsLosingSupport).toBe(1);
  expect(below2.data.source.impact.valueChanges).toEqual([]);
});

it('answers at an earlier position with what leaned on the source then', async () => {
  const r = await g.gql(impact(`atPosition: "${beforeLater}", ifRetracted: true`));
  expect(r.errors).toBeUndefined();
  expect(r.data.source.impact.facts).toEqual([{ fact: { id: 'f_2024' }, onlySupport: true, keepsSupport: false }]);
  expect(r.data.source.impact.records).toEqual([]);
  // Then the 2024 fact was the value now, and without it the 2023 one.
  expect(r.data.source.impact.valueChanges).toMatchObject([{ before: { id: 'f_2024' }, after: { id: 'f_2023' } }]);
});

it('refuses both hypotheses at once and a rating off the scale', async () => {
  for (const args of ['ifRetracted: true, ifCredibilityBelow: 3', 'ifCredibilityBelow: 9', 'atPosition: "999999"']) {
    const r = await g.gql(impact(args));
    expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  }
});
