import type { Client } from 'graphql-ws';
import { startReplicaCluster, type ReplicaCluster } from '../support/replica-cluster';
import { assertFact, defineBasics, eventually, startGateway, type GatewayProcess } from './gateway-process';

// Live updates over graphql-ws across gateway processes: a subscriber on one gateway receives what is
// written through another (both follow the shared log), and one that disconnects and resubscribes
// with the last position it received gets exactly the changes it missed, then live ones again.
jest.setTimeout(120_000);

let cluster: ReplicaCluster;
let writer: GatewayProcess;
let follower: GatewayProcess;
const clients: Client[] = [];

beforeAll(async () => {
  cluster = await startReplicaCluster({ replicas: 0 });
  const env = { DATABASE_URL: cluster.primary.url };
  [writer, follower] = await Promise.all([startGateway('writer', env), startGateway('follower', env)]);
  await defineBasics(writer, 'acme', 'revenue');
  await defineBasics(writer, 'globex', 'employees');
});

afterAll(async () => {
  for (const c of clients) await c.dispose();
  await Promise.all([writer?.stop(), follower?.stop()]);
  await cluster?.dispose();
});

interface Change {
  position: string;
  event: { type: string; stream: string };
  fact?: { id: string; version: number; value: { number: number } | null } | null;
  source?: { id: string; title: string | null } | null;
}

/** Subscribes and collects what arrives; `done` settles when the server completes or fails it. */
function collect(client: Client, query: string, variables: Record<string, unknown>) {
  const received: Change[] = [];
  let failure: unknown = null;
  const done = new Promise<void>((resolve) => {
    client.subscribe<Record<string, Change>>(
      { query, variables },
      {
        next: (msg) => {
          if (msg.errors) failure = msg.errors;
          const change = msg.data && Object.values(msg.data)[0];
          if (change) received.push(change);
        },
        error: (err) => {
          failure = err;
          resolve();
        },
        complete: () => resolve(),
      },
    );
  });
  return {
    received,
    done,
    failure: () => failure,
    until: (n: number) =>
      eventually(
        async () => {
          if (failure) throw new Error(JSON.stringify(failure));
          return received.length >= n ? received : undefined;
        },
        20_000,
        `${n} changes (have ${received.length})`,
      ),
  };
}

const FACT_CHANGED = `subscription($entity: ID!, $after: String) {
  factChanged(entity: $entity, afterPosition: $after) {
    position event { type stream } fact { id version value { ... on NumberValue { number } } }
  }
}`;

async function head(g: GatewayProcess): Promise<string> {
  return (await g.gql('{ health { headPosition } }')).data.health.headPosition as string;
}

it('delivers writes made through another gateway, and exactly the missed ones after a reconnect', async () => {
  const start = await head(writer);
  const first = follower.ws();
  clients.push(first);
  const live = collect(first, FACT_CHANGED, { entity: 'acme', after: start });

  const a1 = await assertFact(writer, 'acme', 'revenue', 1);
  await assertFact(writer, 'globex', 'employees', 10); // another entity: filtered out
  const a2 = await assertFact(writer, 'acme', 'revenue', 2);
  await live.until(2);
  expect(live.received.map((c) => c.position)).toEqual([a1.position, a2.position]);
  expect(live.received[0]).toMatchObject({
    event: { type: 'FactAsserted', stream: `fact-${a1.id}` },
    fact: { id: a1.id, version: 1, value: { number: 1 } },
  });

  // The subscriber goes away; the log moves on without it.
  await first.dispose();
  const lastSeen = live.received[live.received.length - 1].position;
  const missed1 = await assertFact(writer, 'acme', 'revenue', 3);
  await assertFact(writer, 'globex', 'employees', 11);
  const corrected = await writer.gql(
    `mutation { correctFact(input: { id: "${a1.id}", expectedVersion: 1, set: { value: 1.5 } }) { position } }`,
  );
  expect(corrected.errors).toBeUndefined();
  const missed3 = await assertFact(writer, 'acme', 'revenue', 4);

  // Back, from the last position it received: the missed changes, in order, once each; then live ones.
  const second = follower.ws();
  clients.push(second);
  const resumed = collect(second, FACT_CHANGED, { entity: 'acme', after: lastSeen });
  await resumed.until(3);
  const after = await assertFact(writer, 'acme', 'revenue', 5);
  await resumed.until(4);
  await new Promise((r) => setTimeout(r, 300)); // nothing more arrives
  expect(resumed.received.map((c) => c.position)).toEqual([
    missed1.position,
    corrected.data.correctFact.position,
    missed3.position,
    after.position,
  ]);
  expect(resumed.received.map((c) => c.event.type)).toEqual(['FactAsserted', 'FactCorrected', 'FactAsserted', 'FactAsserted']);
  // Each change carries the fact as known right after it.
  expect(resumed.received[1].fact).toMatchObject({ id: a1.id, version: 2, value: { number: 1.5 } });
});

it("catches up after the subscriber's gateway itself crashes, through another gateway", async () => {
  const spare = await startGateway('spare', { DATABASE_URL: cluster.primary.url });
  try {
    const start = await head(writer);
    const client = spare.ws();
    clients.push(client);
    const live = collect(client, FACT_CHANGED, { entity: 'globex', after: start });
    const g1 = await assertFact(writer, 'globex', 'employees', 20);
    await live.until(1);
    await spare.kill();
    await live.done; // the socket dropped
    const g2 = await assertFact(writer, 'globex', 'employees', 21);
    const g3 = await assertFact(writer, 'globex', 'employees', 22);

    const again = follower.ws();
    clients.push(again);
    const resumed = collect(again, FACT_CHANGED, { entity: 'globex', after: live.received[0].position });
    await resumed.until(2);
    expect(live.received.map((c) => c.position)).toEqual([g1.position]);
    expect(resumed.received.map((c) => c.position)).toEqual([g2.position, g3.position]);
  } finally {
    await spare.kill();
  }
});

it('follows one source, by any of its ids', async () => {
  const before = await head(writer);
  const registered = await writer.gql(
    `mutation { registerSource(input: { url: "https://example.org/report", title: "Report" }) { position source { id stableId } } }`,
  );
  expect(registered.errors).toBeUndefined();
  const { id, stableId } = registered.data.registerSource.source;
  const client = follower.ws();
  clients.push(client);
  const changes = collect(
    client,
    `subscription($id: ID!, $after: String) {
    sourceChanged(id: $id, afterPosition: $after) { position event { type } source { id title } }
  }`,
    { id: stableId, after: before },
  );
  await changes.until(1);
  const updated = await writer.gql(`mutation { updateSource(input: { id: "${id}", set: { title: "Report, revised" } }) { position } }`);
  expect(updated.errors).toBeUndefined();
  await changes.until(2);
  expect(changes.received.map((c) => c.event.type)).toEqual(['SourceRegistered', 'SourceUpdated']);
  expect(changes.received[1]).toMatchObject({ position: updated.data.updateSource.position, source: { id, title: 'Report, revised' } });
});

it('serves only subscriptions over WebSocket, and rejects a bad afterPosition', async () => {
  const client = follower.ws();
  clients.push(client);
  const query = collect(client, '{ health { headPosition } }', {});
  await query.done;
  expect(JSON.stringify(query.failure())).toContain('only subscriptions are served over WebSocket');
  const bad = collect(client, FACT_CHANGED, { entity: 'acme', after: 'yesterday' });
  await bad.done;
  expect(JSON.stringify(bad.failure())).toContain('afterPosition must be a log position');
});
