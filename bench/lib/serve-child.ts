/**
 * A gateway under test in a process of its own (so its RSS and CPU are its own, not the load
 * generator's): `node serve-child.js <kind> <database url> <pool size>`, kind one of SERVER_KINDS. It
 * tells its parent the port over IPC when it listens, answers {type: 'stats'} with its memory, and
 * exits on {type: 'stop'}.
 */
import http from 'node:http';
import { ApolloServer } from '@apollo/server';
import { factlogOver } from '../../src/app';
import { createContext, type GraphQLContext } from '../../src/graphql/context';
import { headerMapOf } from '../../src/http/graphql-endpoint';
import { buildFactlogSchema, gatewayOptions } from '../../src/api-schema';
import { startServer } from '../../src/server';
import { openPostgres } from '../../src/store/database';
import { announceReady, benchRequire, listen, POSTGRAPHILE_SCHEMAS } from './gateway-child';

/**
 * The gateways, and the layers of Factlog's own taken apart (bench/layers.ts):
 *   layer-http            a plain Node HTTP server that parses the JSON body and answers { __typename }
 *   layer-apollo          + Apollo Server with Factlog's schema, default options, on a plain Node handler
 *   layer-apollo-factlog  + Factlog's Apollo options (limits, basis, errors) and a context per request
 *   factlog               the whole gateway (startServer), rate limit off
 * 'postgraphile5' runs in a process of its own under Node 24 (bench/lib/serve-postgraphile5.ts).
 */
export const SERVER_KINDS = [
  'factlog',
  'factlog-write',
  'postgraphile',
  'postgraphile5',
  'layer-http',
  'layer-apollo',
  'layer-apollo-factlog',
] as const;
export type ServerKind = (typeof SERVER_KINDS)[number];

let statements: () => number | undefined = () => undefined;

async function serveFactlog(url: string, connections: number, anonymous: 'read' | 'write'): Promise<number> {
  const database = openPostgres({ url, maxConnections: connections });
  statements = () => database.stats.queries;
  // The rate limit is off for benchmarks; anonymous writes only for the write benchmark's own database.
  const running = await startServer({ ...factlogOver(database), port: 0, host: '127.0.0.1', anonymous, http: { rateLimitPerMinute: 0 } });
  process.on('message', (m: { type: string }) => {
    if (m.type === 'stop')
      void running
        .stop()
        .then(() => database.close())
        .then(() => process.exit(0));
  });
  return running.port;
}

async function servePostgraphile(url: string, connections: number): Promise<number> {
  const { postgraphile } = benchRequire('postgraphile') as {
    postgraphile: (pool: unknown, schemas: string[], options: Record<string, unknown>) => http.RequestListener;
  };
  const pg = benchRequire('pg') as typeof import('pg');
  const pool = new pg.Pool({ connectionString: url, max: connections });
  const handler = postgraphile(pool, POSTGRAPHILE_SCHEMAS, {
    // Production settings (PostGraphile's own advice): no watch, no GraphiQL, no extended errors.
    disableQueryLog: true,
    retryOnInitFail: false,
    ignoreRBAC: true,
    dynamicJson: true,
    setofFunctionsContainNulls: false,
    disableDefaultMutations: true,
  });
  return listen(handler, () => pool.end());
}

function readJson(req: http.IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch (err) {
        reject(err);
      }
    });
    req.on('error', reject);
  });
}

/** One of the layers bench/layers.ts takes apart: the same request, less of the gateway around it. */
async function serveLayer(kind: 'layer-http' | 'layer-apollo' | 'layer-apollo-factlog', url: string, connections: number): Promise<number> {
  const send = (res: http.ServerResponse, status: number, body: string) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };
  if (kind === 'layer-http') {
    return listen(
      (req, res) => {
        readJson(req).then(
          () => send(res, 200, JSON.stringify({ data: { __typename: 'Query' } })),
          () => send(res, 400, '{}'),
        );
      },
      async () => undefined,
    );
  }
  const database = openPostgres({ url, maxConnections: connections });
  statements = () => database.stats.queries;
  const deps = factlogOver(database);
  const apollo = new ApolloServer<GraphQLContext>(kind === 'layer-apollo' ? { schema: buildFactlogSchema() } : gatewayOptions());
  await apollo.start();
  return listen(
    (req, res) => {
      void (async () => {
        const body = await readJson(req);
        const r = await apollo.executeHTTPGraphQLRequest({
          httpGraphQLRequest: { method: req.method ?? 'POST', headers: headerMapOf(req), search: '', body },
          context: async () => createContext(deps),
        });
        send(res, r.status ?? 200, r.body.kind === 'complete' ? r.body.string : '{}');
      })().catch(() => send(res, 500, '{}'));
    },
    async () => {
      await apollo.stop();
      await database.close();
    },
  );
}

async function main(): Promise<void> {
  const [kind, url, connections] = process.argv.slice(2) as [ServerKind, string, string];
  if (kind === 'postgraphile5') throw new Error('PostGraphile 5 runs in bench/lib/serve-postgraphile5.js under Node 24');
  const pool = Number(connections) || 16;
  const port =
    kind === 'postgraphile'
      ? await servePostgraphile(url, pool)
      : kind === 'layer-http' || kind === 'layer-apollo' || kind === 'layer-apollo-factlog'
        ? await serveLayer(kind, url, pool)
        : await serveFactlog(url, pool, kind === 'factlog-write' ? 'write' : 'read');
  announceReady(port, statements);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`serve-child: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
