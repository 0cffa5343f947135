import { startServer, type RunningServer } from '../src/server';
import { createTestFactlog, type TestFactlog } from './support/factlog';
import { targetKind } from './support/test-database';

let app: TestFactlog;
let server: RunningServer;
let base: string;

beforeAll(async () => {
  app = await createTestFactlog();
  await app.commands.execute({ type: 'RegisterPublication', id: 'probe', fields: { name: 'Probe' } });
  server = await startServer({ ...app, port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${server.port}`;
});
afterAll(async () => {
  await server?.stop();
  await app.dispose();
});

it('answers the probes', async () => {
  expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: 'ok' });
  const ready = await fetch(`${base}/readyz`);
  expect(ready.status).toBe(200);
  expect(await ready.json()).toEqual({ status: 'ready', database: targetKind, headPosition: '1' });
});

it('serves the health query over GraphQL with the basis in extensions', async () => {
  const res = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ health { database headPosition headRecordedAt } }' }),
  });
  const body = (await res.json()) as {
    data: { health: { database: string; headPosition: string; headRecordedAt: string } };
    extensions: { basis: { position: string; recordedAt: string } };
  };
  expect(body.data.health.database).toBe(targetKind);
  expect(body.data.health.headPosition).toBe('1');
  expect(Number.isNaN(Date.parse(body.data.health.headRecordedAt))).toBe(false);
  expect(body.extensions.basis).toEqual({ position: '1', recordedAt: body.data.health.headRecordedAt });
});

it('reports unready once stopping, then closes the port', async () => {
  const other = await startServer({ ...app, port: 0, host: '127.0.0.1' });
  await other.stop();
  await expect(fetch(`http://127.0.0.1:${other.port}/healthz`)).rejects.toThrow();
});
