import pg from 'pg';
import type { Heartbeat } from '../../src/replication/heartbeat';
import { HEARTBEAT_CHANNEL } from '../../src/replication/heartbeat';
import { startReplicaCluster, type ReplicaCluster } from '../support/replica-cluster';
import { eventually, startGateway, type GatewayProcess } from './gateway-process';

// Two `factlog serve` processes on one throwaway primary elect one leader with an advisory lock; the
// leader runs the once-only job (the log-head heartbeat on `factlog_heartbeat`). When the leader's
// session is killed, or the leader process dies, the other gateway takes over.
jest.setTimeout(120_000);

const RETRY_MS = 200;
let cluster: ReplicaCluster;
let gateways: GatewayProcess[];
let listener: pg.Client;
const beats: (Heartbeat & { receivedAt: number })[] = [];

beforeAll(async () => {
  cluster = await startReplicaCluster({ replicas: 0 });
  const env = { DATABASE_URL: cluster.primary.url, FACTLOG_LEADER_RETRY_MS: String(RETRY_MS), FACTLOG_HEARTBEAT_MS: '100' };
  // One first, so the test knows who leads at the start (the other may not win a race it never runs).
  const first = await startGateway('a', env);
  gateways = [first, await startGateway('b', env)];
  listener = new pg.Client({ connectionString: cluster.primary.url });
  await listener.connect();
  listener.on('notification', (msg) => {
    if (msg.channel === HEARTBEAT_CHANNEL && msg.payload) beats.push({ ...(JSON.parse(msg.payload) as Heartbeat), receivedAt: Date.now() });
  });
  await listener.query(`LISTEN ${HEARTBEAT_CHANNEL}`);
});

afterAll(async () => {
  await listener?.end().catch(() => undefined);
  await Promise.all((gateways ?? []).map((g) => g.stop()));
  await cluster?.dispose();
});

async function leaderFlags(): Promise<(boolean | null)[]> {
  return Promise.all(gateways.map(async (g) => (g.exited ? null : ((await g.gql('{ health { leader } }')).data.health.leader as boolean))));
}

/** The one gateway that says it leads, once exactly one does (and the rest say they do not). */
function soleLeader(): Promise<GatewayProcess> {
  return eventually(
    async () => {
      const flags = await leaderFlags();
      const leading = gateways.filter((_, i) => flags[i] === true);
      return leading.length === 1 && flags.filter((f) => f === false).length === gateways.filter((g) => !g.exited).length - 1
        ? leading[0]
        : undefined;
    },
    15_000,
    'exactly one leader',
  );
}

const beatsFrom = (g: GatewayProcess, since: number) => beats.filter((b) => b.receivedAt >= since && b.gateway.includes(`:${g.pid}:`));

/** Heartbeats in a window all come from one gateway. */
async function beatingOnlyFrom(g: GatewayProcess): Promise<void> {
  const since = Date.now();
  await eventually(async () => (beatsFrom(g, since).length >= 3 ? true : undefined), 10_000, `heartbeats from ${g.name}`);
  const window = beats.filter((b) => b.receivedAt >= since);
  expect(window.every((b) => b.gateway.includes(`:${g.pid}:`))).toBe(true);
}

async function lockHolders(): Promise<number[]> {
  const rows = await cluster.query<{ pid: number }>(cluster.primary, "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted");
  return rows.map((r) => r.pid);
}

it('elects exactly one leader, which alone runs the heartbeat', async () => {
  const leader = await soleLeader();
  expect(leader.name).toBe('a');
  expect(await lockHolders()).toHaveLength(1);
  await beatingOnlyFrom(leader);
  const beat = beats[beats.length - 1];
  expect(beat.position).toMatch(/^\d+$/);
});

it("hands over when the leader's session is terminated (pg_terminate_backend)", async () => {
  const leader = await soleLeader();
  const [pid] = await lockHolders();
  await cluster.query(cluster.primary, 'SELECT pg_terminate_backend($1)', [pid]);
  const next = await eventually(
    async () => {
      const l = await soleLeader();
      return l !== leader ? l : undefined;
    },
    15_000,
    'the other gateway to lead',
  );
  expect(next).not.toBe(leader);
  expect(await lockHolders()).toHaveLength(1);
  await beatingOnlyFrom(next);
  // The old leader is still up, as a follower, and answers.
  expect((await leader.gql('{ health { leader } }')).data.health.leader).toBe(false);
});

it('hands over when the leader process dies', async () => {
  const leader = await soleLeader();
  const survivor = gateways.find((g) => g !== leader)!;
  const killedAt = Date.now();
  await leader.kill();
  const next = await soleLeader();
  expect(next).toBe(survivor);
  await beatingOnlyFrom(survivor);
  // Hand-over takes about one retry interval after PostgreSQL notices the session is gone.
  expect(Date.now() - killedAt).toBeLessThan(15_000);
});
