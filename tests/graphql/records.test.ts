import { clearThingCache } from '../../src/graphql/thing-cache';
import { createTestGateway, type TestGateway } from '../support/gateway';

// Records through GraphQL: schemas as data, records created, patched and removed by mutations,
// read at any position and valid time, endpoints resolved to entities, and no N+1.
let g: TestGateway;

const EQUITY = `mutation {
  registerRecordSchema(input: {
    id: "equity-position", name: "Equity Position", collectionName: "equity-positions", temporal: true,
    endpoints: { holder: { types: ["person", "organization"], required: true, allowDisplayName: true }, company: { types: ["organization"], implicit: true } },
    fields: { stake: { type: "number" }, since: { type: "date" }, until: { type: "date" }, source: { type: "text" } },
    validFrom: "since", validTo: "until"
  }) { recordSchema { id collectionName temporal endpoints { name implicit allowDisplayName } fields { name type required } } }
}`;

const RECORDS = `query($at: String, $asOf: PartialDate, $c: String) {
  entity(id: "acme") {
    records(collection: $c, atPosition: $at, asOf: $asOf) {
      totalCount
      nodes { key collection values validFrom validTo fields { name type value entity { slug } }
              endpoints { name implicit displayName entity { id slug name } } }
    }
  }
}`;

const headPosition = async () => (await g.gql('{ entities(first: 1) { totalCount } }')).extensions!.basis!.position as string;

beforeAll(async () => {
  g = await createTestGateway();
  const c = g.app.commands;
  await c.execute({ type: 'RegisterEntity', id: 'acmeAcme01', fields: { slug: 'acme', name: 'Acme', type: 'organization' } });
  await c.execute({ type: 'RegisterEntity', id: 'adaLovel01', fields: { slug: 'ada', name: 'Ada', type: 'person' } });
  const r = await g.gql(EQUITY);
  expect(r.errors).toBeUndefined();
});
afterAll(() => g.dispose());

it('serves record schemas with their endpoints, typed fields and temporal flag', async () => {
  const r = await g.gql(
    '{ recordSchemas { id collectionName temporal validFrom fields { name type } } recordSchema(id: "equity-position") { name } }',
  );
  expect(r.errors).toBeUndefined();
  expect(r.data.recordSchemas).toEqual([
    {
      id: 'equity-position',
      collectionName: 'equity-positions',
      temporal: true,
      validFrom: 'since',
      fields: [
        { name: 'since', type: 'date' },
        { name: 'source', type: 'text' },
        { name: 'stake', type: 'number' },
        { name: 'until', type: 'date' },
      ],
    },
  ]);
  expect(r.data.recordSchema).toEqual({ name: 'Equity Position' });
});

it('creates, patches and removes a record; each version reads at its position', async () => {
  const created = await g.gql(`mutation {
    createRecord(input: { entity: "acme", collection: "equity-positions", key: "ada", fields: { holder: "ada", stake: [0.015, 0.025], since: "2021-01" } }) {
      position record { id key values endpoints { name implicit entity { slug } } }
    }
  }`);
  expect(created.errors).toBeUndefined();
  expect(created.data.createRecord.record).toEqual({
    id: 'acmeAcme01:equity-positions:ada',
    key: 'ada',
    values: { holder: { entityId: 'adaLovel01' }, stake: [0.015, 0.025], since: '2021-01' },
    endpoints: [
      { name: 'company', implicit: true, entity: { slug: 'acme' } },
      { name: 'holder', implicit: false, entity: { slug: 'ada' } },
    ],
  });
  const afterCreate = created.data.createRecord.position as string;

  const pool = await g.gql(`mutation {
    createRecord(input: { entity: "acme", collection: "equity-positions", key: "pool", fields: { holder: { displayName: "Employee pool" }, stake: 0.1 } }) { position }
  }`);
  expect(pool.errors).toBeUndefined();

  const patched = await g.gql(`mutation {
    updateRecord(input: { entity: "acme", collection: "equity-positions", key: "ada", set: { stake: 0.02, until: "2025-06" }, unset: ["since"] }) {
      position record { values validFrom validTo version }
    }
  }`);
  expect(patched.errors).toBeUndefined();
  expect(patched.data.updateRecord.record).toEqual({
    values: { holder: { entityId: 'adaLovel01' }, stake: 0.02, until: '2025-06' },
    validFrom: null,
    validTo: '2025-06',
    version: 2,
  });
  const afterPatch = patched.data.updateRecord.position as string;

  const removed = await g.gql(
    `mutation { removeRecord(input: { entity: "acme", collection: "equity-positions", key: "pool" }) { position record { key } } }`,
  );
  expect(removed.errors).toBeUndefined();
  expect(removed.data.removeRecord.record).toBeNull();

  clearThingCache(g.app.db);
  const now = await g.gql(RECORDS, {});
  expect(now.errors).toBeUndefined();
  expect(now.data.entity.records.nodes.map((n: { key: string }) => n.key)).toEqual(['ada']);
  expect(now.data.entity.records.nodes[0].values.stake).toBe(0.02);
  expect(now.data.entity.records.nodes[0].fields).toEqual([
    { name: 'stake', type: 'number', value: 0.02, entity: null },
    { name: 'until', type: 'date', value: '2025-06', entity: null },
  ]);

  // Before the patch: the old stake; the pool record is present before its removal.
  const before = await g.gql(RECORDS, { at: String(Number(afterPatch) - 1) });
  expect(before.errors).toBeUndefined();
  const keys = before.data.entity.records.nodes.map((n: { key: string; values: { stake: unknown } }) => [n.key, n.values.stake]);
  expect(keys).toEqual([
    ['ada', [0.015, 0.025]],
    ['pool', 0.1],
  ]);
  const pool0 = before.data.entity.records.nodes[1];
  expect(pool0.endpoints).toEqual([
    { name: 'company', implicit: true, displayName: null, entity: { id: 'acmeAcme01', slug: 'acme', name: 'Acme' } },
    { name: 'holder', implicit: false, displayName: 'Employee pool', entity: null },
  ]);
  const first = await g.gql(RECORDS, { at: afterCreate });
  expect(first.data.entity.records.nodes.map((n: { key: string }) => n.key)).toEqual(['ada']);
  expect(first.data.entity.records.nodes[0].validFrom).toBe('2021-01');
});

it('filters temporal records by valid time with asOf', async () => {
  const held = async (asOf: string) => (await g.gql(RECORDS, { asOf })).data.entity.records.totalCount as number;
  expect(await held('2024')).toBe(1);
  expect(await held('2025-05')).toBe(1);
  // The record ends with June 2025: as of July it no longer holds.
  expect(await held('2025-07')).toBe(0);
});

it('refuses bad input with a code and the field, and appends nothing', async () => {
  const head = await headPosition();
  const cases: [string, string, string][] = [
    [
      `createRecord(input: { entity: "acme", collection: "equity-positions", key: "x", fields: { holder: "ada", shares: 1 } })`,
      'BAD_USER_INPUT',
      'shares',
    ],
    [
      `createRecord(input: { entity: "acme", collection: "equity-positions", key: "x", fields: { holder: "ada", stake: "lots" } })`,
      'BAD_USER_INPUT',
      'stake',
    ],
    [`createRecord(input: { entity: "acme", collection: "equity-positions", key: "x", fields: { stake: 1 } })`, 'BAD_USER_INPUT', 'holder'],
    [
      `createRecord(input: { entity: "acme", collection: "equity-positions", key: "x", fields: { holder: "nobody" } })`,
      'NOT_FOUND',
      'nobody',
    ],
    [`createRecord(input: { entity: "acme", collection: "boards", key: "x", fields: {} })`, 'NOT_FOUND', 'boards'],
    [`createRecord(input: { entity: "nobody", collection: "equity-positions", key: "x", fields: {} })`, 'NOT_FOUND', 'nobody'],
    [
      `createRecord(input: { entity: "acme", collection: "equity-positions", key: "ada", fields: { holder: "ada" } })`,
      'CONFLICT',
      'already exists',
    ],
    [`updateRecord(input: { entity: "acme", collection: "equity-positions", key: "ada", unset: ["holder"] })`, 'BAD_USER_INPUT', 'holder'],
    [`updateRecord(input: { entity: "acme", collection: "equity-positions", key: "pool", set: { stake: 1 } })`, 'NOT_FOUND', 'record'],
  ];
  for (const [mutation, code, fragment] of cases) {
    const r = await g.gql(`mutation { ${mutation} { position } }`);
    expect(r.errors?.[0]?.extensions?.code).toBe(code);
    expect(r.errors?.[0]?.message).toContain(fragment);
  }
  expect(await headPosition()).toBe(head);
  const unknown = await g.gql('{ entity(id: "acme") { records(collection: "board-seatz") { totalCount } } }');
  expect(unknown.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
});

it('reads the records of many entities with their endpoints in a fixed number of statements', async () => {
  const c = g.app.commands;
  const query = `{ entities(first: 50) { nodes { slug records { nodes { key schema { name } fields { name } endpoints { entity { slug } } } } } } }`;
  clearThingCache(g.app.db);
  const small = await g.counted(query);
  expect(small.result.errors).toBeUndefined();
  for (let i = 0; i < 8; i++) {
    const id = `org${String(i).padStart(7, '0')}`;
    await c.execute({ type: 'RegisterEntity', id, fields: { slug: `org-${i}`, name: `Org ${i}`, type: 'organization' } });
    for (const key of ['a', 'b', 'c'])
      await c.execute({ type: 'CreateRecord', entity: id, collection: 'equity-positions', key, fields: { holder: 'ada', stake: i / 10 } });
  }
  clearThingCache(g.app.db);
  const large = await g.counted(query);
  expect(large.result.errors).toBeUndefined();
  const withRecords = large.result.data.entities.nodes.filter((n: { records: { nodes: unknown[] } }) => n.records.nodes.length === 3);
  expect(withRecords).toHaveLength(8);
  expect(large.statements).toBe(small.statements);
});
