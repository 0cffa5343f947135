import { EventStore } from '../src/store/event-store';
import { startServer, type RunningServer } from '../src/server';
import { createTestDatabase, targetKind, type TestDatabase } from './support/test-database';

let database: TestDatabase;
let server: RunningServer;
let base: string;

beforeAll(async () => {
  database = await createTestDatabase();
  const store = new EventStore(database);
  await store.append('probe', 'no_stream', [{ type: 'Probed', data: {} }]);
  server = await startServer({ database, store, port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${server.port}`;
});
afterAll(async () => {
  await server?.stop();
  await database.dispose();
});

it('answers the probes', async () => {
  expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: 'ok' });
  const ready = await fetch(`${base}/readyz`);
  expect(ready.status).toBe(200);
  expect(await ready.json()).toEqual({ status: 'ready', database: targetKind, headPosition: '1' });
});

it('serves the health query over GraphQL', async () => {
  const res = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ health { database headPosition headRecordedAt } }' }),
  });
  const body = (await res.json()) as { data: { health: { database: string; headPosition: string; headRecordedAt: string } } };
  expect(body.data.health.database).toBe(targetKind);
  expect(body.data.health.headPosition).toBe('1');
  expect(Number.isNaN(Date.parse(body.data.health.headRecordedAt))).toBe(false);
});

it('reports unready once stopping, then closes the port', async () => {
  const other = await startServer({ database, store: new EventStore(database), port: 0, host: '127.0.0.1' });
  await other.stop();
  await expect(fetch(`http://127.0.0.1:${other.port}/healthz`)).rejects.toThrow();
});
