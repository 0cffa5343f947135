import { openFactlog } from '../app';
import { readConfig } from '../config';
import { createLogger } from '../observability/logger';
import { loadSeeds } from '../seed';
import { startServer } from '../server';
import { openPostgres } from '../store/database';
import { StoreInUseError } from '../store/folder-lock';
import type { Command } from './command';

export const serveCommand: Command = {
  name: 'serve',
  summary: 'serve the GraphQL API (migrates first)',
  help: `
Usage: factlog serve [--port N] [--host H]

Starts the GraphQL gateway on http://localhost:4000/graphql, after migrating the database.
On the embedded database (no DATABASE_URL), an empty store is first loaded with seeds/;
FACTLOG_SEED=example loads seeds/ into any store (idempotent), FACTLOG_SEED=none into none.
Probes: GET /healthz (process up), GET /readyz (database answers SELECT 1 and is migrated; else 503
with a reason). Prometheus metrics: GET /metrics. Logs: one JSON line per request on stdout.
Subscriptions: graphql-ws over WebSocket on the same path. Run any number of gateways on one
primary; see docs/deployment.md.
SIGTERM or SIGINT: stop accepting, finish in-flight requests, close the database, exit 0.

Options:
  --port N   port to listen on (default: PORT or 4000; 0 picks a free port)
  --host H   interface to bind (default: HOST or 0.0.0.0)

Environment:
  DATABASE_URL       PostgreSQL connection string; unset: embedded PGlite
  DATABASE_READ_URL  streaming replicas for queries, comma-separated (needs DATABASE_URL)
  FACTLOG_READ_WAIT_MS (2000), FACTLOG_READ_POLL_MS (20)   how long and how often a read with
                     minPosition waits for a replica before the primary answers it
  FACTLOG_READ_PROBE_TIMEOUT_MS (1000)   a replica slower than this to report its position sits out 5 s
  FACTLOG_LEADER_RETRY_MS (2000), FACTLOG_HEARTBEAT_MS (5000)   leader election and its heartbeat job
  FACTLOG_DATA_DIR   PGlite data folder (default ./.factlog-data)
  PORT, HOST         as the options
  FACTLOG_ANONYMOUS  what requests without an API key may do: none, read (default) or write
  FACTLOG_MAX_BODY_BYTES, FACTLOG_RATE_LIMIT (per minute, 0: off), FACTLOG_INTROSPECTION,
  FACTLOG_WS_MAX_SOCKETS (subscription sockets per address, 20), FACTLOG_WS_MAX_SUBSCRIPTIONS (per socket, 50),
  FACTLOG_SLOW_READER_TIMEOUT_MS (10000)   a client that takes none of its answer for this long is cut off
  FACTLOG_CATCHUP_CONCURRENCY (4), FACTLOG_CATCHUP_STALL_MS (5000)   subscriptions replaying history at once,
                     and how long one may leave an event untaken before it is cut off
  FACTLOG_STATEMENT_TIMEOUT_MS, FACTLOG_MAX_COST, FACTLOG_MAX_DEPTH   limits (see README)
  FACTLOG_MAX_STATEMENTS (500)   SQL statements per request before TOO_MANY_STATEMENTS (0: no cap)
  FACTLOG_MAX_TOKENS (10000)   lexical tokens per GraphQL document (GRAPHQL_PARSE_FAILED past it)
  FACTLOG_POOL_MAX (10)   PostgreSQL connections per pool (the primary's, and each replica's)
  FACTLOG_POOL_TIMEOUT_MS (10000)   wait for a free connection before SERVICE_UNAVAILABLE (0: for ever)
  FACTLOG_LOG_LEVEL  trace, debug, info (default), warn, error, fatal or silent
  FACTLOG_METRICS    who may read /metrics: public (default), admin (an admin key) or off
  FACTLOG_DEBUG_ERRORS  true: stack traces in error responses (default false; for debugging only)
  FACTLOG_READY_TIMEOUT_MS (2000)   how long /readyz waits for the database
  FACTLOG_SEED       example: load seeds/ at start, also into a DATABASE_URL store (idempotent); none: never
`,
  options: { port: { type: 'string' }, host: { type: 'string' } },
  async run(values) {
    const config = readConfig({
      ...process.env,
      ...(values.port !== undefined ? { PORT: String(values.port) } : {}),
      ...(values.host !== undefined ? { HOST: String(values.host) } : {}),
    });
    if (config.databaseReadUrls.length > 0 && !config.databaseUrl) {
      process.stderr.write('DATABASE_READ_URL needs DATABASE_URL (read replicas follow a PostgreSQL primary)\n');
      return 2;
    }
    const logger = createLogger({ level: config.logLevel });
    // A crash stays a crash (exit 1, as Node would), but its cause reaches the log collector as JSON.
    const crash = (what: string) => (err: unknown) => {
      logger.fatal({ err }, what);
      process.exit(1);
    };
    process.once('uncaughtException', crash('uncaught exception'));
    process.once('unhandledRejection', crash('unhandled promise rejection'));
    let app: Awaited<ReturnType<typeof openFactlog>>;
    try {
      app = await openFactlog(config);
    } catch (err) {
      // A refusal is an expected answer, not a crash: its message says everything, without a stack.
      if (err instanceof StoreInUseError)
        logger.fatal({ code: err.code, dataDir: err.dataDir, owner: err.owner }, 'the embedded store is open in another process');
      else logger.fatal({ err }, 'could not open and migrate the database');
      throw err;
    }
    if (app.migrations.applied.length > 0) logger.info({ applied: app.migrations.applied }, 'migrations applied');
    // Like openReplicas (replicas are never migrated), with the pool settings of the primary.
    const readReplicas = config.databaseReadUrls.map((url) =>
      openPostgres({
        url,
        statementTimeoutMs: config.statementTimeoutMs,
        maxConnections: config.poolMax,
        connectionTimeoutMs: config.poolTimeoutMs,
      }),
    );
    // The embedded database starts with the example loaded, so a fresh clone shows something at once;
    // a DATABASE_URL store is someone's real data and is seeded only when FACTLOG_SEED=example says so.
    const seed = config.seed ?? (app.database.kind === 'pglite' && (await app.store.head()).position === 0 ? 'example' : 'none');
    if (seed === 'example') {
      const seeded = await loadSeeds(app.commands);
      logger.info(
        { commands: seeded.applied },
        `loaded ${seeded.applied} example commands from seeds/ (${seeded.commands - seeded.applied} were there already)`,
      );
    }
    const server = await startServer({
      ...app,
      port: config.port,
      host: config.host,
      anonymous: config.anonymous,
      limits: { maxCost: config.maxCost, maxDepth: config.maxDepth, maxStatements: config.maxStatements, maxTokens: config.maxTokens },
      http: {
        maxBodyBytes: config.maxBodyBytes,
        rateLimitPerMinute: config.rateLimitPerMinute,
        introspection: config.introspection,
        debugErrors: config.debugErrors,
        slowReaderTimeoutMs: config.slowReaderTimeoutMs,
      },
      websocket: { maxSocketsPerClient: config.wsMaxSocketsPerClient, maxSubscriptionsPerSocket: config.wsMaxSubscriptionsPerSocket },
      replication: {
        readReplicas,
        readWaitMs: config.readWaitMs,
        readPollMs: config.readPollMs,
        readProbeTimeoutMs: config.readProbeTimeoutMs,
        leaderRetryMs: config.leaderRetryMs,
        heartbeatMs: config.heartbeatMs,
        catchUpConcurrency: config.catchUpConcurrency,
        catchUpStallMs: config.catchUpStallMs,
      },
      logger,
      metrics: config.metrics,
      readyTimeoutMs: config.readyTimeoutMs,
    });
    // Scripts (and the tests) find the port in this line's message: keep "GraphQL: <url>" in it.
    logger.info(
      {
        database: app.database.description,
        port: server.port,
        replicas: readReplicas.map((r) => r.description),
        anonymous: config.anonymous,
        metrics: config.metrics,
      },
      `Factlog on ${app.database.description}; GraphQL: http://localhost:${server.port}/graphql`,
    );

    return new Promise<number>((resolve) => {
      let stopping = false;
      const shutdown = (signal: string): void => {
        if (stopping) return;
        stopping = true;
        logger.info({ signal }, 'shutting down: finishing in-flight requests');
        server
          .stop()
          .then(() => Promise.all(readReplicas.map((r) => r.close())))
          .then(() => app.close())
          .then(
            () => {
              logger.info('stopped');
              resolve(0);
            },
            (err) => {
              logger.error({ err }, 'shutdown failed');
              resolve(1);
            },
          );
      };
      process.once('SIGTERM', () => shutdown('SIGTERM'));
      process.once('SIGINT', () => shutdown('SIGINT'));
    });
  },
};
