import { ApiKeys } from '../../src/auth/keys';
import { loadSeeds } from '../../src/seed';
import { startServer, type RunningServer } from '../../src/server';
import { createTestFactlog, type TestFactlog } from '../support/factlog';

// Every error code of API.md, over real HTTP, and a failed mutation never changes the log.
let app: TestFactlog;
let server: RunningServer;
let editorKey: string;
let adminKey: string;

beforeAll(async () => {
  app = await createTestFactlog();
  await loadSeeds(app.commands);
  const keys = new ApiKeys(app.database.db);
  editorKey = (await keys.create('alice', 'editor')).key;
  adminKey = (await keys.create('root', 'admin')).key;
  server = await startServer({ ...app, port: 0, host: '127.0.0.1', limits: { maxCost: 2000, maxDepth: 8 } });
});
afterAll(async () => {
  await server.stop();
  await app.dispose();
});

interface Response { status: number; body: { data?: any; errors?: { message: string; extensions: Record<string, any> }[] } }

async function post(query: string, variables: Record<string, unknown> = {}, key?: string | null): Promise<Response> {
  const res = await fetch(`${server.url.replace('localhost', '127.0.0.1')}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, body: (await res.json()) as Response["body"] };
}

/** Runs a request that must fail with `code`, and checks the log did not move. */
async function expectCode(code: string, query: string, variables: Record<string, unknown> = {}, key: string | null = editorKey) {
  const before = await app.store.head();
  const { body, status } = await post(query, variables, key);
  expect(body.errors?.[0]?.extensions?.code).toBe(code);
  expect((await app.store.head()).position).toBe(before.position);
  return { error: body.errors![0], status };
}

const ASSERT = `mutation($v: JSON!, $asOf: PartialDate) { assertFact(input: { entity: "anthropic", property: "safety-level", value: $v, asOf: $asOf }) { position fact { id } } }`;

it('BAD_USER_INPUT names the offending field', async () => {
  const { error } = await expectCode('BAD_USER_INPUT', ASSERT, { v: 42 });
  expect(error.extensions.field).toBe('value');
  expect(error.message).toMatch(/expected a string/);
  await expectCode('BAD_USER_INPUT', ASSERT, { v: 'ASL-4', asOf: '2025-13' });
  const page = await expectCode('BAD_USER_INPUT', '{ sources(first: 101) { totalCount } }');
  expect(page.error.extensions.field).toBe('first');
  const unset = await expectCode('BAD_USER_INPUT', 'mutation { updateSource(input: { id: "YmFkZjUwMz", unset: ["url"] }) { position } }');
  expect(unset.error.message).toMatch(/cannot be unset/);
});

it('NOT_FOUND for unknown ids', async () => {
  await expectCode('NOT_FOUND', 'mutation { correctFact(input: { id: "f_nope", expectedVersion: 1, set: { notes: "x" } }) { position } }');
  const { error } = await expectCode('NOT_FOUND', 'mutation { citeSource(input: { page: "no-such-page", source: "YmFkZjUwMz" }) { position } }');
  expect(error.message).toMatch(/no-such-page/);
  await expectCode('NOT_FOUND', ASSERT.replace('"anthropic"', '"nobody"'), { v: 'x' });
});

it('CONFLICT carries the expected and actual versions', async () => {
  const { error } = await expectCode('CONFLICT', 'mutation { correctFact(input: { id: "f_BnkEWenniQ", expectedVersion: 7, set: { notes: "x" } }) { position } }');
  expect(error.extensions).toMatchObject({ expectedVersion: 7, actualVersion: 1 });
});

it('UNAUTHENTICATED for a bad key, and for anonymous writes', async () => {
  const bad = await expectCode('UNAUTHENTICATED', '{ health { database } }', {}, 'flk_not-a-key');
  expect(bad.status).toBe(401);
  await expectCode('UNAUTHENTICATED', ASSERT, { v: 'ASL-4' }, null);
  // Anonymous reads stay open by default.
  expect((await post('{ source(id: "YmFkZjUwMz") { title } }')).body.data.source.title).toBe('Activating AI Safety Level 3 protections');
});

it('FORBIDDEN for a key without the role', async () => {
  const { status } = await expectCode('FORBIDDEN', '{ apiKeys { name } }', {}, editorKey);
  expect(status).toBe(403);
  const admin = await post('{ apiKeys { name role } }', {}, adminKey);
  expect(admin.body.data.apiKeys).toEqual([{ name: 'alice', role: 'editor' }, { name: 'root', role: 'admin' }]);
});

it('QUERY_TOO_COMPLEX with the computed cost', async () => {
  const { error } = await expectCode('QUERY_TOO_COMPLEX', `{ sources(first: 100) { nodes { citedBy(first: 100) { nodes { citations(first: 100) { nodes { id } } } } } } }`);
  expect(error.extensions.cost).toBeGreaterThan(2000);
  expect(error.extensions.maxCost).toBe(2000);
});

it('records the key’s name as the actor of what it writes', async () => {
  const { body } = await post(ASSERT, { v: 'ASL-4', asOf: '2027' }, editorKey);
  expect(body.errors).toBeUndefined();
  const id = body.data.assertFact.fact.id;
  const history = await post(`{ fact(id: "${id}") { history { actor } } }`);
  expect(history.body.data.fact.history).toEqual([{ actor: 'alice' }]);
});

it('locates a domain error at the response path of the field that failed', async () => {
  const { body } = await post(ASSERT, { v: 42 }, editorKey);
  expect(body.errors?.[0]).toMatchObject({ path: ['assertFact'], extensions: { code: 'BAD_USER_INPUT', field: 'value' } });
});
