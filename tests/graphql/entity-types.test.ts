import { createTestGateway, type TestGateway } from '../support/gateway';

// Entity types through GraphQL: registered and patched by mutations, read at any position, and an
// entity's completeness against its type as facts and fields arrive.
let g: TestGateway;
let beforeFacts = '';

const head = async () => String((await g.app.store.head()).position);
const completeness = `query($at: String) {
  entity(id: "anthropic", atPosition: $at) { entityType { id name } completeness { missingRequired missingRecommended typeKnown } }
}`;

beforeAll(async () => {
  g = await createTestGateway();
  const c = g.app.commands;
  await c.execute({ type: 'RegisterEntity', fields: { slug: 'anthropic', name: 'Anthropic', type: 'organization' } });
  await c.execute({ type: 'DefineProperty', id: 'revenue', fields: { name: 'Revenue', dataType: 'number', unit: 'USD' } });
  await c.execute({ type: 'DefineProperty', id: 'founded-date', fields: { name: 'Founded', dataType: 'date' } });
});
afterAll(() => g?.dispose());

it('an entity whose type is not defined lacks nothing, and says so', async () => {
  const r = await g.gql(completeness);
  expect(r.errors).toBeUndefined();
  expect(r.data.entity).toEqual({ entityType: null, completeness: { missingRequired: [], missingRecommended: [], typeKnown: false } });
});

it('registers a type; completeness follows the entity’s fields and facts, and an earlier position keeps its answer', async () => {
  const reg = await g.gql(
    `mutation { registerEntityType(input: {
      id: "organization", name: "Organization", required: ["founded-date"], recommended: ["description", "revenue", "website"], records: ["funding-round"]
    }) { entityType { id name required recommended records version } } }`,
  );
  expect(reg.errors).toBeUndefined();
  expect(reg.data.registerEntityType.entityType).toEqual({
    id: 'organization',
    name: 'Organization',
    required: ['founded-date'],
    recommended: ['description', 'revenue', 'website'],
    records: ['funding-round'],
    version: 1,
  });
  beforeFacts = await head();
  const c = g.app.commands;
  await c.execute({ type: 'AssertFact', entity: 'anthropic', property: 'revenue', value: 9e9, asOf: '2025-12' });
  await c.execute({ type: 'UpdateEntity', entity: 'anthropic', set: { description: 'An AI safety company.' } });

  const now = await g.gql(completeness);
  expect(now.data.entity).toEqual({
    entityType: { id: 'organization', name: 'Organization' },
    completeness: { missingRequired: ['founded-date'], missingRecommended: ['website'], typeKnown: true },
  });
  const then = await g.gql(completeness, { at: beforeFacts });
  expect(then.data.entity.completeness.missingRecommended).toEqual(['description', 'revenue', 'website']);

  const list = await g.gql(`{ entityTypes { id } entityType(id: "organization", atPosition: "1") { id } }`);
  expect(list.data).toEqual({ entityTypes: [{ id: 'organization' }], entityType: null });
});

it('patches a type field by field; bad input and unknown types change nothing', async () => {
  const before = await head();
  const bad = [
    `mutation { registerEntityType(input: { id: "Org", name: "X", required: [], recommended: [] }) { position } }`,
    `mutation { registerEntityType(input: { id: "organization", name: "X", required: [], recommended: [] }) { position } }`,
    `mutation { registerEntityType(input: { id: "person", name: "Person", required: ["role"], recommended: ["role"] }) { position } }`,
    `mutation { updateEntityType(input: { id: "nope", set: { name: "N" } }) { position } }`,
    `mutation { updateEntityType(input: { id: "organization", expectedVersion: 7, set: { name: "N" } }) { position } }`,
  ];
  const codes = [];
  for (const m of bad) codes.push((await g.gql(m)).errors?.[0]?.extensions?.code);
  expect(codes).toEqual(['BAD_USER_INPUT', 'CONFLICT', 'BAD_USER_INPUT', 'NOT_FOUND', 'CONFLICT']);
  expect(await head()).toBe(before);

  const up = await g.gql(
    `mutation { updateEntityType(input: { id: "organization", expectedVersion: 1, set: { recommended: ["revenue"] }, unset: ["records"] }) {
      entityType { recommended records version } } }`,
  );
  expect(up.errors).toBeUndefined();
  expect(up.data.updateEntityType.entityType).toEqual({ recommended: ['revenue'], records: [], version: 2 });
  const now = await g.gql(completeness);
  expect(now.data.entity.completeness.missingRecommended).toEqual([]);
});
