import type pg from 'pg';
import { factlogOver } from '../../src/app';
import { ApiKeys } from '../../src/auth/keys';
import { verifyLog } from '../../src/projections/audit';
import { loadSeeds } from '../../src/seed';
import { startServer, type RunningServer } from '../../src/server';
import { openPostgres, type Database } from '../../src/store/database';
import { migrateToLatest } from '../../src/store/migrate';
import { createTestFactlog } from '../support/factlog';
import { createScratchDatabase, targetKind } from '../support/test-database';
import { startThrowawayCluster, type ThrowawayCluster } from '../support/throwaway-cluster';

/**
 * Production hardening, part 6: a gateway with a tiny connection pool under many concurrent requests.
 * Requests either queue and succeed or, when no connection frees up within the pool's wait bound, fail
 * at once with SERVICE_UNAVAILABLE (HTTP 503); nothing deadlocks (every request finishes), nothing is
 * half-written, and the gateway serves normally afterwards.
 *
 * The pool is held deterministically: the test checks out every pooled connection itself, so "busy" does
 * not depend on how fast this machine runs a slow query. That needs PostgreSQL: a fresh database on
 * DATABASE_URL's server, or (in the PGlite pass) on a cluster this file starts. The last test also runs
 * on the pass's own target, PGlite's single queued connection included.
 */

let cluster: ThrowawayCluster | undefined;

afterAll(async () => {
  await cluster?.dispose();
});

async function postgresUrl(): Promise<{ url: string; drop(): Promise<void> }> {
  if (process.env.DATABASE_URL) return createScratchDatabase(process.env.DATABASE_URL, 'factlog_pool');
  cluster ??= await startThrowawayCluster();
  return { url: await cluster.createDatabase(), drop: async () => undefined };
}

interface Outcome {
  kind: 'read' | 'keyed read' | 'write';
  status: number;
  codes: string[];
  position?: string;
  factId?: string;
}

const WRITE =
  'mutation($asOf: PartialDate!) { assertFact(input: { entity: "anthropic", property: "safety-level", value: "ASL-5", asOf: $asOf }) { position fact { id } } }';
const READ = 'query Read { fact(id: "f_BnkEWenniQ") { id version } health { headPosition } }';

/** A gateway over a seeded store, with an editor key. */
async function gatewayOver(
  database: Database,
  seeded: boolean,
): Promise<{ server: RunningServer; endpoint: string; base: string; key: string }> {
  const app = factlogOver(database);
  if (!seeded) {
    await migrateToLatest(database.db);
    await loadSeeds(app.commands);
  }
  const key = (await new ApiKeys(database.db).create(`pool-${Math.random().toString(36).slice(2, 8)}`, 'editor')).key;
  const server = await startServer({
    ...app,
    port: 0,
    host: '127.0.0.1',
    http: { rateLimitPerMinute: 0 },
    replication: { heartbeatMs: 600_000 },
  });
  const base = `http://127.0.0.1:${server.port}`;
  return { server, base, endpoint: `${base}/graphql`, key };
}

/** `n` requests at once: reads without a key, reads with one (the key lookup needs a connection too), writes. */
function burst(endpoint: string, key: string, n: number, tag: number): Promise<Outcome>[] {
  return Array.from({ length: n }, async (_, i) => {
    const kind: Outcome['kind'] = i % 3 === 0 ? 'read' : i % 3 === 1 ? 'keyed read' : 'write';
    const res = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(kind === 'read' ? {} : { authorization: `Bearer ${key}` }) },
      body: JSON.stringify(kind === 'write' ? { query: WRITE, variables: { asOf: String(2100 + tag * 100 + i) } } : { query: READ }),
    });
    const body = (await res.json()) as { data?: any; errors?: { extensions?: { code?: string } }[] };
    return {
      kind,
      status: res.status,
      codes: (body.errors ?? []).map((e) => String(e.extensions?.code)),
      position: body.data?.assertFact?.position,
      factId: body.data?.assertFact?.fact?.id,
    };
  });
}

/** Checks out every connection of the pool, so the gateway has none until `release`. */
async function holdAll(database: Database, size: number): Promise<{ release(): void }> {
  const held: pg.PoolClient[] = [];
  for (let i = 0; i < size; i++) held.push(await database.pool.connect());
  return { release: () => held.splice(0).forEach((c) => c.release()) };
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 20));
}

async function expectHealthy(database: Database, base: string, endpoint: string, key: string): Promise<void> {
  const after = await Promise.all(burst(endpoint, key, 12, 9));
  expect(after.filter((o) => o.status !== 200 || o.codes.length > 0)).toEqual([]);
  expect((await fetch(`${base}/readyz`)).status).toBe(200);
  expect(await verifyLog(factlogOver(database).db)).toMatchObject({ ok: true });
}

it('an exhausted pool fails requests fast with SERVICE_UNAVAILABLE, writes nothing half-way, and recovers', async () => {
  const target = await postgresUrl();
  // Two connections; a request waits at most 1 s for one.
  const database = openPostgres({ url: target.url, maxConnections: 2, connectionTimeoutMs: 1000 });
  let gateway: Awaited<ReturnType<typeof gatewayOver>> | undefined;
  try {
    gateway = await gatewayOver(database, false);
    const { base, endpoint, key } = gateway;
    const headBefore = (await factlogOver(database).store.head()).position;

    const hold = await holdAll(database, 2);
    let outcomes: Outcome[];
    let ready: Response;
    try {
      [outcomes, ready] = await Promise.all([Promise.all(burst(endpoint, key, 30, 1)), fetch(`${base}/readyz`)]);
    } finally {
      hold.release();
    }
    // Every request got an answer, each a clean 503 with the code, none an internal error.
    expect(outcomes).toHaveLength(30);
    expect(outcomes.filter((o) => o.status !== 503 || o.codes.join() !== 'SERVICE_UNAVAILABLE')).toEqual([]);
    expect(ready.status).toBe(503);
    // No write got through, so none can be half-written either.
    expect((await factlogOver(database).store.head()).position).toBe(headBefore);

    // The same gateway serves normally again.
    await expectHealthy(database, base, endpoint, key);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/^factlog_graphql_errors_total\{code="SERVICE_UNAVAILABLE"\} 30$/m);
  } finally {
    await gateway?.server.stop();
    await database.close();
    await target.drop();
  }
}, 300_000);

it('with a longer wait bound, requests queue for the held pool and all succeed once it frees up: no deadlock', async () => {
  const target = await postgresUrl();
  const database = openPostgres({ url: target.url, maxConnections: 2, connectionTimeoutMs: 120_000 });
  let gateway: Awaited<ReturnType<typeof gatewayOver>> | undefined;
  try {
    gateway = await gatewayOver(database, false);
    const { base, endpoint, key } = gateway;
    const headBefore = (await factlogOver(database).store.head()).position;

    const hold = await holdAll(database, 2);
    const pending = Promise.all(burst(endpoint, key, 45, 2));
    // Let them pile up behind the held connections before letting go.
    await until(() => database.pool.waitingCount >= 20);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(Number(/^factlog_db_pool_connections\{node="primary",state="waiting"\} (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(20);
    hold.release();
    const outcomes = await pending;

    expect(outcomes.filter((o) => o.status !== 200 || o.codes.length > 0)).toEqual([]);
    // Every write was applied exactly once, at its own position.
    const writes = outcomes.filter((o) => o.kind === 'write');
    expect(new Set(writes.map((o) => o.position)).size).toBe(writes.length);
    expect((await factlogOver(database).store.head()).position).toBe(headBefore + writes.length);
    await expectHealthy(database, base, endpoint, key);
  } finally {
    await gateway?.server.stop();
    await database.close();
    await target.drop();
  }
}, 300_000);

it(`on this run's own database (${targetKind}), a small pool serves a burst of concurrent reads and writes`, async () => {
  // PGlite has one connection and queues everyone on it; PostgreSQL gets a pool of two.
  const app = await createTestFactlog({ maxConnections: 2 });
  let server: RunningServer | undefined;
  try {
    await loadSeeds(app.commands);
    const gateway = await gatewayOver(app.database, true);
    server = gateway.server;
    const headBefore = (await app.store.head()).position;
    const outcomes = await Promise.all(burst(gateway.endpoint, gateway.key, 60, 3));
    expect(outcomes.filter((o) => o.status !== 200 || o.codes.length > 0)).toEqual([]);
    expect((await app.store.head()).position).toBe(headBefore + outcomes.filter((o) => o.kind === 'write').length);
    await expectHealthy(app.database, gateway.base, gateway.endpoint, gateway.key);
  } finally {
    await server?.stop();
    await app.dispose();
  }
}, 300_000);
