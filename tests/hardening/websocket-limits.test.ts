import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { createLogger } from '../../src/observability/logger';
import { startServer, type RunningServer } from '../../src/server';
import { createTestFactlog, type TestFactlog } from '../support/factlog';

/**
 * Subscriptions sit on long-lived sockets that HTTP's per-minute rate limit does not see: a client
 * may hold only so many sockets, so many subscriptions on each, and send messages no bigger than a
 * request body. Over any limit it gets a clear refusal, and the gateway keeps serving everyone else.
 */

let app: TestFactlog;
let server: RunningServer;
let wsUrl: string;
const sockets: WebSocket[] = [];
const clients: Client[] = [];

const MAX_SOCKETS = 3;
const MAX_SUBSCRIPTIONS = 2;
const MAX_PAYLOAD = 10_000;
/** The server's JSON log lines (graphql-ws's own errors go there too, not to the console). */
const logged: { level: string; msg: string; err?: { message?: string } }[] = [];

beforeAll(async () => {
  app = await createTestFactlog();
  await app.commands.execute({
    type: 'RegisterEntity',
    id: 'wsentity01',
    fields: { slug: 'ws-entity', name: 'Followed', type: 'organization' },
  });
  server = await startServer({
    ...app,
    port: 0,
    host: '127.0.0.1',
    http: { rateLimitPerMinute: 0, maxBodyBytes: MAX_PAYLOAD },
    websocket: { maxSocketsPerClient: MAX_SOCKETS, maxSubscriptionsPerSocket: MAX_SUBSCRIPTIONS },
    replication: { heartbeatMs: 600_000, leaderRetryMs: 600_000 },
    logger: createLogger({ destination: { write: (line: string) => void logged.push(JSON.parse(line)) } }),
  });
  wsUrl = `ws://127.0.0.1:${server.port}/graphql`;
});

afterAll(async () => {
  for (const c of clients) await c.dispose();
  for (const s of sockets) s.terminate();
  await server?.stop();
  await app?.dispose();
});

/** Opens a raw graphql-ws socket; resolves when open, or with the HTTP status the upgrade was refused with. */
function open(): Promise<{ socket: WebSocket } | { refused: number }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(wsUrl, 'graphql-transport-ws');
    socket.once('open', () => {
      // Acknowledged sockets stay open (unacknowledged ones are closed after graphql-ws's init timeout).
      socket.send(JSON.stringify({ type: 'connection_init' }));
      sockets.push(socket);
      resolve({ socket });
    });
    socket.once('unexpected-response', (_req, res) => resolve({ refused: res.statusCode ?? 0 }));
    socket.once('error', (err) => reject(err));
  });
}

const closed = (socket: WebSocket) =>
  new Promise<number>((resolve) => {
    if (socket.readyState === WebSocket.CLOSED) resolve(0);
    else socket.once('close', (code) => resolve(code));
  });

async function healthy(): Promise<void> {
  const res = await fetch(`http://127.0.0.1:${server.port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ health { headPosition } }' }),
  });
  expect(res.status).toBe(200);
}

it('refuses a socket over the per-address limit with HTTP 429, and accepts one again once a socket closes', async () => {
  const opened = [];
  for (let i = 0; i < MAX_SOCKETS; i++) opened.push(await open());
  expect(opened.every((o) => 'socket' in o)).toBe(true);
  expect(await open()).toEqual({ refused: 429 });

  const first = (opened[0] as { socket: WebSocket }).socket;
  const gone = closed(first);
  first.close();
  await gone;
  // The server counts the close asynchronously: retry briefly rather than assume its timing.
  let again: Awaited<ReturnType<typeof open>> = { refused: 0 };
  for (let i = 0; i < 50 && !('socket' in again); i++) {
    again = await open();
    if (!('socket' in again)) await new Promise((r) => setTimeout(r, 20));
  }
  expect('socket' in again).toBe(true);
  for (const s of sockets.splice(0)) {
    const done = closed(s);
    s.close();
    await done;
  }
  await healthy();
});

it('closes a socket that sends a message over the size limit (1009) and keeps serving', async () => {
  let opened: Awaited<ReturnType<typeof open>> = { refused: 0 };
  for (let i = 0; i < 50 && !('socket' in opened); i++) {
    opened = await open();
    if (!('socket' in opened)) await new Promise((r) => setTimeout(r, 20));
  }
  const { socket } = opened as { socket: WebSocket };
  const code = closed(socket);
  socket.send(JSON.stringify({ type: 'connection_init', payload: { padding: 'x'.repeat(MAX_PAYLOAD * 2) } }));
  expect(await code).toBe(1009);
  await healthy();
  expect(logged.filter((l) => l.msg === 'internal error on a WebSocket socket')).toEqual([
    expect.objectContaining({ level: 'error', err: expect.objectContaining({ message: 'Max payload size exceeded' }) }),
  ]);
});

it('refuses a subscription over the per-socket limit with RATE_LIMITED, keeping the others', async () => {
  const client = createClient({ url: wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, lazy: false });
  clients.push(client);
  const outcomes: Promise<{ ok: boolean; errors?: unknown }>[] = [];
  const subscribe = () => {
    let settle!: (v: { ok: boolean; errors?: unknown }) => void;
    const outcome = new Promise<{ ok: boolean; errors?: unknown }>((r) => (settle = r));
    client.subscribe(
      { query: 'subscription { factChanged(entity: "ws-entity") { position } }' },
      {
        next: () => undefined,
        error: (errors) => settle({ ok: false, errors }),
        complete: () => settle({ ok: true }),
      },
    );
    return outcome;
  };
  for (let i = 0; i < MAX_SUBSCRIPTIONS; i++) outcomes.push(subscribe());
  const over = await subscribe();
  expect(over.ok).toBe(false);
  expect(JSON.stringify(over.errors)).toContain('RATE_LIMITED');
  // The first ones are still running (not settled).
  const settled = await Promise.race([Promise.all(outcomes).then(() => true), new Promise((r) => setTimeout(() => r(false), 200))]);
  expect(settled).toBe(false);
  await healthy();
});
