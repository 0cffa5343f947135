import { startReplicaCluster, type ReplicaCluster } from '../support/replica-cluster';
import { assertFact, defineBasics, startGateway, type GatewayProcess } from './gateway-process';

// A real primary with a streaming hot standby, and two `factlog serve` processes: one writes to the
// primary, the other reads from the replica (DATABASE_READ_URL). Runs without DATABASE_URL: it
// brings its own cluster, in the PGlite and the PostgreSQL runs of the suite alike.
jest.setTimeout(120_000);

const WAIT_MS = 1500;
let cluster: ReplicaCluster;
let writer: GatewayProcess;
let reader: GatewayProcess;

beforeAll(async () => {
  cluster = await startReplicaCluster({ replicas: 1 });
  const primary = cluster.primary.url;
  writer = await startGateway('writer', { DATABASE_URL: primary });
  // The writer migrated the primary; the reader starts once the standby has replayed that, as a
  // deployment would (a replica without the tables is left out of the rotation for a while).
  for (let i = 0; i < 200; i++) {
    const [{ ready }] = await cluster.query<{ ready: boolean }>(cluster.replicas[0], "SELECT to_regclass('log_head') IS NOT NULL AS ready");
    if (ready) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  reader = await startGateway('reader', {
    DATABASE_URL: primary,
    DATABASE_READ_URL: cluster.replicas[0].url,
    FACTLOG_READ_WAIT_MS: String(WAIT_MS),
    FACTLOG_READ_POLL_MS: '10',
    // A loaded CI machine can take over the default second to answer a probe; the stopped-replica
    // test below fails fast (connection refused), so patience here costs nothing.
    FACTLOG_READ_PROBE_TIMEOUT_MS: '10000',
  });
  await defineBasics(writer, 'acme', 'revenue');
});

afterAll(async () => {
  await Promise.all([writer?.stop(), reader?.stop()]);
  await cluster?.resumeReplay(cluster.replicas[0]).catch(() => undefined);
  await cluster?.dispose();
});

const factQuery = (id: string, min?: string) =>
  `{ fact(id: "${id}"${min ? `, minPosition: "${min}"` : ''}) { id value { ... on NumberValue { number } } } }`;

it("reads its own write from the replica when it passes the mutation's position (argument or header)", async () => {
  const written = await assertFact(writer, 'acme', 'revenue', 1);
  const byArgument = await reader.gql(factQuery(written.id, written.position));
  expect(byArgument.errors).toBeUndefined();
  expect(byArgument.data.fact).toEqual({ id: written.id, value: { number: 1 } });
  expect(byArgument.extensions?.basis?.node).toMatch(/^replica 127\.0\.0\.1:\d+\/postgres$/);
  expect(Number(byArgument.extensions!.basis!.position)).toBeGreaterThanOrEqual(Number(written.position));

  const next = await assertFact(writer, 'acme', 'revenue', 2);
  const byHeader = await reader.gql(factQuery(next.id), undefined, { 'X-Factlog-Min-Position': next.position });
  expect(byHeader.data.fact.id).toBe(next.id);
  expect(byHeader.extensions?.basis?.node).toMatch(/^replica /);
  expect(Number(byHeader.extensions!.basis!.position)).toBeGreaterThanOrEqual(Number(next.position));
});

it('waits for a lagging replica up to the bound, then answers from the primary', async () => {
  const replica = cluster.replicas[0];
  await cluster.pauseReplay(replica);
  try {
    const written = await assertFact(writer, 'acme', 'revenue', 3);

    // Without minPosition the replica answers at once, from before the write: the stale read minPosition prevents.
    const stale = await reader.gql(factQuery(written.id));
    expect(stale.data.fact).toBeNull();
    expect(stale.extensions?.basis?.node).toMatch(/^replica /);
    expect(Number(stale.extensions!.basis!.position)).toBeLessThan(Number(written.position));

    const started = Date.now();
    const fellBack = await reader.gql(factQuery(written.id, written.position));
    const waited = Date.now() - started;
    expect(fellBack.data.fact.id).toBe(written.id);
    expect(fellBack.extensions?.basis?.node).toBe('primary');
    expect(waited).toBeGreaterThanOrEqual(WAIT_MS - 50);

    // The replica catches up while the read waits: the replica answers it.
    const pending = reader.gql(factQuery(written.id, written.position));
    await new Promise((r) => setTimeout(r, 300));
    await cluster.resumeReplay(replica);
    const caughtUp = await pending;
    expect(caughtUp.data.fact.id).toBe(written.id);
    expect(caughtUp.extensions?.basis?.node).toMatch(/^replica /);
  } finally {
    await cluster.resumeReplay(replica);
  }
});

it('sends mutations to the primary even through a gateway with replicas', async () => {
  const written = await assertFact(reader, 'acme', 'revenue', 4);
  const read = await reader.gql(factQuery(written.id, written.position));
  expect(read.data.fact).toEqual({ id: written.id, value: { number: 4 } });
  expect(read.extensions?.basis?.node).toMatch(/^replica /);
});

it('says in health which node answered', async () => {
  const viaReplica = await reader.gql('{ health { node leader headPosition } }');
  expect(viaReplica.data.health.node).toMatch(/^replica /);
  expect(typeof viaReplica.data.health.leader).toBe('boolean');
  const viaPrimary = await writer.gql('{ health { node } }');
  expect(viaPrimary.data.health.node).toBe('primary');
  expect(viaPrimary.extensions?.basis?.node).toBeUndefined(); // a gateway without replicas reads only the primary
});

it('refuses a minPosition that is not a position', async () => {
  const r = await reader.gql('{ health { node } }', undefined, { 'X-Factlog-Min-Position': 'soon' });
  expect(r.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
});

it('leaves out a replica that stops answering: the primary serves its reads', async () => {
  await cluster.replicas[0].stop('immediate');
  // A replica is asked before use once it has not answered for a second (the router's staleMs).
  await new Promise((r) => setTimeout(r, 1100));
  const written = await assertFact(writer, 'acme', 'revenue', 5);
  for (const min of [undefined, written.position]) {
    const r = await reader.gql(factQuery(written.id, min));
    expect(r.errors).toBeUndefined();
    expect(r.data.fact.id).toBe(written.id);
    expect(r.extensions?.basis?.node).toBe('primary');
  }
});
