/** Everything Factlog reads from its environment, in one place (the README lists the same). */
import { readAnonymousAccess, type AnonymousAccess } from './auth/policy';
import { DEFAULT_READY_TIMEOUT_MS } from './observability/readiness';
import { DEFAULT_LEADER_RETRY_MS } from './replication/leader-election';
import { DEFAULT_CATCH_UP } from './replication/live-log';
import { DEFAULT_READ_WAIT_MS } from './replication/read-router';
import { DEFAULT_HEARTBEAT_MS } from './replication/runtime';

export interface Config {
  databaseUrl?: string;
  /** DATABASE_READ_URL: streaming replicas that serve queries (comma-separated); empty: the primary serves all. */
  databaseReadUrls: string[];
  /** How long a read with minPosition waits for a replica before the primary answers it (ms). */
  readWaitMs: number;
  /** How often a waiting read polls the replicas' applied position (ms). */
  readPollMs: number;
  /** How long a replica may take to say where it is before it is left out for a while. */
  readProbeTimeoutMs: number;
  /** How often a gateway tries for leadership, and a leader checks its session (ms). */
  leaderRetryMs: number;
  /** The leader's heartbeat interval (ms). */
  heartbeatMs: number;
  dataDir: string;
  port: number;
  host: string;
  /** What requests without an API key may do. */
  anonymous: AnonymousAccess;
  maxBodyBytes: number;
  rateLimitPerMinute: number;
  /** A client that takes none of its answer for this long is disconnected (ms). */
  slowReaderTimeoutMs: number;
  /** Open subscription sockets per client address. */
  wsMaxSocketsPerClient: number;
  /** Running subscriptions per socket. */
  wsMaxSubscriptionsPerSocket: number;
  /** Subscriptions replaying history at once, across the gateway. */
  catchUpConcurrency: number;
  /** How long a replaying subscription may leave an event untaken before it is cut off (ms). */
  catchUpStallMs: number;
  introspection: boolean;
  /** Stack traces in GraphQL error responses, for debugging only. */
  debugErrors: boolean;
  statementTimeoutMs: number;
  maxCost: number;
  maxDepth: number;
  /** SQL statements one HTTP request may run (0: no cap). */
  maxStatements: number;
  /** Lexical tokens per GraphQL document. */
  maxTokens: number;
  /** PostgreSQL connections per gateway (the primary's pool; each replica gets one of the same size). */
  poolMax: number;
  /** How long a request waits for a pooled connection before it fails with SERVICE_UNAVAILABLE (0: for ever). */
  poolTimeoutMs: number;
  /** pino's level for the JSON logs on stdout. */
  logLevel: LogLevel;
  /** Who may read GET /metrics. */
  metrics: MetricsAccess;
  /** How long /readyz waits for the database's `SELECT 1` before it answers 503. */
  readyTimeoutMs: number;
  /** FACTLOG_SEED; unset: only an empty embedded store is seeded, never a DATABASE_URL one. */
  seed?: SeedSetting;
}

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
/** `public`: anyone who can reach the port; `admin`: an admin API key; `off`: no /metrics at all. */
export const METRICS_ACCESS = ['public', 'admin', 'off'] as const;
export type MetricsAccess = (typeof METRICS_ACCESS)[number];
/** `example`: load seeds/ at every start (idempotent, so a restart appends nothing); `none`: never. */
export const SEED_SETTINGS = ['example', 'none'] as const;
export type SeedSetting = (typeof SEED_SETTINGS)[number];

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min = 0): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min) throw new Error(`${name} must be an integer ≥ ${min}, got "${raw}"`);
  return n;
}

function oneOf<T extends string>(env: NodeJS.ProcessEnv, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!(allowed as readonly string[]).includes(raw)) throw new Error(`${name} must be one of ${allowed.join(', ')}, got "${raw}"`);
  return raw as T;
}

function boolean(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new Error(`${name} must be true or false, got "${raw}"`);
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = env.PORT ? Number(env.PORT) : 4000;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`PORT must be an integer from 0 to 65535, got "${env.PORT}"`);
  }
  return {
    databaseUrl: env.DATABASE_URL || undefined,
    databaseReadUrls: (env.DATABASE_READ_URL ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0),
    readWaitMs: integer(env, 'FACTLOG_READ_WAIT_MS', DEFAULT_READ_WAIT_MS),
    readPollMs: integer(env, 'FACTLOG_READ_POLL_MS', 20, 1),
    readProbeTimeoutMs: integer(env, 'FACTLOG_READ_PROBE_TIMEOUT_MS', 1000, 1),
    leaderRetryMs: integer(env, 'FACTLOG_LEADER_RETRY_MS', DEFAULT_LEADER_RETRY_MS, 10),
    heartbeatMs: integer(env, 'FACTLOG_HEARTBEAT_MS', DEFAULT_HEARTBEAT_MS, 10),
    dataDir: env.FACTLOG_DATA_DIR || './.factlog-data',
    port,
    host: env.HOST || '0.0.0.0',
    anonymous: readAnonymousAccess(env.FACTLOG_ANONYMOUS || undefined),
    maxBodyBytes: integer(env, 'FACTLOG_MAX_BODY_BYTES', 1_000_000, 1),
    rateLimitPerMinute: integer(env, 'FACTLOG_RATE_LIMIT', 600),
    slowReaderTimeoutMs: integer(env, 'FACTLOG_SLOW_READER_TIMEOUT_MS', 10_000, 1),
    wsMaxSocketsPerClient: integer(env, 'FACTLOG_WS_MAX_SOCKETS', 20, 1),
    wsMaxSubscriptionsPerSocket: integer(env, 'FACTLOG_WS_MAX_SUBSCRIPTIONS', 50, 1),
    catchUpConcurrency: integer(env, 'FACTLOG_CATCHUP_CONCURRENCY', DEFAULT_CATCH_UP.concurrency, 1),
    catchUpStallMs: integer(env, 'FACTLOG_CATCHUP_STALL_MS', DEFAULT_CATCH_UP.stallMs, 1),
    // Introspection helps people explore; production deployments usually switch it off.
    introspection: boolean(env, 'FACTLOG_INTROSPECTION', env.NODE_ENV !== 'production'),
    debugErrors: boolean(env, 'FACTLOG_DEBUG_ERRORS', false),
    statementTimeoutMs: integer(env, 'FACTLOG_STATEMENT_TIMEOUT_MS', 15_000),
    maxCost: integer(env, 'FACTLOG_MAX_COST', 50_000, 1),
    maxDepth: integer(env, 'FACTLOG_MAX_DEPTH', 15, 1),
    maxStatements: integer(env, 'FACTLOG_MAX_STATEMENTS', 500),
    maxTokens: integer(env, 'FACTLOG_MAX_TOKENS', 10_000, 1),
    poolMax: integer(env, 'FACTLOG_POOL_MAX', 10, 1),
    poolTimeoutMs: integer(env, 'FACTLOG_POOL_TIMEOUT_MS', 10_000),
    logLevel: oneOf(env, 'FACTLOG_LOG_LEVEL', LOG_LEVELS, 'info'),
    metrics: oneOf(env, 'FACTLOG_METRICS', METRICS_ACCESS, 'public'),
    readyTimeoutMs: integer(env, 'FACTLOG_READY_TIMEOUT_MS', DEFAULT_READY_TIMEOUT_MS, 1),
    seed: env.FACTLOG_SEED ? oneOf(env, 'FACTLOG_SEED', SEED_SETTINGS, 'none') : undefined,
  };
}
