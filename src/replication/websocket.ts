import type http from 'node:http';
import { GraphQLError, getOperationAST, parse, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import type { Disposable } from 'graphql-ws';
import { WebSocketServer } from 'ws';
import type { Duplex } from 'node:stream';
import type { Principal } from '../auth/keys';
import { authorize, type AnonymousAccess } from '../auth/policy';
import { DEFAULT_LIMITS, estimateComplexity, fragmentsOf, type ComplexityLimits } from '../graphql/complexity';
import { createContext, type ContextDeps } from '../graphql/context';
import { errorFormatter, userError, withCode, type ErrorFormatter } from '../graphql/errors';
import type { RateLimiter } from '../http/rate-limit';
import { silentLogger, type Logger } from '../observability/logger';
import { serveGraphQLWs } from './graphql-ws-server';
import { SubscriberTooSlowError } from './live-log';

export interface SubscriptionServerOptions {
  schema: GraphQLSchema;
  /** What each subscription's context is built from (the primary, and the gateway's replication). */
  deps: ContextDeps;
  /** The principal an `Authorization` value from a client address stands for; throws on a bad or revoked key. */
  authenticate: (authorization: string | undefined, address: string | undefined) => Promise<Principal>;
  /** The gateway's request budget: a connection and each subscribe message spend from it. */
  rateLimiter?: RateLimiter | null;
  anonymous?: AnonymousAccess;
  limits?: ComplexityLimits;
  path?: string;
  /** Largest message a client may send (bytes); bigger ones close the socket with 1009. */
  maxPayloadBytes?: number;
  /** Open sockets per client address; more are refused at the upgrade with HTTP 429. */
  maxSocketsPerClient?: number;
  /** Running subscriptions per socket; more are refused with RATE_LIMITED. */
  maxSubscriptionsPerSocket?: number;
  /** As the HTTP endpoint's; off, error messages carry no "Did you mean" suggestions. */
  introspection?: boolean;
  /** Where internal errors of subscriptions and sockets are logged (the server's JSON logger); default: nowhere. */
  logger?: Logger;
}

export const DEFAULT_WS_LIMITS = { maxPayloadBytes: 1_000_000, maxSocketsPerClient: 20, maxSubscriptionsPerSocket: 50 } as const;

export interface SubscriptionServer {
  /** Closes every socket (clients see 1001 Going Away) and stops accepting new ones. */
  close(): Promise<void>;
}

/**
 * GraphQL subscriptions over the graphql-ws protocol on the HTTP server's own port and path (an
 * `Upgrade` to /graphql). Only subscription operations are served here: queries and mutations keep
 * going over HTTP, where rate limits and read routing apply. The API key travels as
 * `connectionParams.authorization` ("Bearer <key>") or in the upgrade request's `Authorization` header.
 */
/** Errors in the API's shape; a follower cut off for falling behind is told so (and resumes from its position). */
function format(error: GraphQLError, formatter: ErrorFormatter) {
  if (error.originalError instanceof SubscriberTooSlowError) {
    return { message: error.message, extensions: { code: 'SUBSCRIBER_TOO_SLOW' } };
  }
  return formatter(error.toJSON(), error);
}

/**
 * connectionParams.authorization, whatever its case: HTTP header names have none, and clients that send
 * their headers as connectionParams (GraphiQL's Headers pane) keep them as typed, "Authorization".
 */
function authorizationParam(params: Record<string, unknown> | undefined): unknown {
  if (!params) return undefined;
  const key = Object.keys(params).find((k) => k.toLowerCase() === 'authorization');
  return key === undefined ? undefined : params[key];
}

export function attachSubscriptions(httpServer: http.Server, options: SubscriptionServerOptions): SubscriptionServer {
  const maxSockets = options.maxSocketsPerClient ?? DEFAULT_WS_LIMITS.maxSocketsPerClient;
  const maxSubscriptions = options.maxSubscriptionsPerSocket ?? DEFAULT_WS_LIMITS.maxSubscriptionsPerSocket;
  // A socket is long-lived and holds a log follower, so HTTP's per-minute rate limit does not bound
  // them: without a cap per address, one client could open sockets until memory runs out.
  const open = new Map<string, number>();
  const addressOf = (req: http.IncomingMessage) => req.socket.remoteAddress ?? 'unknown';
  // noServer: attached with `server`, ws re-emits the HTTP server's own errors (a port in use), and
  // graphql-ws prints each as an "internal error" with a stack trace before the real one is reported.
  const wss = new WebSocketServer({
    noServer: true,
    path: options.path ?? '/graphql',
    // ws would otherwise accept 100 MiB messages; a subscription document is as small as a query.
    maxPayload: options.maxPayloadBytes ?? DEFAULT_WS_LIMITS.maxPayloadBytes,
    verifyClient: (info, done) => {
      const n = open.get(addressOf(info.req)) ?? 0;
      if (n >= maxSockets) done(false, 429, `more than ${maxSockets} open subscription sockets from this address`);
      else done(true);
    },
  });
  const onUpgrade = (req: http.IncomingMessage, socket: Duplex, head: Buffer): void => {
    if (!wss.shouldHandle(req)) {
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  };
  httpServer.on('upgrade', onUpgrade);
  wss.on('connection', (socket, req) => {
    const address = addressOf(req);
    open.set(address, (open.get(address) ?? 0) + 1);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left <= 0) open.delete(address);
      else open.set(address, left);
    });
  });
  const limits = options.limits ?? DEFAULT_LIMITS;
  // As over HTTP (src/graphql/gateway.ts); with no request log line here, internal errors are logged as they are formatted.
  const logger = options.logger ?? silentLogger();
  const formatter = errorFormatter({ introspection: options.introspection, log: logger });
  const anonymous = options.anonymous ?? 'read';
  const limiter = options.rateLimiter ?? null;
  const cleanup: Disposable = serveGraphQLWs<Record<string, unknown> | undefined, { principal: Principal; identity: string }>(
    {
      schema: options.schema,
      async onConnect(ctx) {
        const fromParams = authorizationParam(ctx.connectionParams);
        const header = typeof fromParams === 'string' ? fromParams : ctx.extra.request.headers.authorization;
        const address = addressOf(ctx.extra.request);
        if (limiter && !limiter.take(header, address).allowed) {
          // graphql-ws clients do not retry 4429; a plain refusal (4403) would read as a bad key.
          ctx.extra.socket.close(4429, `more than ${limiter.perMinute} requests in a minute; wait and retry`);
          return false;
        }
        try {
          const principal = await options.authenticate(header, address);
          authorize(principal, 'read', anonymous);
          ctx.extra.principal = principal;
          ctx.extra.identity = limiter?.identityOf(header, address) ?? address;
          return true;
        } catch {
          return false; // closes with 4403 Forbidden
        }
      },
      context: (ctx) => createContext(options.deps, ctx.extra.principal),
      onSubscribe(ctx, _id, payload) {
        // Each subscribe is a request: subscribing and completing in a loop would otherwise be free.
        if (limiter && !limiter.takeFor(ctx.extra.identity ?? addressOf(ctx.extra.request)).allowed) {
          return [userError('RATE_LIMITED', `more than ${limiter.perMinute} requests in a minute; wait and retry`)];
        }
        // graphql-ws has registered this one already, so it counts itself.
        if (Object.keys(ctx.subscriptions).length > maxSubscriptions) {
          return [
            userError('RATE_LIMITED', `at most ${maxSubscriptions} subscriptions per socket; complete one first or open another socket`),
          ];
        }
        let document: DocumentNode;
        try {
          document = parse(payload.query, { maxTokens: limits.maxTokens ?? DEFAULT_LIMITS.maxTokens });
        } catch (err) {
          return [withCode(err as GraphQLError, 'GRAPHQL_PARSE_FAILED')];
        }
        // Codes as over HTTP: without one, a client's mistake would be reported as an internal error.
        const invalid = validate(options.schema, document);
        if (invalid.length) return invalid.map((e) => withCode(e, 'GRAPHQL_VALIDATION_FAILED'));
        const operation = getOperationAST(document, payload.operationName);
        if (!operation)
          return [
            new GraphQLError('no operation to run: name one with operationName', { extensions: { code: 'OPERATION_RESOLUTION_FAILURE' } }),
          ];
        if (operation.operation !== 'subscription') {
          return [userError('BAD_USER_INPUT', 'only subscriptions are served over WebSocket; send queries and mutations to POST /graphql')];
        }
        const { cost, depth } = estimateComplexity(
          options.schema,
          operation.selectionSet,
          options.schema.getSubscriptionType()!,
          fragmentsOf(document),
          payload.variables ?? {},
        );
        if (cost > limits.maxCost || depth > limits.maxDepth) {
          return [
            userError(
              'QUERY_TOO_COMPLEX',
              `subscription too complex: cost ${cost} (limit ${limits.maxCost}), depth ${depth} (limit ${limits.maxDepth})`,
              { cost, depth },
            ),
          ];
        }
        return { schema: options.schema, document, operationName: payload.operationName, variableValues: payload.variables };
      },
      // A send that failed because the client went away is no internal error, and there is no one to tell.
      onError: (ctx, _id, _payload, errors) =>
        ctx.extra.socket.readyState === ctx.extra.socket.OPEN
          ? errors.map((e) => format(e, formatter))
          : [{ message: 'the socket closed' }],
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors ? { ...result, errors: result.errors.map((e) => format(e, formatter)) } : undefined,
    },
    wss,
    logger,
  );
  return {
    async close() {
      httpServer.off('upgrade', onUpgrade);
      await cleanup.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
