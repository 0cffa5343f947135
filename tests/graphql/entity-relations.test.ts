import { clearThingCache } from '../../src/graphql/thing-cache';
import { createTestGateway, type TestGateway } from '../support/gateway';

// Entity relations through GraphQL: both directions, at an earlier atPosition, filtered, batched,
// and the mutations' refusals, which append nothing.
let g: TestGateway;
const ids: Record<string, string> = {};
let beforeUnrelate = '';
let beforeLateRelation = '';

const head = async () => (await g.app.store.head()).position;

beforeAll(async () => {
  g = await createTestGateway();
  // Fixed ids, so that the entities list in this order: the first two have relations and incoming
  // facts, and a page of two pays for every level of the statement-count test below.
  for (const [slug, type, id] of [
    ['anthropic', 'organization', 'A000000001'],
    ['dario-amodei', 'person', 'A000000002'],
    ['claude', 'ai-model', 'A000000003'],
    ['openai', 'organization', 'A000000004'],
  ] as const) {
    const r = await g.gql(
      `mutation($id: ID!, $slug: String!, $type: String!) { registerEntity(input: { id: $id, slug: $slug, name: $slug, type: $type }) { entity { id } } }`,
      { id, slug, type },
    );
    ids[slug] = r.data.registerEntity.entity.id;
  }
  const relate = async (from: string, to: string, relationship?: string, targetType?: string) => {
    const r = await g.gql(
      `mutation($from: ID!, $to: ID!, $rel: String, $tt: String) {
        relateEntities(input: { from: $from, to: $to, relationship: $rel, targetType: $tt }) { entity { slug } position } }`,
      { from, to, rel: relationship, tt: targetType },
    );
    expect(r.errors).toBeUndefined();
  };
  await relate('claude', 'anthropic', 'created-by', 'organization');
  await relate('anthropic', 'dario-amodei', 'leads-to', 'person');
  await relate('anthropic', 'openai', undefined, 'organization');
  beforeUnrelate = String(await head());
  const un = await g.gql(`mutation { unrelateEntities(input: { from: "anthropic", to: "openai" }) { position } }`);
  expect(un.errors).toBeUndefined();
  beforeLateRelation = String(await head());
  await relate('openai', 'anthropic', 'related');

  const c = g.app.commands;
  await c.execute({
    type: 'DefineProperty',
    id: 'employed-by',
    fields: { name: 'Employed by', dataType: 'ref', inverseId: 'employer-of' },
  });
  await c.execute({ type: 'DefineProperty', id: 'founded-by', fields: { name: 'Founded by', dataType: 'refs' } });
  beforeFacts = String(await head());
  await c.execute({
    type: 'AssertFact',
    id: 'f_dario_job',
    entity: 'dario-amodei',
    property: 'employed-by',
    value: ids.anthropic,
    asOf: '2021',
  });
  await c.execute({ type: 'AssertFact', id: 'f_founders', entity: 'anthropic', property: 'founded-by', value: [ids['dario-amodei']] });
}, 120_000);
let beforeFacts = '';
afterAll(() => g.dispose());

const RELATIONS = `query($id: ID!, $at: String, $dir: RelationDirection, $rel: String) {
  entity(id: $id, atPosition: $at) {
    slug
    relations(direction: $dir, relationship: $rel) {
      totalCount
      nodes { direction relationship targetType unresolvedSlug entity { id slug name } }
    }
  }
}`;

const relations = async (id: string, vars: Record<string, unknown> = {}) => {
  const r = await g.gql(RELATIONS, { id, ...vars });
  expect(r.errors).toBeUndefined();
  return r.data.entity.relations.nodes.map((n: any) => `${n.direction} ${n.relationship ?? '-'} ${n.entity?.slug ?? n.unresolvedSlug}`);
};

it('reads relations in both directions at the head, outgoing first', async () => {
  expect(await relations('anthropic')).toEqual(['OUTGOING leads-to dario-amodei', 'INCOMING created-by claude', 'INCOMING related openai']);
  expect(await relations('claude')).toEqual(['OUTGOING created-by anthropic']);
  expect(await relations('anthropic', { dir: 'INCOMING', rel: 'created-by' })).toEqual(['INCOMING created-by claude']);
  expect(await relations('anthropic', { dir: 'OUTGOING' })).toEqual(['OUTGOING leads-to dario-amodei']);
  const r = await g.gql(RELATIONS, { id: 'claude' });
  expect(r.data.entity.relations.nodes[0]).toEqual({
    direction: 'OUTGOING',
    relationship: 'created-by',
    targetType: 'organization',
    unresolvedSlug: null,
    entity: { id: ids.anthropic, slug: 'anthropic', name: 'anthropic' },
  });
});

it('answers at an earlier atPosition: a later relation is absent, an unrelated one is present before its removal', async () => {
  expect(await relations('anthropic', { at: beforeUnrelate })).toEqual([
    'OUTGOING leads-to dario-amodei',
    'OUTGOING - openai',
    'INCOMING created-by claude',
  ]);
  expect(await relations('openai', { at: beforeUnrelate })).toEqual(['INCOMING - anthropic']);
  expect(await relations('openai', { at: beforeLateRelation })).toEqual([]);
  expect(await relations('openai')).toEqual(['OUTGOING related anthropic']);
});

it('the new entity fields are set, read and unset through the API', async () => {
  const set = await g.gql(`mutation {
    updateEntity(input: { id: "anthropic", set: {
      description: "An AI safety company.", tags: ["ai-safety", "rlhf"], website: "https://anthropic.com",
      lastUpdated: "2025-12", summaryPage: "labs-overview",
      sources: [{ title: "Core Views", url: "https://anthropic.com/news/core-views-on-ai-safety", date: "2023" }],
      customFields: [{ label: "Safety Relevance", value: "Very High" }] } }) {
      entity { description tags website lastUpdated summaryPage sources { title url author date } customFields { label value link } }
    }
  }`);
  expect(set.errors).toBeUndefined();
  expect(set.data.updateEntity.entity).toEqual({
    description: 'An AI safety company.',
    tags: ['ai-safety', 'rlhf'],
    website: 'https://anthropic.com',
    lastUpdated: '2025-12',
    summaryPage: 'labs-overview',
    sources: [{ title: 'Core Views', url: 'https://anthropic.com/news/core-views-on-ai-safety', author: null, date: '2023' }],
    customFields: [{ label: 'Safety Relevance', value: 'Very High', link: null }],
  });
  const unset = await g.gql(
    `mutation { updateEntity(input: { id: "anthropic", unset: ["website", "tags"] }) { entity { website tags } } }`,
  );
  expect(unset.data.updateEntity.entity).toEqual({ website: null, tags: [] });
  const bad = await g.gql(`mutation { updateEntity(input: { id: "anthropic", set: { website: "anthropic.com" } }) { position } }`);
  expect(bad.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
});

describe('refusals append nothing', () => {
  const expectRefused = async (mutation: string, code: string, field?: string) => {
    const before = await head();
    const r = await g.gql(mutation);
    expect(r.errors?.[0].extensions).toMatchObject({ code, ...(field ? { field } : {}) });
    expect(await head()).toBe(before);
  };

  it('relating to an unknown entity is NOT_FOUND', () =>
    expectRefused(`mutation { relateEntities(input: { from: "anthropic", to: "no-such-entity" }) { position } }`, 'NOT_FOUND'));
  it('relating an unknown entity is NOT_FOUND', () =>
    expectRefused(`mutation { relateEntities(input: { from: "no-such-entity", to: "anthropic" }) { position } }`, 'NOT_FOUND'));
  it('a relationship that is not kebab-case is BAD_USER_INPUT', () =>
    expectRefused(
      `mutation { relateEntities(input: { from: "claude", to: "openai", relationship: "Created By" }) { position } }`,
      'BAD_USER_INPUT',
      'relationship',
    ));
  it('unrelating what is not related is BAD_USER_INPUT', () =>
    expectRefused(`mutation { unrelateEntities(input: { from: "claude", to: "openai" }) { position } }`, 'BAD_USER_INPUT', 'target'));
  it('relating the same pair and relationship again appends nothing', async () => {
    const before = await head();
    const r = await g.gql(
      `mutation { relateEntities(input: { from: "claude", to: "anthropic", relationship: "created-by", targetType: "organization" }) { position } }`,
    );
    expect(r.errors).toBeUndefined();
    expect(await head()).toBe(before);
  });
});

it('incomingFacts answers a reference from the referenced side, at the pins', async () => {
  const INCOMING = `query($id: ID!, $p: ID, $at: String) {
    entity(id: $id, atPosition: $at) { incomingFacts(property: $p) { totalCount nodes { id entity { slug } property { id } } } }
  }`;
  const works = await g.gql(INCOMING, { id: 'anthropic', p: 'employed-by' });
  expect(works.errors).toBeUndefined();
  expect(works.data.entity.incomingFacts.nodes).toEqual([
    { id: 'f_dario_job', entity: { slug: 'dario-amodei' }, property: { id: 'employed-by' } },
  ]);
  const founded = await g.gql(INCOMING, { id: 'dario-amodei' });
  expect(founded.data.entity.incomingFacts.nodes.map((n: any) => n.id)).toEqual(['f_founders']);
  const earlier = await g.gql(INCOMING, { id: 'anthropic', at: beforeFacts });
  expect(earlier.data.entity.incomingFacts.totalCount).toBe(0);
  const unknown = await g.gql(INCOMING, { id: 'anthropic', p: 'employd-by' });
  expect(unknown.errors?.[0].extensions).toMatchObject({ code: 'NOT_FOUND' });
});

it('relations of many entities with their other ends cost the same statements as of a few', async () => {
  const QUERY = `query($n: Int) { entities(first: $n) { nodes { slug relations { nodes { relationship entity { slug name } } } incomingFacts { nodes { id entity { name } } } } } }`;
  clearThingCache(g.app.db);
  const two = await g.counted(QUERY, { n: 2 });
  clearThingCache(g.app.db);
  const all = await g.counted(QUERY, { n: 4 });
  expect(two.result.errors).toBeUndefined();
  expect(all.result.data.entities.nodes).toHaveLength(4);
  // The other ends of relations and of incoming facts are both entity loads at one position: whether
  // they land in one batch or two depends on which of their parents' statements returns first, so a
  // page may pay one statement more than another; one more per entity would be an N+1.
  expect(all.statements).toBeLessThanOrEqual(two.statements + 1);
  expect(Math.max(two.statements, all.statements)).toBeLessThanOrEqual(6);
});
