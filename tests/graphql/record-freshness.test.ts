import { recordDate } from '../../src/domain/record-schema';
import { createTestGateway, type TestGateway } from '../support/gateway';

// A record schema's cadence: an entity's records of a collection are due stalenessDays after the
// latest record's date, like a property's fact series (docs/domain.md, "Freshness").
let g: TestGateway;
const Q = `query($asOf: PartialDate, $c: String!) { entity(id: "acme") { recordFreshness(collection: $c, asOf: $asOf) { since everyDays dueAt overdue overdueDays } } }`;

beforeAll(async () => {
  g = await createTestGateway();
  const c = g.app.commands;
  await c.execute({ type: 'RegisterEntity', fields: { slug: 'acme', name: 'Acme', type: 'organization' } });
  await c.execute({
    type: 'RegisterRecordSchema',
    id: 'funding-round',
    fields: {
      name: 'Funding Round',
      collectionName: 'funding-rounds',
      endpoints: { company: { types: ['organization'], implicit: true } },
      fields: { name: { type: 'text' }, date: { type: 'date' }, raised: { type: 'number' } },
    },
  });
  await c.execute({
    type: 'CreateRecord',
    entity: 'acme',
    collection: 'funding-rounds',
    key: 'seed',
    fields: { name: 'Seed', date: '2023-03' },
  });
  await c.execute({
    type: 'CreateRecord',
    entity: 'acme',
    collection: 'funding-rounds',
    key: 'a',
    fields: { name: 'Series A', date: '2024-06' },
  });
  await c.execute({ type: 'CreateRecord', entity: 'acme', collection: 'funding-rounds', key: 'x', fields: { name: 'Undated' } });
});
afterAll(() => g?.dispose());

it('a record counts from its valid-time start, else its first date field that holds a value', () => {
  const schema = {
    name: 'S',
    collectionName: 's',
    endpoints: {},
    fields: { at: { type: 'date' as const }, from: { type: 'date' as const } },
    validFrom: 'from',
  };
  expect(recordDate(schema, { at: '2020', from: '2021' })).toBe('2021');
  expect(recordDate(schema, { at: '2020' })).toBe('2020');
  expect(recordDate(schema, { name: 'x' })).toBeNull();
});

it('is null until the schema has a cadence, then counts from the latest record', async () => {
  const none = await g.gql(Q, { c: 'funding-rounds' });
  expect(none.errors).toBeUndefined();
  expect(none.data.entity.recordFreshness).toBeNull();

  const set = await g.gql(
    `mutation { updateRecordSchema(input: { id: "funding-round", set: { stalenessDays: 365 } }) { recordSchema { stalenessDays } } }`,
  );
  expect(set.data.updateRecordSchema.recordSchema).toEqual({ stalenessDays: 365 });
  const inTime = await g.gql(Q, { c: 'funding-rounds', asOf: '2025-01' });
  const f = inTime.data.entity.recordFreshness;
  // Due 365 days after 2024-06-01; seen at the end of January 2025 (asOf is the end of its period).
  expect(new Date(f.dueAt).toISOString()).toBe('2025-06-01T00:00:00.000Z');
  expect({ ...f, dueAt: undefined }).toEqual({ since: '2024-06', everyDays: 365, dueAt: undefined, overdue: false, overdueDays: -121 });
  const late = await g.gql(Q, { c: 'funding-rounds', asOf: '2026' });
  expect(late.data.entity.recordFreshness).toMatchObject({ since: '2024-06', overdue: true });
});

it('an unknown collection is NOT_FOUND', async () => {
  const r = await g.gql(Q, { c: 'funding-round' });
  expect(r.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
});
