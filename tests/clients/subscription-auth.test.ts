import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { ApiKeys } from '../../src/auth/keys';
import { startSeededServer, type SeededServer } from './seeded-server';

/**
 * A subscriber's API key travels in connectionParams. Clients that send their headers there keep the
 * header's name as written: GraphiQL sends its Headers pane, `{"Authorization": "Bearer …"}`. Where
 * anonymous requests may do nothing, that key must be honoured whatever the case of its name.
 */
let s: SeededServer;
let key: string;
const clients: Client[] = [];

beforeAll(async () => {
  s = await startSeededServer({ anonymous: 'none' });
  ({ key } = await new ApiKeys(s.app.database.db).create('subscriber', 'editor'));
});
afterAll(async () => {
  for (const c of clients) await c.dispose();
  await s?.stop();
});

const SUBSCRIPTION = 'subscription { sourceChanged(id: "YmFkZjUwMz") { position event { type actor } } }';

/** The first thing the subscription delivers: its first change, or the error or close that ended it. */
function firstResult(connectionParams: Record<string, string>, afterPosition: string): Promise<unknown> {
  const client = createClient({ url: s.url.replace('http:', 'ws:'), webSocketImpl: WebSocket, retryAttempts: 0, connectionParams });
  clients.push(client);
  return new Promise((resolve) => {
    const stop = client.subscribe(
      { query: SUBSCRIPTION.replace('sourceChanged(', `sourceChanged(afterPosition: "${afterPosition}", `) },
      {
        next: (value) => {
          stop();
          resolve(value);
        },
        error: (err) => resolve({ closed: (err as { code?: number }).code ?? String(err) }),
        complete: () => resolve({ completed: true }),
      },
    );
  });
}

it.each(['authorization', 'Authorization', 'AUTHORIZATION'])('accepts the key as connectionParams.%s', async (name) => {
  const before = String((await s.app.store.head()).position);
  const res = await fetch(s.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({
      query: `mutation { updateSource(input: { id: "YmFkZjUwMz", set: { title: "Renamed for ${name}" } }) { position } }`,
    }),
  });
  expect(await res.json()).not.toHaveProperty('errors');
  expect(await firstResult({ [name]: `Bearer ${key}` }, before)).toMatchObject({
    data: { sourceChanged: { event: { type: 'SourceUpdated', actor: 'subscriber' } } },
  });
});

it('refuses a subscriber without a key (4403 Forbidden)', async () => {
  expect(await firstResult({}, '0')).toEqual({ closed: 4403 });
  expect(await firstResult({ Authorization: 'Bearer flk_not-a-key' }, '0')).toEqual({ closed: 4403 });
});
