/**
 * Where a request's fixed cost goes: `{ __typename }` over HTTP against Factlog taken apart layer by
 * layer, each in a process of its own under the same load, beside PostGraphile 4 and 5 in the same run.
 */
import { parseArgs } from 'node:util';
import { benchDatabaseName, databaseExists, parseScale, readGeneratedInfo, withDatabase } from './lib/bench-db';
import { DEFAULT_DATABASE_URL, UsageError } from './lib/cli';
import { runMain } from './lib/cleanup';
import { httpLoad, ServerChild, type LoadResult } from './lib/load';
import type { ServerKind } from './lib/serve-child';
import { formatTable } from './lib/table';

export const USAGE = `Usage: npm run bench:layers -- [options]
       node dist-bench/bench/layers.js [options]

The fixed cost of one GraphQL request, layer by layer: { __typename } over HTTP (autocannon) against
  http                 a plain Node HTTP server that reads the JSON body and answers (no GraphQL)
  apollo               + Apollo Server with Factlog's schema and default options
  apollo+factlog       + Factlog's Apollo options: complexity limit, the basis (one log-head read,
                       shared between concurrent requests), error formatting; a context per request
  gateway              the whole gateway as \`factlog serve\` runs it: request ids, log and metrics,
                       API keys, read routing (rate limit off)
  PostGraphile 4       the peer, for scale
  PostGraphile 5       today's peer (Grafast; bench/postgraphile5/, under Node 24)
Each in its own process, one after the other, on a generated database (npm run bench:generate); the
gateway's CPU per request is the figure to read, requests/s moves with the machine's load.

Options:
  --scale <s>          the generated database to use (default 10k)
  --connections <n>    concurrent clients (default 10)
  --seconds <n>        measured seconds per layer (default 10)
  --warmup <n>         unmeasured seconds first (default 3)
  -h, --help           print this help and exit

Environment:
  DATABASE_URL         the server of the generated databases (default ${DEFAULT_DATABASE_URL})
`;

interface LayersOptions {
  scale: string;
  connections: number;
  seconds: number;
  warmup: number;
  adminUrl: string;
}

const LAYERS: { name: string; kind: ServerKind }[] = [
  { name: 'http', kind: 'layer-http' },
  { name: 'apollo', kind: 'layer-apollo' },
  { name: 'apollo+factlog', kind: 'layer-apollo-factlog' },
  { name: 'gateway', kind: 'factlog' },
  { name: 'PostGraphile 4', kind: 'postgraphile' },
  { name: 'PostGraphile 5', kind: 'postgraphile5' },
];

function parseLayersArgs(args: readonly string[], env: NodeJS.ProcessEnv): { kind: 'run'; options: LayersOptions } | { kind: 'help' } {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: false,
      options: {
        scale: { type: 'string' },
        connections: { type: 'string' },
        seconds: { type: 'string' },
        warmup: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message.split('. ')[0]);
  }
  if (values.help) return { kind: 'help' };
  const int = (raw: string | undefined, fallback: number, option: string, min: number) => {
    if (raw === undefined) return fallback;
    if (!/^\d+$/.test(raw) || Number(raw) < min) throw new UsageError(`${option} must be an integer ≥ ${min}, got ${JSON.stringify(raw)}`);
    return Number(raw);
  };
  return {
    kind: 'run',
    options: {
      scale: parseScale(values.scale ?? '10k').name,
      connections: int(values.connections, 10, '--connections', 1),
      seconds: int(values.seconds, 10, '--seconds', 1),
      warmup: int(values.warmup, 3, '--warmup', 0),
      adminUrl: env.DATABASE_URL || DEFAULT_DATABASE_URL,
    },
  };
}

interface LayerRow {
  name: string;
  result: LoadResult;
  cpuMsPerRequest: number;
  statementsPerRequest?: number;
}

async function main(options: LayersOptions): Promise<number> {
  const name = benchDatabaseName(options.scale);
  const url = withDatabase(options.adminUrl, name);
  if (!(await databaseExists(options.adminUrl, name)) || !(await readGeneratedInfo(url))) {
    throw new UsageError(`no complete ${name}: run npm run bench:generate -- --scale ${options.scale} first`);
  }
  const rows: LayerRow[] = [];
  for (const layer of LAYERS) {
    process.stderr.write(`  ${layer.name} …\n`);
    const server = await ServerChild.start(layer.kind, url, options.connections);
    try {
      let before: Awaited<ReturnType<ServerChild['stats']>> | undefined;
      const result = await httpLoad(server.url, () => ({ query: '{ __typename }' }), {
        connections: options.connections,
        seconds: options.seconds,
        warmupSeconds: options.warmup,
        beforeMeasure: async () => {
          before = await server.stats();
        },
      });
      const after = await server.stats();
      if (result.errors > 0) throw new Error(`${layer.name}: ${result.errors} failed requests`);
      rows.push({
        name: layer.name,
        result,
        cpuMsPerRequest: ((after.cpuSeconds - before!.cpuSeconds) * 1000) / result.requests,
        statementsPerRequest:
          after.statements !== undefined && before?.statements !== undefined
            ? (after.statements - before.statements) / result.requests
            : undefined,
      });
    } finally {
      await server.stop();
    }
  }
  const fmt = (n: number, digits: number) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
  const factlogLayers = rows.filter((r) => !r.name.startsWith('PostGraphile'));
  process.stdout.write(
    `${formatTable<LayerRow>(
      [
        { header: 'layer', align: 'left', cell: (r) => r.name },
        { header: 'req/s', align: 'right', cell: (r) => fmt(r.result.rps, 0) },
        { header: 'p50 ms', align: 'right', cell: (r) => fmt(r.result.p50, 1) },
        { header: 'p99 ms', align: 'right', cell: (r) => fmt(r.result.p99, 1) },
        { header: 'CPU ms/req', align: 'right', cell: (r) => fmt(r.cpuMsPerRequest, 3) },
        {
          header: 'added by the layer',
          align: 'right',
          cell: (r) => {
            const i = factlogLayers.indexOf(r);
            return i > 0 ? `+${fmt(r.cpuMsPerRequest - factlogLayers[i - 1].cpuMsPerRequest, 3)}` : '';
          },
        },
        {
          header: 'statements/req',
          align: 'right',
          cell: (r) => (r.statementsPerRequest !== undefined ? fmt(r.statementsPerRequest, 2) : ''),
        },
      ],
      rows,
    )}\n`,
  );
  return 0;
}

if (require.main === module) runMain('bench/layers', parseLayersArgs, USAGE, (err): err is UsageError => err instanceof UsageError, main);
