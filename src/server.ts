import 'reflect-metadata';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import type { Factlog } from './app';
import { ANONYMOUS, ApiKeys, type Principal } from './auth/keys';
import type { AnonymousAccess } from './auth/policy';
import { userError } from './graphql/errors';
import type { ComplexityLimits } from './graphql/complexity';
import { createContext, type GraphQLContext } from './graphql/context';
import { gatewayOptions } from './graphql/gateway';
import { playgroundRouter } from './playground';

export interface ServerOptions extends Pick<Factlog, 'database' | 'store' | 'db' | 'commands'> {
  port: number;
  host?: string;
  limits?: ComplexityLimits;
  /** What requests without an API key may do (default: read). */
  anonymous?: AnonymousAccess;
}

/** The principal an `Authorization` header stands for; a bad or revoked key is an error, not anonymity. */
async function principalOf(header: string | undefined, keys: ApiKeys): Promise<Principal> {
  if (!header) return ANONYMOUS;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) throw userError('UNAUTHENTICATED', 'Authorization must be "Bearer <key>"', { http: { status: 401 } });
  const principal = await keys.authenticate(match[1]);
  if (!principal) throw userError('UNAUTHENTICATED', 'unknown or revoked API key', { http: { status: 401 } });
  return principal;
}

export interface RunningServer {
  url: string;
  port: number;
  /** Stops accepting, lets in-flight requests finish, then returns (the database is the caller's). */
  stop(): Promise<void>;
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const keys = new ApiKeys(options.database.db);
  const app = express();
  const httpServer = http.createServer(app);
  const apollo = new ApolloServer<GraphQLContext>(
    gatewayOptions({
      limits: options.limits,
      // Browsers get Factlog's own GraphiQL (src/playground), not Apollo's CDN-loaded landing page.
      plugins: [ApolloServerPluginDrainHttpServer({ httpServer }), ApolloServerPluginLandingPageDisabled()],
    }),
  );
  await apollo.start();

  let stopping = false;
  // Liveness: the process is up and its event loop turns.
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  // Readiness: the database answers; a stopping gateway reports unready so balancers drain it first.
  app.get('/readyz', async (_req, res) => {
    if (stopping) {
      res.status(503).json({ status: 'stopping' });
      return;
    }
    try {
      const head = await options.store.head();
      res.json({ status: 'ready', database: options.database.kind, headPosition: String(head.position) });
    } catch (err) {
      res.status(503).json({ status: 'unavailable', error: err instanceof Error ? err.message : String(err) });
    }
  });
  app.use(playgroundRouter({ endpoint: '/graphql' }));
  app.use(
    '/graphql',
    express.json({ limit: '1mb' }),
    expressMiddleware(apollo, {
      context: async ({ req }) => createContext(options, await principalOf(req.headers.authorization, keys)),
    }),
  );

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(options.port, options.host ?? '0.0.0.0', resolve);
  });
  const port = (httpServer.address() as AddressInfo).port;
  return {
    url: `http://localhost:${port}/graphql`,
    port,
    stop: async () => {
      stopping = true;
      await apollo.stop();
    },
  };
}
