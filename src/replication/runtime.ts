import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { FactlogDb } from '../projections/tables';
import type { Database } from '../store/database';
import type { EventStore } from '../store/event-store';
import { HeartbeatJob } from './heartbeat';
import { LeaderElection, SoleLeader, type Election } from './leader-election';
import { LiveLog } from './live-log';
import { ReadRouter, type ReadModelsOver } from './read-router';

export interface ReplicationOptions {
  /** Streaming replicas to send queries to (opened by the caller, who also closes them). */
  readReplicas?: Database[];
  /** How long a read with `minPosition` waits for a replica before reading from the primary (ms). */
  readWaitMs?: number;
  /** How often a waiting read polls the replicas' `log_head` (ms). */
  readPollMs?: number;
  readProbeTimeoutMs?: number;
  /** How often a follower tries for leadership, and a leader checks its session (ms). */
  leaderRetryMs?: number;
  /** The leader's heartbeat interval (ms). */
  heartbeatMs?: number;
  /** The poll interval behind live subscriptions, when a notification is lost (ms). */
  livePollMs?: number;
  /** Subscriptions reading history at once, and how long one may stall its turn (src/replication/live-log.ts). */
  catchUpConcurrency?: number;
  catchUpStallMs?: number;
  /** Names this gateway in heartbeats and logs (default: host name, pid and a random suffix). */
  gatewayId?: string;
}

/** What a gateway runs to take part in a deployment of many (docs/deployment.md). */
export interface Replication {
  readonly gatewayId: string;
  readonly router: ReadRouter;
  readonly election: Election;
  readonly heartbeat: HeartbeatJob;
  readonly live: LiveLog;
  /** True while this gateway holds the leader lock (and runs the once-only jobs). */
  readonly isLeader: boolean;
  stop(): Promise<void>;
}

export const DEFAULT_HEARTBEAT_MS = 5000;

/** Starts the router, the leader election (and the job it guards) and the live log of one gateway. */
export async function startReplication(
  primary: { database: Database; store: EventStore; db: FactlogDb },
  options: ReplicationOptions = {},
  /** How a replica's store and read models are opened (src/app.ts, `factlogOver`). */
  over: ReadModelsOver,
): Promise<Replication> {
  const gatewayId = options.gatewayId ?? `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const router = new ReadRouter(primary, options.readReplicas ?? [], over, {
    waitMs: options.readWaitMs,
    pollMs: options.readPollMs,
    probeTimeoutMs: options.readProbeTimeoutMs,
  });
  const warn = (err: unknown) => process.emitWarning(`leader election (${gatewayId}): ${err instanceof Error ? err.message : String(err)}`);
  let heartbeat: HeartbeatJob | undefined;
  const hooks = {
    onElected: () => heartbeat?.start(),
    onDemoted: () => heartbeat?.stop(),
  };
  const openSession = primary.database.openSession;
  const election: Election = openSession
    ? new LeaderElection({ connect: openSession, name: 'leader', retryMs: options.leaderRetryMs, onError: warn, ...hooks })
    : new SoleLeader(hooks, (text, params) => primary.database.pool.query(text, params));
  heartbeat = new HeartbeatJob(election, gatewayId, options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS, warn);
  const live = new LiveLog(primary.store, {
    pollIntervalMs: options.livePollMs,
    catchUpConcurrency: options.catchUpConcurrency,
    catchUpStallMs: options.catchUpStallMs,
  });
  await election.start();
  return {
    gatewayId,
    router,
    election,
    heartbeat,
    live,
    get isLeader() {
      return election.isLeader;
    },
    async stop() {
      await live.close();
      await election.stop();
      await heartbeat.stop();
    },
  };
}
