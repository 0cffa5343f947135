import { GraphQLError } from 'graphql';
import { formatError } from '../../src/graphql/errors';
import { startServer, type RunningServer } from '../../src/server';
import { openPostgres } from '../../src/store/database';
import { createTestFactlog, type TestFactlog } from '../support/factlog';

let app: TestFactlog;
let server: RunningServer;
let url: string;

beforeAll(async () => {
  app = await createTestFactlog();
  server = await startServer({
    ...app,
    port: 0,
    host: '127.0.0.1',
    http: { maxBodyBytes: 2000, rateLimitPerMinute: 8, introspection: false },
  });
  url = server.url.replace('localhost', '127.0.0.1');
});
afterAll(async () => {
  await server.stop();
  await app.dispose();
});

const post = async (body: string) => {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  return {
    status: res.status,
    body: (await res.json()) as { errors?: { message: string; extensions: { code: string } }[]; data?: unknown },
  };
};

it('answers an oversized body with 413 in GraphQL’s shape', async () => {
  const r = await post(JSON.stringify({ query: `{ health { database } } # ${'x'.repeat(3000)}` }));
  expect(r.status).toBe(413);
  expect(r.body.errors?.[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
});

it('answers malformed JSON with 400 BAD_REQUEST', async () => {
  const r = await post('{"query": ');
  expect(r.status).toBe(400);
  expect(r.body.errors?.[0].extensions.code).toBe('BAD_REQUEST');
});

it('can switch introspection off', async () => {
  const r = await post(JSON.stringify({ query: '{ __schema { types { name } } }' }));
  expect(r.body.errors?.[0].message).toMatch(/introspection/i);
});

it('limits requests per minute per client', async () => {
  const statuses: number[] = [];
  for (let i = 0; i < 10; i++) statuses.push((await post(JSON.stringify({ query: '{ health { database } }' }))).status);
  expect(statuses).toContain(429);
  const limited = await post(JSON.stringify({ query: '{ health { database } }' }));
  expect(limited.body.errors?.[0].extensions.code).toBe('RATE_LIMITED');
});

it('reports a statement cancelled by the timeout as QUERY_TIMEOUT', async () => {
  let cancelled: unknown = Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' });
  if (process.env.DATABASE_URL) {
    // The real thing: a connection with a 50 ms statement_timeout.
    const slow = openPostgres({ url: process.env.DATABASE_URL, statementTimeoutMs: 50 });
    cancelled = await slow.pool.query('SELECT pg_sleep(1)').then(
      () => null,
      (e: unknown) => e,
    );
    await slow.close();
    expect((cancelled as { code: string }).code).toBe('57014');
  }
  const formatted = formatError(
    { message: 'x', extensions: { code: 'INTERNAL_SERVER_ERROR' } },
    new GraphQLError('x', { originalError: cancelled as Error }),
  );
  expect(formatted.extensions?.code).toBe('QUERY_TIMEOUT');
});
