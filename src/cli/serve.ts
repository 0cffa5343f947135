import { openFactlog } from '../app';
import { readConfig } from '../config';
import { openReplicas } from '../replication/read-router';
import { loadSeeds } from '../seed';
import { startServer } from '../server';
import type { Command } from './command';

export const serveCommand: Command = {
  name: 'serve',
  summary: 'serve the GraphQL API (migrates first)',
  help: `
Usage: factlog serve [--port N] [--host H]

Starts the GraphQL gateway on http://localhost:4000/graphql, after migrating the database.
On the embedded database (no DATABASE_URL), an empty store is first loaded with seeds/.
Probes: GET /healthz (process up), GET /readyz (database answers).
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
  FACTLOG_STATEMENT_TIMEOUT_MS, FACTLOG_MAX_COST, FACTLOG_MAX_DEPTH   limits (see README)
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
    const app = await openFactlog(config);
    const readReplicas = openReplicas(config.databaseReadUrls, { statementTimeoutMs: config.statementTimeoutMs });
    // The embedded database starts with the example loaded, so a fresh clone shows something at once;
    // a DATABASE_URL store is someone's real data and is never seeded implicitly.
    if (app.database.kind === 'pglite' && (await app.store.head()).position === 0) {
      const seeded = await loadSeeds(app.commands);
      process.stdout.write(`empty embedded store: loaded ${seeded.applied} example commands from seeds/\n`);
    }
    const server = await startServer({
      ...app, port: config.port, host: config.host, anonymous: config.anonymous,
      limits: { maxCost: config.maxCost, maxDepth: config.maxDepth },
      http: { maxBodyBytes: config.maxBodyBytes, rateLimitPerMinute: config.rateLimitPerMinute, introspection: config.introspection },
      replication: {
        readReplicas, readWaitMs: config.readWaitMs, readPollMs: config.readPollMs, readProbeTimeoutMs: config.readProbeTimeoutMs,
        leaderRetryMs: config.leaderRetryMs, heartbeatMs: config.heartbeatMs,
      },
    });
    process.stdout.write(`Factlog on ${app.database.description}\nGraphQL: http://localhost:${server.port}/graphql\n`);
    for (const replica of readReplicas) process.stdout.write(`reads also from ${replica.description}\n`);

    return new Promise<number>((resolve) => {
      let stopping = false;
      const shutdown = (signal: string): void => {
        if (stopping) return;
        stopping = true;
        process.stdout.write(`${signal}: shutting down\n`);
        server
          .stop()
          .then(() => Promise.all(readReplicas.map((r) => r.close())))
          .then(() => app.close())
          .then(
            () => resolve(0),
            (err) => {
              process.stderr.write(`shutdown failed: ${(err as Error).message}\n`);
              resolve(1);
            },
          );
      };
      process.once('SIGTERM', () => shutdown('SIGTERM'));
      process.once('SIGINT', () => shutdown('SIGINT'));
    });
  },
};
