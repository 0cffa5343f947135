import net from 'node:net';
import { createClient, type Client } from 'graphql-ws';
import pino from 'pino';
import WebSocket from 'ws';
import { ApiKeys } from '../../src/auth/keys';
import { startServer, type RunningServer, type ServerOptions } from '../../src/server';
import { createTestFactlog, type TestFactlog } from '../support/factlog';
import { targetKind } from '../support/test-database';

/**
 * Production hardening: work a client can make the gateway do. Each attack runs against a gateway in
 * this process while a second client, with a budget of its own, asks for `health`: the attack is
 * refused or bounded, and the bystander is answered — where it matters, while the attack is still
 * going on (before these limits it waited 10–60 s for the attack to end). No assertion is a wall-clock
 * limit: these machines are small and shared, so the tests say what happened before what instead.
 * Runs on PostgreSQL and PGlite like every test.
 */
jest.setTimeout(120_000);

let app: TestFactlog;
let keys: ApiKeys;
/** The bystander's key; each test's attacker gets keys of its own. */
let bystanderKey: string;
let running: RunningServer | null = null;
const clients: Client[] = [];
const sockets: WebSocket[] = [];
const connections: net.Socket[] = [];

beforeAll(async () => {
  app = await createTestFactlog();
  keys = new ApiKeys(app.database.db);
  bystanderKey = (await keys.create('bystander', 'editor')).key;
});

afterEach(async () => {
  for (const c of clients.splice(0)) await c.dispose();
  for (const s of sockets.splice(0)) s.terminate();
  for (const c of connections.splice(0)) c.destroy();
  await running?.stop();
  running = null;
});

afterAll(async () => {
  await app?.dispose();
});

/** A gateway of this test's own, so that its rate-limit budgets start empty. */
async function serve(options: Partial<ServerOptions> = {}): Promise<string> {
  running = await startServer({
    ...app,
    port: 0,
    host: '127.0.0.1',
    ...options,
    replication: { heartbeatMs: 600_000, leaderRetryMs: 600_000, ...options.replication },
  });
  return `http://127.0.0.1:${running.port}`;
}

async function post(base: string, query: string, authorization?: string): Promise<{ status: number; code?: string }> {
  const res = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    body: JSON.stringify({ query }),
  });
  const body = (await res.json()) as { errors?: { extensions?: { code?: string } }[] };
  return { status: res.status, code: body.errors?.[0]?.extensions?.code };
}

/** The bystander asks for `health`, which must succeed. */
async function bystanderAnswered(base: string): Promise<void> {
  const answer = await post(base, '{ health { headPosition } }', `Bearer ${bystanderKey}`);
  expect(answer).toEqual({ status: 200, code: undefined });
}

/** The bystander authenticates once first, as a client already in business would have. */
async function introduceBystander(base: string): Promise<void> {
  await bystanderAnswered(base);
}

function wsClient(base: string, authorization?: string): Client {
  const client = createClient({
    url: `${base.replace('http', 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: false,
    connectionParams: authorization ? { authorization } : undefined,
  });
  clients.push(client);
  return client;
}

/** Subscribes and settles with the first message's errors (or none once it completes). */
function firstOutcome(client: Client, query: string): Promise<{ errors?: unknown; data?: unknown }> {
  return new Promise((resolve) => {
    const stop = client.subscribe(
      { query },
      {
        next: (msg) => {
          stop();
          resolve({ data: msg.data, errors: msg.errors });
        },
        error: (errors) => resolve({ errors }),
        complete: () => resolve({}),
      },
    );
  });
}

describe('one rate-limit budget per principal or address, on every door', () => {
  const LIMIT = 5;

  it('counts a key the same however "Bearer" is spelled', async () => {
    const base = await serve({ http: { rateLimitPerMinute: LIMIT } });
    const { key } = await keys.create('speller', 'editor');
    const spellings = [
      `Bearer ${key}`,
      `bearer ${key}`,
      `BEARER  ${key}`,
      `Bearer\t${key}`,
      `bEaReR ${key}`,
      `BeArEr   ${key}`,
      `bearer\t ${key}`,
    ];
    const statuses = [];
    for (const spelling of spellings) statuses.push((await post(base, '{ health { headPosition } }', spelling)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
  });

  it('limits bogus keys by address before they cost a lookup, while a good key keeps its own budget', async () => {
    const base = await serve({ http: { rateLimitPerMinute: LIMIT } });
    await introduceBystander(base);
    const flood = Array.from({ length: 60 }, (_, i) => `Bearer bogus-${i}-${Math.random()}`);
    const statementsBefore = app.database.stats.queries;
    const [answers] = await Promise.all([
      Promise.all(flood.map((auth) => post(base, '{ health { headPosition } }', auth))),
      bystanderAnswered(base),
    ]);
    const statuses = answers.map((a) => a.status);
    // At most the address's budget reaches the key lookup: the rest is refused at the door.
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(LIMIT);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(60 - LIMIT);
    expect(answers.filter((a) => a.status === 429).every((a) => a.code === 'RATE_LIMITED')).toBe(true);
    // The bystander's own few statements, plus for each admitted bogus key its lookup and the basis of
    // its 401 answer; not one more for the other 55.
    expect(app.database.stats.queries - statementsBefore).toBeLessThanOrEqual(2 * LIMIT + 4);
    // Anonymous requests from the address are out of budget too: failed keys spent it.
    expect((await post(base, '{ health { headPosition } }')).status).toBe(429);
  });

  it('limits /readyz and /metrics on the same budget as GraphQL', async () => {
    const base = await serve({ http: { rateLimitPerMinute: LIMIT } });
    const statuses = [];
    for (const path of ['/readyz', '/metrics', '/readyz', '/metrics', '/graphql', '/readyz', '/metrics']) {
      const res = path === '/graphql' ? await post(base, '{ health { headPosition } }') : await fetch(`${base}${path}`);
      statuses.push(res.status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    const refused = await fetch(`${base}/metrics`);
    expect(refused.headers.get('retry-after')).not.toBeNull();
    expect(((await refused.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code).toBe('RATE_LIMITED');
  });

  it('counts each WebSocket subscribe, so subscribing and completing in a loop is limited', async () => {
    const base = await serve({ http: { rateLimitPerMinute: LIMIT } });
    await introduceBystander(base);
    const { key } = await keys.create('looper', 'editor');
    const client = wsClient(base, `Bearer ${key}`);
    // An afterPosition the resolver refuses makes every admitted subscribe end at once, as a loop of
    // subscribe-and-complete would. The connection spends one request, each subscribe another.
    const outcomes = [];
    for (let i = 0; i < 50; i++)
      outcomes.push(await firstOutcome(client, 'subscription { factChanged(entity: "nobody", afterPosition: "never") { position } }'));
    const codes = outcomes.map((o) => (JSON.stringify(o.errors ?? '').includes('RATE_LIMITED') ? 'RATE_LIMITED' : 'ran'));
    // (graphql-ws's client may connect more than once, each connect spending one request.)
    const ran = codes.indexOf('RATE_LIMITED');
    expect(ran).toBeGreaterThan(0);
    expect(ran).toBeLessThan(LIMIT);
    expect(codes.slice(ran).every((c) => c === 'RATE_LIMITED')).toBe(true);
    await bystanderAnswered(base);
  });
});

describe('subscriptions that replay history', () => {
  // PGlite writes about five times slower; a shorter history makes the same point there.
  const FACTS = targetKind === 'postgres' ? 1500 : 500;
  let entityId: string;

  beforeAll(async () => {
    await app.commands.execute({
      type: 'RegisterEntity',
      id: 'replayed01',
      fields: { slug: 'replayed', name: 'Replayed', type: 'organization' },
    });
    await app.commands.execute({ type: 'DefineProperty', id: 'replays', fields: { name: 'replays', dataType: 'number' } });
    entityId = 'replayed01';
    for (let i = 0; i < FACTS; i++) await app.commands.execute({ type: 'AssertFact', entity: entityId, property: 'replays', value: i });
  }, 600_000);

  /** Messages the reading replayers have received (each is one replayed fact). */
  let delivered = 0;

  /** Raw sockets that subscribe from position 0 many times each and read (or not) what comes. */
  async function replayers(base: string, count: number, perSocket: number, read: boolean): Promise<WebSocket[]> {
    const opened = await Promise.all(
      Array.from(
        { length: count },
        () =>
          new Promise<WebSocket>((resolve, reject) => {
            const socket = new WebSocket(`${base.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
            socket.once('error', reject);
            socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init' })));
            socket.once('message', () => resolve(socket)); // connection_ack
          }),
      ),
    );
    for (const socket of opened) {
      sockets.push(socket);
      if (!read) socket.pause();
      else socket.on('message', () => delivered++);
      for (let i = 0; i < perSocket; i++) {
        socket.send(
          JSON.stringify({
            id: String(i),
            type: 'subscribe',
            payload: {
              query: `subscription { factChanged(entity: "${entityId}", afterPosition: "0") { position event { type data } fact { id value { ... on NumberValue { number } } } } }`,
            },
          }),
        );
      }
    }
    return opened;
  }

  it('keeps the gateway responsive while 1,000 subscriptions replay the log, and stops their work once the sockets close', async () => {
    const base = await serve({ http: { rateLimitPerMinute: 0 } });
    const live = running!.replication.live;
    delivered = 0;
    const opened = await replayers(base, 20, 50, true);
    await new Promise((r) => setTimeout(r, 1000));
    // Answered while the replays are still under way (1,000 × FACTS messages), not after them.
    for (let i = 0; i < 3; i++) await bystanderAnswered(base);
    expect(delivered).toBeLessThan(20 * 50 * FACTS);

    for (const s of opened) s.terminate();
    // The server notices the closes; then its followers are gone and it stops asking the database.
    const closedAt = performance.now();
    while (live.size > 0 && performance.now() - closedAt < 10_000) await new Promise((r) => setTimeout(r, 50));
    expect(live.size).toBe(0);
    // Subscribes still being set up when the sockets closed finish and end at once; then the database
    // goes quiet but for the live log's poll (one statement a second). Before, replays ran for minutes.
    let quiet = false;
    while (!quiet && performance.now() - closedAt < 15_000) {
      const before = app.database.stats.queries;
      await new Promise((r) => setTimeout(r, 500));
      quiet = app.database.stats.queries - before < 3;
    }
    expect(quiet).toBe(true);
    await bystanderAnswered(base);
  });

  it('cuts off a replaying subscriber that stops reading, so that its turn goes to one that reads', async () => {
    const base = await serve({ http: { rateLimitPerMinute: 0 }, replication: { catchUpStallMs: 300 } });
    const live = running!.replication.live;
    // 40 subscriptions, 20 on each of two sockets that read nothing: far more than the kernel buffers.
    await replayers(base, 2, 20, false);
    await new Promise((r) => setTimeout(r, 200));
    const client = wsClient(base);
    const positions: number[] = [];
    const finished = new Promise<void>((resolve, reject) => {
      client.subscribe<{ factChanged: { position: string } }>(
        {
          query: `subscription { factChanged(entity: "${entityId}", afterPosition: "0") { position fact { id } } }`,
        },
        {
          next: (msg) => {
            if (msg.errors) reject(new Error(JSON.stringify(msg.errors)));
            positions.push(Number(msg.data!.factChanged.position));
            if (positions.length === FACTS) resolve();
          },
          error: reject,
          complete: () => reject(new Error('completed early')),
        },
      );
    });
    await bystanderAnswered(base);
    await finished;
    // Every fact once, in log order.
    expect(positions.every((p, i) => i === 0 || p > positions[i - 1])).toBe(true);
    // The subscribers that stopped reading are gone (the reader is the one follower left, now live).
    const started = performance.now();
    while (live.size > 1 && performance.now() - started < 20_000) await new Promise((r) => setTimeout(r, 50));
    expect(live.size).toBe(1);
    await bystanderAnswered(base);
  });
});

describe('clients that do not read their answers', () => {
  const READERS = 10;
  const STALL_MS = 6000;
  // Six aliases of 100 facts, each with 10,000 characters of value and of notes: a 12 MB answer.
  const BIG = `{ ${['a', 'b', 'c', 'd', 'e', 'f'].map((alias) => `${alias}: facts(entity: "bulky", first: 100) { nodes { notes value { ... on TextValue { text } } } }`).join(' ')} }`;

  beforeAll(async () => {
    await app.commands.execute({
      type: 'RegisterEntity',
      id: 'bulky00001',
      fields: { slug: 'bulky', name: 'Bulky', type: 'organization' },
    });
    await app.commands.execute({ type: 'DefineProperty', id: 'essay', fields: { name: 'essay', dataType: 'text' } });
    for (let i = 0; i < 100; i++) {
      const filler = `${i} `.repeat(5000).slice(0, 10_000);
      await app.commands.execute({ type: 'AssertFact', entity: 'bulky00001', property: 'essay', value: filler, notes: filler });
    }
  }, 300_000);

  /** A raw connection that posts the big query and never reads a byte of the answer. */
  function slowReader(port: number): Promise<net.Socket> {
    const body = JSON.stringify({ query: BIG });
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.pause();
        socket.write(
          `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
        );
        resolve(socket);
      });
      socket.on('error', () => undefined); // the server may reset it: that is the point
      socket.once('error', reject);
    });
  }

  it('keeps only a little of each answer in hand, and lets go of the readers that take nothing', async () => {
    const requests: { path?: string; status?: number; aborted?: boolean; durationMs?: number }[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => requests.push(JSON.parse(line) as (typeof requests)[number]) });
    const base = await serve({ http: { rateLimitPerMinute: 0, slowReaderTimeoutMs: STALL_MS }, logger });
    // One whole answer first, so that the database's and the gateway's own buffers have grown already.
    const whole = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: BIG }),
    });
    const size = (await whole.arrayBuffer()).byteLength;
    expect(size).toBeGreaterThan(10_000_000);
    const outside = () => process.memoryUsage().arrayBuffers;
    const before = outside();

    const readers = await Promise.all(Array.from({ length: READERS }, () => slowReader(running!.port)));
    connections.push(...readers);
    // Every answer is rendered and stuck in its socket once its request has had time to run (the
    // rendering itself, 120 MB of JSON, is the cost limits' business: this is about what stays).
    await new Promise((r) => setTimeout(r, 3000));
    const held = outside() - before;
    await bystanderAnswered(base);
    // Answered before the stalled readers were let go (after STALL_MS), so not held up by them.
    const droppedBeforeAnswer = requests.filter((r) => r.path === '/graphql' && r.aborted).length;
    // Bytes outside the JS heap: the answers' encoded copies. A piece per reader, not whole answers
    // (ten of them would be 120 MB, less what the kernel's socket buffers took).
    expect(held).toBeLessThan(READERS * 2_000_000);
    expect(droppedBeforeAnswer).toBe(0);

    // The readers that took nothing are disconnected after the stall and their requests end.
    const started = performance.now();
    const ended = () => requests.filter((r) => r.path === '/graphql' && r.aborted).length;
    while (ended() < READERS && performance.now() - started < 30_000) await new Promise((r) => setTimeout(r, 100));
    expect(ended()).toBe(READERS);
    await bystanderAnswered(base);
  });
});
