import http from 'node:http';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { parse } from 'graphql';
import { sql } from 'kysely';
import { ApiKeys } from '../../src/auth/keys';
import { DEFAULT_LIMITS, estimateComplexity, fragmentsOf } from '../../src/graphql/complexity';
import { isDatabaseUnavailable } from '../../src/graphql/errors';
import { buildFactlogSchema } from '../../src/api-schema';
import { loadSeeds } from '../../src/seed';
import { startServer, type RunningServer } from '../../src/server';
import { openPglite } from '../../src/store/database';
import { createTestFactlog, type TestFactlog } from '../support/factlog';

/**
 * Production hardening: limits on the work a request makes the gateway do, not only on the size of
 * its answer (issue 16, parts 1, 2 and 6). Each attack runs while a second client asks for something
 * small: it must be answered within a generous bound (this machine is small and shared) — before
 * these limits it waited 10 to 60 s behind the attack. Runs on PostgreSQL and on PGlite.
 */

const MAX_STATEMENTS = 500;

let app: TestFactlog;
let server: RunningServer;
let base: string;
let url: string;
const keys: Record<'alice' | 'bob', string> = { alice: '', bob: '' };

beforeAll(async () => {
  app = await createTestFactlog();
  await loadSeeds(app.commands);
  const apiKeys = new ApiKeys(app.database.db);
  keys.alice = (await apiKeys.create('alice', 'editor')).key;
  keys.bob = (await apiKeys.create('bob', 'editor')).key;
  server = await startServer({
    ...app,
    port: 0,
    host: '127.0.0.1',
    http: { rateLimitPerMinute: 0 },
    limits: { ...DEFAULT_LIMITS, maxStatements: MAX_STATEMENTS },
    replication: { heartbeatMs: 600_000, leaderRetryMs: 600_000 },
  });
  base = `http://127.0.0.1:${server.port}`;
  url = `${base}/graphql`;
});
afterAll(async () => {
  await server?.stop();
  await app?.dispose();
});

interface Answer {
  status: number;
  body: { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: { code?: string; [k: string]: unknown } }[] };
}

/**
 * One request on a connection of its own: a reused keep-alive connection can be closed by the server
 * just as a large body starts on it (ECONNRESET), which says nothing about the gateway.
 */
function send(
  method: 'GET' | 'POST',
  target: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(target, { method, agent: false, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function post(
  query: string,
  headers: Record<string, string> = {},
  variables?: Record<string, unknown>,
  target = url,
): Promise<Answer> {
  const res = await send('POST', target, { 'content-type': 'application/json', ...headers }, JSON.stringify({ query, variables }));
  return { status: res.status, body: JSON.parse(res.text) as Answer['body'] };
}

const codes = (a: Answer) => new Set((a.body.errors ?? []).map((e) => e.extensions?.code));

/**
 * Runs `attack` and, once it is under way, a second client's small query and a readiness probe; the
 * second client must be answered (correctly) and the gateway must stay ready. No wall-clock bound
 * (these machines are small and shared): an attack that did its exponential or unbounded work would
 * not be refused with the codes and statement counts each test checks, and would outlast the test.
 */
async function whileUnderAttack<T>(attack: () => Promise<T>): Promise<{ result: T }> {
  const running = attack();
  await new Promise((r) => setTimeout(r, 30));
  const [bystander, ready] = await Promise.all([post('{ health { database } }'), send('GET', `${base}/readyz`)]);
  expect(bystander.status).toBe(200);
  expect(bystander.body.errors).toBeUndefined();
  expect(ready.status).toBe(200);
  return { result: await running };
}

/** Subscribes over graphql-ws and resolves with the errors the subscription is refused with. */
async function subscribeOnce(wsUrl: string, query: string): Promise<{ message: string; extensions?: { code?: string } }[]> {
  const client = createClient({ url: wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true });
  try {
    const outcome = await new Promise<unknown>((resolve) => {
      client.subscribe({ query }, { next: () => undefined, error: resolve, complete: () => resolve('completed') });
    });
    if (!Array.isArray(outcome)) throw new Error(`expected the subscription to be refused, got ${String(outcome)}`);
    return outcome as { message: string; extensions?: { code?: string } }[];
  } finally {
    await client.dispose();
  }
}

/** Fragment Fi spreads F(i+1) twice: 2^levels paths through a document of a kilobyte or so. */
function fanOut(levels: number, on: string, leaf: string, operation: string): string {
  const fragments = Array.from({ length: levels }, (_, i) => `fragment F${i} on ${on} { ...F${i + 1} ...F${i + 1} }`);
  return `${operation} { ...F0 }\n${fragments.join('\n')}\nfragment F${levels} on ${on} { ${leaf} }`;
}

describe('fragment fan-out (part 1)', () => {
  it('is refused as QUERY_TOO_COMPLEX at once, and the estimate is linear in the document', async () => {
    const query = fanOut(24, 'Query', 'sources(first: 1) { totalCount }', 'query');
    expect(query.length).toBeLessThan(2000);
    const { result } = await whileUnderAttack(() => post(query));
    expect(result.status).toBe(400);
    expect(codes(result)).toEqual(new Set(['QUERY_TOO_COMPLEX']));
    expect(result.body.errors?.[0].extensions?.cost).toBeGreaterThanOrEqual(2 ** 24);
  });

  it('with a minPosition argument in the leaf (read routing walks the fragments too)', async () => {
    const query = fanOut(24, 'Query', 'sources(first: 1, minPosition: "1") { totalCount }', 'query');
    const result = await post(query);
    expect(codes(result)).toEqual(new Set(['QUERY_TOO_COMPLEX']));
  });

  it('is refused over WebSocket as well', async () => {
    const query = fanOut(24, 'Subscription', 'sourceChanged(id: "nope") { position }', 'subscription');
    const { result } = await whileUnderAttack(() => subscribeOnce(url.replace('http', 'ws'), query));
    expect(result.map((e) => e.extensions?.code)).toEqual(['QUERY_TOO_COMPLEX']);
  });
});

describe('alias amplification (part 2)', () => {
  const aliases = (n: number, field: string) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: ${field}`).join(' ')} }`;

  it('costs a root field and a totalCount at least one each, whatever `first` says', () => {
    const schema = buildFactlogSchema();
    const estimate = (query: string) => {
      const document = parse(query);
      const operation = document.definitions[0] as import('graphql').OperationDefinitionNode;
      return estimateComplexity(schema, operation.selectionSet, schema.getQueryType()!, fragmentsOf(document), {});
    };
    // Before: `first: 0` made the count free, 20,000 of them cost 20,000.
    expect(estimate('{ sources(first: 0) { totalCount } }')).toEqual({ cost: 2, depth: 2, statements: 2 });
    expect(estimate('{ a: health { headPosition } b: health { headPosition } }').statements).toBe(2);
    // Counted once per connection, not once per node of the page it would hold.
    expect(estimate('{ entities(first: 10) { nodes { facts(first: 0) { totalCount } } } }').statements).toBe(11);
    expect(estimate('{ sources(first: 5, atPosition: "1") { nodes { id } } }').statements).toBe(2);
  });

  // The issue's own cases are over the token cap: refused while parsing, before validation (which,
  // like parsing, holds the event loop in proportion to the document) and long before execution.
  it.each([
    ['20,000 counts with `first: 0`', aliases(20_000, 'sources(first: 0) { totalCount }')],
    ['5,000 `health` aliases', aliases(5_000, 'health { headPosition }')],
  ])('%s are refused at parse time past FACTLOG_MAX_TOKENS', async (_, query) => {
    const before = app.database.stats.queries;
    const { result } = await whileUnderAttack(() => post(query));
    expect(result.status).toBe(400);
    expect(codes(result)).toEqual(new Set(['GRAPHQL_PARSE_FAILED']));
    expect(result.body.errors?.[0].message).toMatch(/10000 tokens/);
    expect(app.database.stats.queries - before).toBeLessThan(10);
  });

  // Under the token cap, the statement estimate refuses them.
  it.each([
    ['900 counts with `first: 0`', aliases(900, 'sources(first: 0) { totalCount }'), 1_800],
    ['1,500 `health` aliases', aliases(1_500, 'health { headPosition }'), 1_500],
  ])('%s are refused with TOO_MANY_STATEMENTS before they run', async (_, query, needed) => {
    const before = app.database.stats.queries;
    const { result } = await whileUnderAttack(() => post(query));
    expect(result.status).toBe(400);
    expect(codes(result)).toEqual(new Set(['TOO_MANY_STATEMENTS']));
    expect(result.body.errors?.[0].extensions).toMatchObject({ statements: needed, maxStatements: MAX_STATEMENTS });
    // Only the bystander's and the probe's few statements ran.
    expect(app.database.stats.queries - before).toBeLessThan(10);
  });

  it('cuts a request off when the statements it actually runs pass the cap, and rolls back a cut-off write', async () => {
    const strict = await startServer({
      ...app,
      port: 0,
      host: '127.0.0.1',
      http: { rateLimitPerMinute: 0 },
      limits: { ...DEFAULT_LIMITS, maxStatements: 1 },
    });
    try {
      const target = `http://127.0.0.1:${strict.port}/graphql`;
      // One root field (the estimate allows it), but entities' pages, facts and the facts' sources too.
      const read = await post(
        '{ entities(first: 5) { nodes { slug page { slug } facts(first: 5) { nodes { id citations { source { id } } } } } } }',
        {},
        undefined,
        target,
      );
      expect(codes(read)).toEqual(new Set(['TOO_MANY_STATEMENTS']));
      // A mutation is a transaction of many statements: cut off, it leaves the log as it was.
      const head = (await app.store.head()).position;
      const write = await post(
        'mutation { registerEntity(input: { slug: "cut-off", name: "Cut", type: "organization" }) { position } }',
        { authorization: `Bearer ${keys.alice}` },
        undefined,
        target,
      );
      expect(codes(write)).toEqual(new Set(['TOO_MANY_STATEMENTS']));
      expect((await app.store.head()).position).toBe(head);
      // The connection (PGlite's only one) is usable afterwards, inside no transaction.
      const after = await post('{ health { database } }');
      expect(after.body.errors).toBeUndefined();
    } finally {
      await strict.stop();
    }
  });

  it('leaves ordinary queries far below the cap', async () => {
    const before = app.database.stats.queries;
    const result = await post(`{ sources(first: 20) { totalCount nodes { id citedBy(first: 5) { nodes { slug } } } }
      entities(first: 20) { totalCount nodes { slug facts(first: 10) { nodes { id } } } } health { headPosition } }`);
    expect(result.body.errors).toBeUndefined();
    expect(app.database.stats.queries - before).toBeLessThan(MAX_STATEMENTS / 10);
  });
});

describe('hygiene (part 6)', () => {
  it('answers a bad X-Factlog-Min-Position header with 400 BAD_USER_INPUT', async () => {
    for (const header of ['abc', '-1', '1e5', '9'.repeat(40)]) {
      const result = await post('{ health { database } }', { 'x-factlog-min-position': header });
      expect(result.status).toBe(400);
      expect(codes(result)).toEqual(new Set(['BAD_USER_INPUT']));
    }
  });

  it('refuses a subscription sent by POST with a 400 that says where to send it', async () => {
    const result = await post('subscription { sourceChanged(id: "x") { position } }');
    expect(result.status).toBe(400);
    expect(codes(result)).toEqual(new Set(['GRAPHQL_VALIDATION_FAILED']));
    expect(result.body.errors?.[0].message).toMatch(/WebSocket/);
  });

  it('names no schema fields in suggestions when introspection is off', async () => {
    const closed = await startServer({ ...app, port: 0, host: '127.0.0.1', http: { rateLimitPerMinute: 0, introspection: false } });
    try {
      const typo = '{ sourcez(first: 1) { nodez { id } } }';
      const open = await post(typo);
      expect(open.body.errors?.[0].message).toMatch(/Did you mean/);
      const hidden = await post(typo, {}, undefined, `http://127.0.0.1:${closed.port}/graphql`);
      expect(codes(hidden)).toEqual(new Set(['GRAPHQL_VALIDATION_FAILED']));
      for (const e of hidden.body.errors ?? []) expect(e.message).not.toMatch(/Did you mean|sources/);
      // Over WebSocket too, where a validation error used to be an INTERNAL_SERVER_ERROR.
      const ws = await subscribeOnce(`ws://127.0.0.1:${closed.port}/graphql`, 'subscription { sourceChangez(id: "x") { position } }');
      expect(ws.map((e) => e.extensions?.code)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
      expect(ws[0].message).toMatch(/sourceChangez/);
      expect(ws[0].message).not.toMatch(/Did you mean|sourceChanged/);
    } finally {
      await closed.stop();
    }
  });

  it('scopes idempotency keys to the API key that sent them', async () => {
    const register = (key: string, slug: string) =>
      post(
        'mutation ($slug: String!) { registerEntity(input: { slug: $slug, name: "Scoped", type: "organization", idempotencyKey: "shared-key" }) { entity { id slug } position } }',
        { authorization: `Bearer ${key}` },
        { slug },
      );
    const first = await register(keys.alice, 'scoped-alice');
    expect(first.body.errors).toBeUndefined();
    const aliceEntity = (first.body.data?.registerEntity as { entity: { id: string } }).entity.id;

    // Bob repeating Alice's request under her key is not a replay of her result: it runs, and the slug is taken.
    const copy = await register(keys.bob, 'scoped-alice');
    expect(codes(copy)).toEqual(new Set(['CONFLICT']));

    // Bob's own request under the same key is his own (not "already used for a different request").
    const bob = await register(keys.bob, 'scoped-bob');
    expect(bob.body.errors).toBeUndefined();
    const bobEntity = (bob.body.data?.registerEntity as { entity: { id: string; slug: string } }).entity;
    expect(bobEntity.slug).toBe('scoped-bob');
    expect(bobEntity.id).not.toBe(aliceEntity);

    // Each still gets a replay of their own request.
    const again = await register(keys.alice, 'scoped-alice');
    expect(again.body.errors).toBeUndefined();
    expect((again.body.data?.registerEntity as { entity: { id: string } }).entity.id).toBe(aliceEntity);
    const bobAgain = await register(keys.bob, 'scoped-bob');
    expect((bobAgain.body.data?.registerEntity as { entity: { id: string } }).entity.id).toBe(bobEntity.id);
  });
});

describe('PGlite (the default database)', () => {
  it('bounds the wait for its one connection with the pool timeout: SERVICE_UNAVAILABLE, not a pile-up', async () => {
    const pglite = await openPglite({ dataDir: 'memory://', connectionTimeoutMs: 200 });
    const held = await pglite.pool.connect();
    try {
      const waited = await sql`SELECT 1`.execute(pglite.db).then(
        () => null,
        (e: unknown) => e,
      );
      expect(isDatabaseUnavailable(waited)).toBe(true);
    } finally {
      held.release();
      await pglite.close();
    }
  });
});
