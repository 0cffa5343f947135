/**
 * Search benchmark: Factlog's `search` over HTTP beside the same SQL statement sent straight to
 * PostgreSQL with pg (src/projections/queries/search.ts, searchStatement), at the same concurrency, on
 * the Longterm Wiki data set (imported once into its own database) or on a generated scale. Prints
 * requests/s, p50 and p99 of each side and Factlog's share of the SQL side's throughput.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { openFactlog } from '../src/app';
import { importLongtermWiki } from '../src/importers/longterm-wiki';
import { searchStatement } from '../src/projections/queries/search';
import { rebuildReadModels } from '../src/projections/rebuild';
import type { FactlogSchema } from '../src/projections/tables';
import { benchDatabaseName, createDatabase, databaseExists, parseScale, withDatabase } from './lib/bench-db';
import { DEFAULT_DATABASE_URL, UsageError } from './lib/cli';
import { runMain } from './lib/cleanup';
import { graphql, loopLoad, ServerChild, sqlLoad, type LoadOptions, type LoadResult } from './lib/load';
import { formatTable } from './lib/table';

export const USAGE = `Usage: npm run bench:search -- [options]

Measures search(query) over HTTP against the same SQL statement sent with pg, at the same concurrency.
The queries are made from the store's own names: whole titles, the first letters of a title's first
word (search as you type), and a title's first word with a letter dropped (a typo).

Options:
  --scale <name>        wiki (the Longterm Wiki, imported into factlog_bench_wiki the first time) or
                        a generated scale such as 100k (npm run bench:generate first); default wiki
  --connections <n>     concurrent clients, and pool size of both sides (default 10)
  --seconds <n>         measured seconds per side (default 10)
  --warmup <n>          unmeasured seconds first (default 3)
  --json                print the results as JSON
  -h, --help            print this help and exit

Environment:
  DATABASE_URL          the server of the bench databases (default ${DEFAULT_DATABASE_URL})
`;

interface SearchBenchOptions {
  scale: string;
  connections: number;
  seconds: number;
  warmup: number;
  json: boolean;
  adminUrl: string;
}

function int(raw: string | undefined, fallback: number, option: string, min: number): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min) throw new UsageError(`${option} must be an integer ≥ ${min}, got ${JSON.stringify(raw)}`);
  return Number(raw);
}

function parseSearchArgs(args: readonly string[], env: NodeJS.ProcessEnv): { kind: 'run'; options: SearchBenchOptions } | { kind: 'help' } {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      strict: true,
      options: {
        scale: { type: 'string' },
        connections: { type: 'string' },
        seconds: { type: 'string' },
        warmup: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message.split('. ')[0]);
  }
  if (values.help) return { kind: 'help' };
  const scale = values.scale ?? 'wiki';
  if (scale !== 'wiki') parseScale(scale);
  return {
    kind: 'run',
    options: {
      scale,
      connections: int(values.connections, 10, '--connections', 1),
      seconds: int(values.seconds, 10, '--seconds', 1),
      warmup: int(values.warmup, 3, '--warmup', 0),
      json: values.json ?? false,
      adminUrl: env.DATABASE_URL || DEFAULT_DATABASE_URL,
    },
  };
}

const DATA_DIR = path.resolve(__dirname, '..', '..', '..', 'shared', 'datasets', 'longterm-wiki');
const PAGE = 10;
const SEARCH = `query S($query: String!) { search(query: $query, first: ${PAGE}) { totalCount nodes { kind id title snippet score } } }`;

/**
 * The bench database, migrated, with its search documents: the wiki is imported the first time; a
 * generated store made before search existed has its read models rebuilt once (migrations/0010).
 */
async function prepare(options: SearchBenchOptions): Promise<string> {
  const name = options.scale === 'wiki' ? 'factlog_bench_wiki' : benchDatabaseName(options.scale);
  const url = withDatabase(options.adminUrl, name);
  const exists = await databaseExists(options.adminUrl, name);
  if (!exists && options.scale !== 'wiki') throw new UsageError(`no ${name}: run npm run bench:generate -- --scale ${options.scale} first`);
  if (!exists) await createDatabase(options.adminUrl, name);
  const app = await openFactlog({ databaseUrl: url, dataDir: '' });
  try {
    const events = await app.database.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM events');
    if (options.scale === 'wiki' && events.rows[0].n === 0) {
      process.stderr.write(`importing ${DATA_DIR} into ${name} …\n`);
      await importLongtermWiki(app, DATA_DIR, { actor: 'bench', reason: 'search benchmark' });
    }
    const docs = await app.database.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM search_documents');
    if (docs.rows[0].n === 0) {
      process.stderr.write(`${name} has no search documents: rebuilding its read models …\n`);
      await rebuildReadModels(app.db);
    }
  } finally {
    await app.close();
  }
  return url;
}

/** Queries a reader would type, from the names in the store: whole titles, prefixes and typos. */
async function readerQueries(pool: pg.Pool): Promise<string[]> {
  const { rows } = await pool.query<{ title: string }>(
    `SELECT title FROM search_documents WHERE tx_to IS NULL AND kind IN ('entity', 'page', 'source') ORDER BY md5(kind || id) LIMIT 200`,
  );
  const out: string[] = [];
  for (const { title } of rows) {
    const word = title.match(/[\p{L}\p{N}]+/u)?.[0] ?? title;
    out.push(title.slice(0, 200), word.slice(0, Math.max(3, Math.ceil(word.length / 2))));
    if (word.length >= 5) out.push(word.slice(0, 1) + word.slice(2));
  }
  return out;
}

/** GraphQL over HTTP with fetch, `connections` loops at once (as sqlLoad does for SQL). */
function httpLoad(url: string, body: (i: number) => unknown, options: LoadOptions): Promise<LoadResult> {
  return loopLoad(async (i) => {
    const r = await graphql(url, body(i)).catch(() => ({ errors: [{ message: 'transport' }] }));
    return !r.errors;
  }, options);
}

interface SearchRow {
  side: 'Factlog (GraphQL over HTTP)' | 'SQL (pg)';
  result: LoadResult;
}

async function main(options: SearchBenchOptions): Promise<number> {
  const url = await prepare(options);
  const pool = new pg.Pool({ connectionString: url, max: options.connections });
  const db = new Kysely<FactlogSchema>({ dialect: new PostgresDialect({ pool }) });
  let server: ServerChild | undefined;
  try {
    const queries = await readerQueries(pool);
    const head = (await pool.query<{ position: number }>('SELECT position FROM log_head')).rows[0].position;
    const docs = (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM search_documents WHERE tx_to IS NULL')).rows[0].n;
    process.stderr.write(`${options.scale}: ${docs} documents, ${queries.length} queries, log head ${head}\n`);
    const statement = (i: number) => {
      const c = searchStatement({ query: queries[i % queries.length], position: head, first: PAGE, offset: 0 }).compile(db);
      return { text: c.sql, values: [...c.parameters] };
    };
    const load: LoadOptions = { connections: options.connections, seconds: options.seconds, warmupSeconds: options.warmup };
    server = await ServerChild.start('factlog', url, options.connections);
    const gatewayUrl = server.url;
    const first = await graphql(gatewayUrl, { query: SEARCH, variables: { query: queries[0] } });
    if (first.errors) throw new Error(`search answered with errors: ${first.errors.map((e) => e.message).join('; ')}`);
    const rows: SearchRow[] = [
      {
        side: 'Factlog (GraphQL over HTTP)',
        result: await httpLoad(gatewayUrl, (i) => ({ query: SEARCH, variables: { query: queries[i % queries.length] } }), load),
      },
      { side: 'SQL (pg)', result: await sqlLoad(pool, statement, load) },
    ];
    const sqlRps = rows[1].result.rps;
    const fmt = (n: number, digits = 0) => n.toFixed(digits);
    process.stdout.write(
      options.json
        ? `${JSON.stringify({ scale: options.scale, documents: docs, rows }, null, 2)}\n`
        : `${formatTable(
            [
              { header: 'side', align: 'left', cell: (r: SearchRow) => r.side },
              { header: 'req/s', align: 'right', cell: (r: SearchRow) => fmt(r.result.rps) },
              { header: 'p50 ms', align: 'right', cell: (r: SearchRow) => fmt(r.result.p50, 1) },
              { header: 'p99 ms', align: 'right', cell: (r: SearchRow) => fmt(r.result.p99, 1) },
              { header: 'errors', align: 'right', cell: (r: SearchRow) => String(r.result.errors) },
              { header: 'of SQL req/s', align: 'right', cell: (r: SearchRow) => `${fmt((100 * r.result.rps) / sqlRps)}%` },
            ],
            rows,
          )}\n`,
    );
    return rows.some((r) => r.result.errors > 0) ? 1 : 0;
  } finally {
    await server?.stop();
    await db.destroy();
  }
}

if (require.main === module) runMain('bench/search', parseSearchArgs, USAGE, (err): err is UsageError => err instanceof UsageError, main);
