import 'reflect-metadata';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, type ApolloServerOptions } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import express from 'express';
import { factlogOver, type Factlog } from './app';
import { buildFactlogSchema, gatewayOptions } from './api-schema';
import { ApiKeys } from './auth/keys';
import type { AnonymousAccess } from './auth/policy';
import { DEFAULT_LIMITS, type ComplexityLimits } from './graphql/complexity';
import type { GraphQLContext } from './graphql/context';
import { readHead } from './graphql/head-reader';
import type { MetricsAccess } from './config';
import { silentLogger, type Logger } from './observability/logger';
import { GatewayMetrics } from './observability/metrics';
import { DEFAULT_READY_TIMEOUT_MS, ReadinessCheck } from './observability/readiness';
import { logRequest, requestRecordPlugin, trackRequest } from './observability/request';
import { authenticatedContext, authenticator } from './http/authenticate';
import { sendHttpLayerError, type HttpLayerError } from './http/errors';
import { graphqlEndpoint, GRAPHQL_PATH, isGraphQLPost } from './http/graphql-endpoint';
import { metricsRoute } from './http/metrics-route';
import { probeRoutes } from './http/probes';
import { admitRequest, RateLimiter } from './http/rate-limit';
import { playgroundRouter } from './playground';
import { readRoutingPlugin } from './replication/read-routing';
import { startReplication, type Replication, type ReplicationOptions } from './replication/runtime';
import { attachSubscriptions, type SubscriptionServerOptions } from './replication/websocket';

export interface ServerOptions extends Pick<Factlog, 'database' | 'store' | 'db' | 'commands'> {
  port: number;
  host?: string;
  limits?: ComplexityLimits;
  /** What requests without an API key may do (default: read). */
  anonymous?: AnonymousAccess;
  http?: Partial<HttpLimits>;
  /** Limits on subscription sockets (src/replication/websocket.ts has the defaults). */
  websocket?: Pick<SubscriptionServerOptions, 'maxSocketsPerClient' | 'maxSubscriptionsPerSocket'>;
  /** Read replicas, leader election, live subscriptions (src/replication; docs/deployment.md). */
  replication?: ReplicationOptions;
  /** One JSON line per request, and the server's own events (default: silent). */
  logger?: Logger;
  /** Who may read GET /metrics (default: public). */
  metrics?: MetricsAccess;
  /** How long /readyz waits for the database (default DEFAULT_READY_TIMEOUT_MS). */
  readyTimeoutMs?: number;
}

/** Limits at the HTTP edge, before any GraphQL work. */
export interface HttpLimits {
  maxBodyBytes: number;
  /**
   * Requests per minute per API key (or per client address without one, or with a key that fails),
   * counted over GraphQL, /readyz, /metrics and WebSocket connects and subscribes; 0 turns it off.
   */
  rateLimitPerMinute: number;
  introspection: boolean;
  /** Stack traces in error responses (FACTLOG_DEBUG_ERRORS); off unless asked for. */
  debugErrors: boolean;
  /** A client that takes none of its answer for this long is disconnected, and the answer freed (ms). */
  slowReaderTimeoutMs: number;
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  maxBodyBytes: 1_000_000,
  rateLimitPerMinute: 600,
  introspection: true,
  debugErrors: false,
  slowReaderTimeoutMs: 10_000,
};

export interface RunningServer {
  url: string;
  port: number;
  /** This gateway's read router, leader election and live log. */
  replication: Replication;
  /** Stops accepting, lets in-flight requests finish, then returns (the database is the caller's). */
  stop(): Promise<void>;
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const keys = new ApiKeys(options.database.db);
  const edge = { ...DEFAULT_HTTP_LIMITS, ...options.http };
  // One budget per key or address for every route and WebSocket operation alike.
  const limiter = edge.rateLimitPerMinute > 0 ? new RateLimiter(edge.rateLimitPerMinute) : null;
  const authenticate = authenticator(keys, limiter);
  const limited: express.RequestHandler = (req, res, next) => {
    if (admitRequest(limiter, req, res)) next();
  };
  const logger = options.logger ?? silentLogger();
  const app = express();
  app.disable('x-powered-by');
  // Its request handler comes once Apollo has started; Apollo's drain plugin needs the server first.
  const httpServer = http.createServer();
  const replication = await startReplication(options, options.replication, factlogOver);
  const deps = { ...options, replication };
  const readyTimeoutMs = options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
  const metrics = new GatewayMetrics({
    primary: options.database,
    store: options.store,
    replicas: options.replication?.readReplicas,
    isLeader: () => replication.isLeader,
    timeoutMs: readyTimeoutMs,
  });
  const readiness = new ReadinessCheck(options.database, options.store, readyTimeoutMs);
  const apollo = new ApolloServer<GraphQLContext>({
    // Apollo would otherwise (outside NODE_ENV=test) stop on SIGTERM by itself and then re-raise the
    // signal, killing the process before `serve` has closed the database and exited 0.
    stopOnTerminationSignals: false,
    ...gatewayOptions({
      limits: options.limits,
      introspection: edge.introspection,
      debugErrors: edge.debugErrors,
      // Browsers get Factlog's own GraphiQL (src/playground), not Apollo's CDN-loaded landing page.
      plugins: [
        ApolloServerPluginDrainHttpServer({ httpServer }),
        ApolloServerPluginLandingPageDisabled(),
        readRoutingPlugin(replication.router),
        requestRecordPlugin(logger),
      ],
    }),
  } as ApolloServerOptions<GraphQLContext>);
  await apollo.start();
  const subscriptions = attachSubscriptions(httpServer, {
    schema: buildFactlogSchema(),
    deps,
    authenticate,
    rateLimiter: limiter,
    anonymous: options.anonymous,
    limits: options.limits,
    introspection: edge.introspection,
    maxPayloadBytes: edge.maxBodyBytes,
    logger,
    ...options.websocket,
  });

  let stopping = false;
  app.use(probeRoutes({ readiness, databaseKind: options.database.kind, limited, stopping: () => stopping }));
  app.use(metricsRoute({ metrics, access: options.metrics ?? 'public', authenticate, limited }));
  const graphql = graphqlEndpoint({
    apollo,
    maxBodyBytes: edge.maxBodyBytes,
    rateLimiter: limiter,
    slowReaderTimeoutMs: edge.slowReaderTimeoutMs,
    maxStatements: options.limits?.maxStatements ?? DEFAULT_LIMITS.maxStatements,
    logger,
    head: () => readHead(options.db),
    context: authenticatedContext(authenticate, deps),
  });
  // Other methods (GET) reach the endpoint through Express, after the playground has taken the browsers'.
  app.use(playgroundRouter({ endpoint: GRAPHQL_PATH }));
  app.use(GRAPHQL_PATH, (req, res) => graphql(req, res));
  app.use((err: HttpLayerError, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    sendHttpLayerError(res, err, edge.maxBodyBytes, logger);
  });
  httpServer.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    // First, so that every response (probes, rate-limited, refused bodies) gets an id, a log line and a count.
    trackRequest(req, res, (finished) => {
      logRequest(logger, finished);
      metrics.observe(finished);
    });
    // POSTs, nearly all GraphQL traffic, skip Express (see graphqlEndpoint).
    if (isGraphQLPost(req)) graphql(req, res);
    else app(req, res);
  });

  try {
    await listen(httpServer, options.port, options.host ?? '0.0.0.0');
  } catch (err) {
    await subscriptions.close();
    await replication.stop();
    await apollo.stop();
    throw err;
  }
  const port = (httpServer.address() as AddressInfo).port;
  return {
    url: `http://localhost:${port}/graphql`,
    port,
    replication,
    stop: async () => {
      stopping = true;
      // WebSocket clients are told the server is going away (1001) and reconnect elsewhere with their position.
      await subscriptions.close();
      await apollo.stop();
      await replication.stop();
    },
  };
}

function listen(server: http.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
}
