import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { ApolloServer } from '@apollo/server';
import { GraphQLError } from 'graphql';
import type { GraphQLContext } from '../../src/graphql/context';
import { graphqlEndpoint, isGraphQLPost } from '../../src/http/graphql-endpoint';
import { RateLimiter } from '../../src/http/rate-limit';
import { silentLogger } from '../../src/observability/logger';

// The endpoint on its own, as a plain Node handler with no Express in front: the gateway's POSTs
// reach it exactly like this (src/server.ts). The whole server is tested in tests/server.test.ts.

let apollo: ApolloServer<GraphQLContext>;
let server: http.Server;
let url: string;
let contexts = 0;
const limiter = new RateLimiter(3);

beforeAll(async () => {
  apollo = new ApolloServer<GraphQLContext>({ typeDefs: 'type Query { hello: String }', resolvers: { Query: { hello: () => 'world' } } });
  await apollo.start();
  const handle = graphqlEndpoint({
    apollo,
    maxBodyBytes: 200,
    rateLimiter: limiter,
    slowReaderTimeoutMs: 10_000,
    logger: silentLogger(),
    head: async () => ({ position: 42, recordedAt: new Date('2026-01-02T03:04:05Z') }),
    context: async (req) => {
      contexts += 1;
      if (req.headers.authorization === 'Bearer revoked')
        throw new GraphQLError('unknown or revoked API key', { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
      return {} as GraphQLContext;
    },
  });
  server = http.createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await apollo.stop();
});

/**
 * Every client gets its own rate-limit budget through its own key, one the gateway has seen
 * authenticate before (a key it does not know yet spends its address's budget too: tests/hardening).
 */
function post(key: string, body: string | Buffer, headers: Record<string, string> = {}): Promise<Response> {
  limiter.authenticated(`Bearer ${key}`);
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, ...headers }, body });
}

const HELLO = JSON.stringify({ query: '{ hello }' });

it("answers a JSON POST through Apollo, with Apollo's headers and an exact length", async () => {
  const res = await post('a', HELLO);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
  const text = await res.text();
  expect(res.headers.get('content-length')).toBe(String(Buffer.byteLength(text)));
  expect(JSON.parse(text)).toEqual({ data: { hello: 'world' } });
});

it('reads gzip bodies and query strings like the Express body parser did', async () => {
  const res = await fetch(`${url}?ignored=1`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', authorization: 'Bearer b' },
    body: gzipSync(HELLO),
  });
  expect(await res.json()).toEqual({ data: { hello: 'world' } });
});

it("refuses bodies it cannot take in GraphQL's error shape, before any context is made", async () => {
  const before = contexts;
  const cases: [string | Buffer, Record<string, string>, number, string, RegExp][] = [
    [JSON.stringify({ query: `{ hello } # ${'x'.repeat(300)}` }), {}, 413, 'PAYLOAD_TOO_LARGE', /over 200 bytes/],
    ['{not json', {}, 400, 'BAD_REQUEST', /JSON/],
    [HELLO, { 'content-type': 'application/json; charset=latin1' }, 415, 'BAD_REQUEST', /unsupported charset/],
  ];
  for (const [i, [body, headers, status, code, message]] of cases.entries()) {
    const res = await post(`refused-${i}`, body, headers);
    expect(res.status).toBe(status);
    const { errors } = (await res.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(errors[0].extensions.code).toBe(code);
    expect(errors[0].message).toMatch(message);
  }
  expect(contexts).toBe(before);
  // And the process still serves.
  expect(await (await post('after-refusals', HELLO)).json()).toEqual({ data: { hello: 'world' } });
});

it('limits requests per key per minute, each key on its own budget', async () => {
  const statuses = [];
  for (let i = 0; i < 4; i++) statuses.push((await post('limited', HELLO)).status);
  expect(statuses).toEqual([200, 200, 200, 429]);
  const refused = await post('limited', HELLO);
  expect(refused.headers.get('ratelimit-policy')).toBe('3;w=60');
  expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
  expect(((await refused.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code).toBe('RATE_LIMITED');
  expect((await post('another-key', HELLO)).status).toBe(200);
});

it('lets the context refuse a request with its own status and code, and the refusal still carries the basis', async () => {
  const res = await post('revoked', HELLO);
  expect(res.status).toBe(401);
  const body = (await res.json()) as { errors: { extensions: { code: string } }[]; extensions: unknown };
  expect(body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
  expect(body.extensions).toEqual({ basis: { position: '42', recordedAt: '2026-01-02T03:04:05.000Z' } });
});

it("takes exactly the POSTs that Express's /graphql mount took", () => {
  const req = (method: string, url: string) => ({ method, url }) as http.IncomingMessage;
  expect(isGraphQLPost(req('POST', '/graphql'))).toBe(true);
  expect(isGraphQLPost(req('POST', '/GraphQL'))).toBe(true);
  expect(isGraphQLPost(req('POST', '/graphql/'))).toBe(true);
  expect(isGraphQLPost(req('POST', '/graphql?x=1'))).toBe(true);
  expect(isGraphQLPost(req('GET', '/graphql'))).toBe(false);
  expect(isGraphQLPost(req('POST', '/graphqlx'))).toBe(false);
  expect(isGraphQLPost(req('POST', '/metrics'))).toBe(false);
});
