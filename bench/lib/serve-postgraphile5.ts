/**
 * PostGraphile 5 (Grafast) as a peer in a process of its own: `node24 serve-postgraphile5.js <database
 * url> <pool size>`, with the same IPC as serve-child.ts (ready, stats, stop). PostGraphile 5 needs Node
 * ≥ 22, so bench/lib/load.ts starts this file with bench/package.json's Node 24 (the `node24` package);
 * the gateway keeps its own runtime. This file loads none of Factlog's modules, so the memory and CPU
 * the parent reads are PostGraphile's alone.
 */
import http from 'node:http';
import { announceReady, listen, POSTGRAPHILE_SCHEMAS, postgraphile5Require } from './gateway-child';

/** The preset: Amber (PostGraphile 5's base preset), over the same schemas and with the same choices as PostGraphile 4's options in serve-child.ts. */
export function postgraphile5Preset(url: string, connections: number): Record<string, unknown> {
  const { PostGraphileAmberPreset } = postgraphile5Require('postgraphile/presets/amber') as { PostGraphileAmberPreset: unknown };
  const { makePgService } = postgraphile5Require('postgraphile/adaptors/pg') as {
    makePgService: (options: Record<string, unknown>) => unknown;
  };
  return {
    extends: [PostGraphileAmberPreset],
    // v4's disableDefaultMutations: a read-only API, like the read models it serves.
    disablePlugins: ['PgMutationCreatePlugin', 'PgMutationUpdateDeletePlugin'],
    pgServices: [makePgService({ connectionString: url, schemas: POSTGRAPHILE_SCHEMAS, poolConfig: { max: connections } })],
    // v4's setofFunctionsContainNulls: false.
    schema: { pgForbidSetofFunctionsToReturnNull: true },
    // Production settings (v4's: no watch, no GraphiQL, no query log); explain off.
    grafserv: { watch: false, graphiql: false, websockets: false },
    grafast: { explain: false },
  };
}

async function main(): Promise<void> {
  const [url, connections] = process.argv.slice(2);
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 22)
    throw new Error(`PostGraphile 5 needs Node ≥ 22, this is ${process.version}: start it with bench/node_modules/node24/bin/node`);
  const { postgraphile } = postgraphile5Require('postgraphile') as {
    postgraphile: (preset: unknown) => {
      createServ(grafserv: unknown): { addTo(server: http.Server): Promise<void> };
      getSchema(): Promise<unknown>;
      release(): Promise<void>;
    };
  };
  const { grafserv } = postgraphile5Require('postgraphile/grafserv/node') as { grafserv: unknown };
  const pgl = postgraphile(postgraphile5Preset(url, Number(connections) || 16));
  const serv = pgl.createServ(grafserv);
  const server = http.createServer();
  await serv.addTo(server);
  // Build the schema now (introspection), not on the first measured request.
  await pgl.getSchema();
  const port = await listen(server, () => pgl.release());
  announceReady(port);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`serve-postgraphile5: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
