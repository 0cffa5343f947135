import { ApiKeys } from '../../src/auth/keys';
import { loadSeeds } from '../../src/seed';
import { startServer, type RunningServer } from '../../src/server';
import { createTestFactlog, type TestFactlog } from '../support/factlog';

// Every error code of docs/api.md, over real HTTP, and a failed mutation never changes the log.
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

interface Response {
  status: number;
  body: { data?: any; errors?: { message: string; extensions: Record<string, any> }[] };
}

async function post(query: string, variables: Record<string, unknown> = {}, key?: string | null): Promise<Response> {
  const res = await fetch(`${server.url.replace('localhost', '127.0.0.1')}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, body: (await res.json()) as Response['body'] };
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
  const { error } = await expectCode(
    'NOT_FOUND',
    'mutation { citeSource(input: { page: "no-such-page", source: "YmFkZjUwMz" }) { position } }',
  );
  expect(error.message).toMatch(/no-such-page/);
  await expectCode('NOT_FOUND', ASSERT.replace('"anthropic"', '"nobody"'), { v: 'x' });
});

it('CONFLICT carries the expected and actual versions', async () => {
  const { error } = await expectCode(
    'CONFLICT',
    'mutation { correctFact(input: { id: "f_BnkEWenniQ", expectedVersion: 7, set: { notes: "x" } }) { position } }',
  );
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
  expect(admin.body.data.apiKeys).toEqual([
    { name: 'alice', role: 'editor' },
    { name: 'root', role: 'admin' },
  ]);
});

it('QUERY_TOO_COMPLEX with the computed cost', async () => {
  const { error } = await expectCode(
    'QUERY_TOO_COMPLEX',
    `{ sources(first: 100) { nodes { citedBy(first: 100) { nodes { citations(first: 100) { nodes { id } } } } } } }`,
  );
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

it('reads say NOT_FOUND for an unknown property, entity or source, with the closest property names', async () => {
  for (const field of [
    'value(property: "safety-levl") { id }',
    'valueWithConflicts(property: "safety-levl") { fact { id } }',
    'timeline(property: "safety-levl") { id }',
    'facts(property: "safety-levl") { totalCount }',
  ]) {
    const { error } = await expectCode('NOT_FOUND', `{ entity(id: "anthropic") { ${field} } }`);
    expect(error.extensions.field).toBe('property');
    expect(error.message).toMatch(/^property "safety-levl" does not exist at log position \d+ \(did you mean "safety-level"\?\)$/);
  }
  const unrelated = await expectCode('NOT_FOUND', '{ facts(property: "revenue") { totalCount } }');
  expect(unrelated.error.message).not.toMatch(/did you mean/);
  expect((await expectCode('NOT_FOUND', '{ facts(entity: "nobody") { totalCount } }')).error.extensions.field).toBe('entity');
  expect((await expectCode('NOT_FOUND', '{ facts(source: "ZZZZZZZZZZ") { totalCount } }')).error.extensions.field).toBe('source');
  // A property that exists now but not yet at an early position is unknown there.
  expect(
    (await expectCode('NOT_FOUND', '{ entity(id: "anthropic") { value(property: "safety-level", atPosition: "0") { id } } }')).error
      .message,
  ).toMatch(/does not exist at log position 0/);
  // Known names still answer.
  expect(
    (await post('{ facts(entity: "anthropic", property: "safety-level") { totalCount } }')).body.data.facts.totalCount,
  ).toBeGreaterThan(0);
});

it('refuses an atPosition beyond the head with BAD_USER_INPUT naming the head, instead of answering at the head', async () => {
  const head = (await app.store.head()).position;
  const { error } = await expectCode('BAD_USER_INPUT', `{ entity(id: "anthropic", atPosition: "${head + 1}") { id } }`);
  expect(error.extensions).toMatchObject({ field: 'atPosition', head: String(head) });
  expect(error.message).toContain(`beyond the log's head (position ${head})`);
  expect((await post(`{ entity(id: "anthropic", atPosition: "${head}") { id } }`)).body.errors).toBeUndefined();
});

it('sends no stack traces or server paths in error responses', async () => {
  const bad = await post('{ entity(id: "anthropic") { value(property: "nope") { id } } }');
  const invalid = await post('{ nope }');
  const refused = await post('{ health { database } }', {}, 'flk_not-a-key');
  for (const { body } of [bad, invalid, refused]) {
    expect(body.errors!.length).toBeGreaterThan(0);
    expect(JSON.stringify(body)).not.toMatch(/stacktrace|\/src\/|node_modules/);
  }
});

it('carries extensions.basis on every answer, a refused key (401) included', async () => {
  const head = String((await app.store.head()).position);
  const refused = await fetch(server.url.replace('localhost', '127.0.0.1'), {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer flk_not-a-key' },
    body: JSON.stringify({ query: '{ __typename }' }),
  });
  expect(refused.status).toBe(401);
  expect(((await refused.json()) as { extensions: { basis: { position: string } } }).extensions.basis.position).toBe(head);
});

it('says what facts lists do without asOf: every fact, not a default of now', async () => {
  const { body } = await post(
    `{ __type(name: "Query") { fields { name args { name description } } } e: __type(name: "Entity") { fields { name args { name description } } } }`,
  );
  type T = { fields: { name: string; args: { name: string; description: string | null }[] }[] };
  const asOfOf = (t: T, field: string) => t.fields.find((f) => f.name === field)!.args.find((a) => a.name === 'asOf')!.description!;
  for (const description of [asOfOf(body.data.__type, 'facts'), asOfOf(body.data.e, 'facts')]) {
    expect(description).toMatch(/Without it: every fact/);
    expect(description).not.toMatch(/Default: now/);
  }
  expect(asOfOf(body.data.e, 'value')).toMatch(/Default: now/);
  // And the behaviour matches: without asOf, facts whose validity ended are listed too.
  const all = await post('{ entity(id: "anthropic") { facts { totalCount } now: facts(asOf: "2026") { totalCount } } }');
  expect(all.body.data.entity.facts.totalCount).toBeGreaterThan(all.body.data.entity.now.totalCount);
});

it('names the argument a malformed log position came in', async () => {
  for (const arg of ['afterPosition', 'toPosition']) {
    const { error } = await expectCode('BAD_USER_INPUT', `{ events(${arg}: "12x") { totalCount } }`);
    expect(error.extensions.field).toBe(arg);
    expect(error.message).toBe(`${arg} must be a log position (a whole number), got "12x"`);
  }
  expect((await expectCode('BAD_USER_INPUT', '{ entity(id: "anthropic", atPosition: "-1") { id } }')).error.extensions.field).toBe(
    'atPosition',
  );
});
