/**
 * Read benchmarks: Factlog's GraphQL over HTTP (autocannon) beside, in the same run and on the same
 * generated database, Baseline 1 (the equivalent SQL with `pg` at the same concurrency), Baseline 2
 * (PostGraphile v4 over the same read-model tables), Baseline 3 (PostGraphile 5 over them, under Node
 * 24) and the database alone (the same SQL with pgbench). Prints requests/s, p50, p99 and the ratios.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { adminQuery, benchDatabaseName, databaseExists, parseScale, readGeneratedInfo, withDatabase } from './lib/bench-db';
import { DEFAULT_DATABASE_URL, UsageError } from './lib/cli';
import { runMain } from './lib/cleanup';
import { graphql, httpLoad, ServerChild, sqlLoad, type LoadOptions, type LoadResult } from './lib/load';
import { dropPgbenchTables, pgbenchBinary, pgbenchLoad, preparePgbenchScript, type PgbenchScript } from './lib/pgbench';
import {
  floorWorkload,
  listStarts,
  listWorkload,
  pageSourceIds,
  pageWorkload,
  pointKnownWorkload,
  pointParams,
  pointWorkload,
  POSTGRAPHILE_SETUP,
  postgraphile5CursorDigest,
  type Workload,
} from './lib/read-workloads';
import { formatTable } from './lib/table';

const WORKLOADS = ['point', 'known', 'page', 'list', 'floor'] as const;
type WorkloadName = (typeof WORKLOADS)[number];
const SIDES = ['factlog', 'sql', 'postgraphile', 'postgraphile5', 'pgbench'] as const;
type Side = (typeof SIDES)[number];
type GatewaySide = 'factlog' | 'postgraphile' | 'postgraphile5';

export const USAGE = `Usage: npm run bench:read -- [options]
       node dist-bench/bench/read.js [options]

Measures GraphQL reads over HTTP on a generated knowledge base (npm run bench:generate first), each
beside baselines measured in the same run at the same concurrency (--connections):
  sql            the equivalent SQL statement straight to PostgreSQL with pg, in a Node loop
  postgraphile   PostGraphile v4 (bench/package.json) serving the same read-model tables
  postgraphile5  PostGraphile 5 (Grafast; bench/postgraphile5/, Amber preset) serving the same tables,
                 run under Node 24 from bench/package.json's node24 package (the gateway keeps its Node)
  pgbench        the database alone: the same SQL as the sql side run by PostgreSQL's pgbench (a C
                 client; -M prepared, -c = --connections, -j up to the cores, -T = --seconds), each
                 transaction one statement for a random request's parameters (read from a key table
                 in the same statement); $PGBENCH, PATH or /usr/lib/postgresql/*/bin
Workloads:
  point   entity(id){ value(property, asOf) } at random (entity, property, T)
  known   the same with knownAt (a random instant of the log's life)
  page    the example-page query (docs/api.md) for random sources with citing pages and facts
  list    a page of 20 sources after a random one, with citing pages and facts and their counts
  floor   { __typename } (SQL side: SELECT 1): each side's fixed cost per request
Before measuring, the first requests of each workload are run on every side and their answers
compared (pgbench's statement through pg); disagreements are reported. Factlog's requests/s is printed
as a percentage of each other side's.

Options:
  --scale <list>        generated scales to measure, comma-separated (default 10k)
  --workloads <list>    comma-separated, of ${WORKLOADS.join(', ')} (default all)
  --point-only-beyond   at the second and later scales, measure only the point query
  --connections <n>     concurrent clients, and pool size of every side (default 10)
  --seconds <n>         measured seconds per side and workload (default 10)
  --warmup <n>          unmeasured seconds first (default 3)
  --sides <list>        of ${SIDES.join(', ')} (default all)
  --json                print the results as JSON
  -h, --help            print this help and exit

Environment:
  DATABASE_URL          the server of the generated databases (default ${DEFAULT_DATABASE_URL})
`;

export interface ReadOptions {
  scales: { name: string; facts: number }[];
  workloads: WorkloadName[];
  pointOnlyBeyond: boolean;
  connections: number;
  seconds: number;
  warmup: number;
  sides: Side[];
  json: boolean;
  adminUrl: string;
}

function listOf<T extends string>(raw: string | undefined, allowed: readonly T[], option: string): T[] | undefined {
  if (raw === undefined) return undefined;
  const items = raw
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
  for (const x of items) if (!allowed.includes(x as T)) throw new UsageError(`${option}: unknown "${x}" (allowed: ${allowed.join(', ')})`);
  return items as T[];
}

function int(raw: string | undefined, fallback: number, option: string, min: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < min) throw new UsageError(`${option} must be an integer ≥ ${min}, got ${JSON.stringify(raw)}`);
  return n;
}

export function parseReadArgs(args: readonly string[], env: NodeJS.ProcessEnv): { kind: 'run'; options: ReadOptions } | { kind: 'help' } {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: false,
      options: {
        scale: { type: 'string' },
        workloads: { type: 'string' },
        'point-only-beyond': { type: 'boolean' },
        connections: { type: 'string' },
        seconds: { type: 'string' },
        warmup: { type: 'string' },
        sides: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message.split('. ')[0]);
  }
  if (values.help) return { kind: 'help' };
  return {
    kind: 'run',
    options: {
      scales: (values.scale ?? '10k').split(',').map((s) => parseScale(s.trim())),
      workloads: listOf(values.workloads, WORKLOADS, '--workloads') ?? [...WORKLOADS],
      pointOnlyBeyond: values['point-only-beyond'] ?? false,
      connections: int(values.connections, 10, '--connections', 1),
      seconds: int(values.seconds, 10, '--seconds', 1),
      warmup: int(values.warmup, 3, '--warmup', 0),
      sides: listOf(values.sides, SIDES, '--sides') ?? [...SIDES],
      json: values.json ?? false,
      adminUrl: env.DATABASE_URL || DEFAULT_DATABASE_URL,
    },
  };
}

export interface ReadRow {
  scale: string;
  facts: number;
  factVersions: number;
  workload: string;
  side: Side;
  result: LoadResult;
  disagreements: number;
  /** The gateway's CPU milliseconds per answered request (HTTP sides only; approximate: warm-up is estimated). */
  cpuMsPerRequest?: number;
  /** Factlog only: SQL statements per request. */
  statementsPerRequest?: number;
}

const SIDE_NAMES: Record<Side, string> = {
  factlog: 'Factlog',
  sql: 'SQL (pg)',
  postgraphile: 'PostGraphile 4',
  postgraphile5: 'PostGraphile 5',
  pgbench: 'pgbench',
};

/** Runs the first `n` requests of a workload on every side and counts answers that differ. */
async function agreement(
  w: Workload,
  urls: Partial<Record<GatewaySide, string>>,
  pool: pg.Pool,
  n: number,
  pgbench?: PgbenchScript,
): Promise<number> {
  let differ = 0;
  for (let i = 0; i < Math.min(n, w.size); i++) {
    const keys: string[] = [];
    for (const side of ['factlog', 'postgraphile', 'postgraphile5'] as const) {
      const url = urls[side];
      if (!url) continue;
      const r = await graphql(url, w[side](i));
      if (r.errors)
        throw new Error(`${SIDE_NAMES[side]} answered ${w.name} request ${i} with errors: ${r.errors.map((e) => e.message).join('; ')}`);
      keys.push(w.agree[side](r.data));
    }
    const q = w.sql(i);
    keys.push(w.agree.sql((await pool.query(q.text, q.values)).rows));
    if (pgbench) {
      // pgbench's statement (the key table's row i in place of the parameters) answers as the SQL side does.
      const c = pgbench.check(i);
      keys.push(w.agree.sql((await pool.query(c.text, c.values)).rows));
    }
    if (new Set(keys).size > 1) {
      differ += 1;
      if (differ <= 3) process.stderr.write(`  ${w.name} request ${i}: answers differ: ${keys.join(' | ')}\n`);
    }
  }
  return differ;
}

export interface ReadReport {
  rows: ReadRow[];
  memory: { scale: string; factlogPeakRssMb: number; postgraphilePeakRssMb?: number; postgraphile5PeakRssMb?: number }[];
}

export async function runReads(options: ReadOptions): Promise<ReadReport> {
  const report: ReadReport = { rows: [], memory: [] };
  const load: LoadOptions = { connections: options.connections, seconds: options.seconds, warmupSeconds: options.warmup };
  if (options.sides.includes('pgbench')) pgbenchBinary(); // fails now, not after the other sides' runs
  for (const [scaleIndex, scale] of options.scales.entries()) {
    const name = benchDatabaseName(scale.name);
    const url = withDatabase(options.adminUrl, name);
    const info = (await databaseExists(options.adminUrl, name)) ? await readGeneratedInfo(url) : null;
    if (!info) throw new UsageError(`no complete ${name}: run npm run bench:generate -- --scale ${scale.name} first`);
    await adminQuery(url, POSTGRAPHILE_SETUP);
    const pool = new pg.Pool({ connectionString: url, max: options.connections });
    const servers: Partial<Record<GatewaySide, ServerChild>> = {};
    const scripts = options.sides.includes('pgbench') ? mkdtempSync(path.join(os.tmpdir(), 'factlog-pgbench-scripts-')) : undefined;
    try {
      for (const side of ['factlog', 'postgraphile', 'postgraphile5'] as const) {
        if (options.sides.includes(side)) servers[side] = await ServerChild.start(side, url, options.connections);
      }
      const wanted = options.pointOnlyBeyond && scaleIndex > 0 ? (['point'] as WorkloadName[]) : options.workloads;
      const params = await pointParams(pool, 2000, 7);
      const workloads: Workload[] = [];
      for (const w of wanted) {
        if (w === 'point') workloads.push(pointWorkload(params));
        if (w === 'known') workloads.push(pointKnownWorkload(params));
        if (w === 'page') workloads.push(pageWorkload(await pageSourceIds(pool, 500)));
        if (w === 'list')
          workloads.push(
            listWorkload(
              await listStarts(pool, 500),
              servers.postgraphile5 ? await postgraphile5CursorDigest(servers.postgraphile5.url) : undefined,
            ),
          );
        if (w === 'floor') workloads.push(floorWorkload());
      }
      process.stderr.write(`${name}: ${info.facts} facts, ${info.factVersions} fact versions, ${info.events} events\n`);
      for (const w of workloads) {
        const script = scripts ? await preparePgbenchScript(pool, w, scripts) : undefined;
        const urls = { factlog: servers.factlog?.url, postgraphile: servers.postgraphile?.url, postgraphile5: servers.postgraphile5?.url };
        const disagreements = await agreement(w, urls, pool, 50, script);
        for (const side of options.sides) {
          process.stderr.write(`  ${w.name} / ${side} …\n`);
          const server = side === 'sql' || side === 'pgbench' ? undefined : servers[side]!;
          let before: Awaited<ReturnType<ServerChild['stats']>> | undefined;
          const result =
            side === 'sql'
              ? await sqlLoad(pool, w.sql, load)
              : side === 'pgbench'
                ? await pgbenchLoad(url, script!, load)
                : await httpLoad(server!.url, w[side], {
                    ...load,
                    beforeMeasure: async () => {
                      before = await server!.stats();
                    },
                  });
          const after = await server?.stats();
          // Gateway CPU per request over the measured run and, for Factlog, SQL statements per request.
          const answered = result.requests;
          const cpuMsPerRequest = before && after ? ((after.cpuSeconds - before.cpuSeconds) * 1000) / answered : undefined;
          const statementsPerRequest =
            before?.statements !== undefined && after?.statements !== undefined
              ? (after.statements - before.statements) / answered
              : undefined;
          report.rows.push({
            scale: scale.name,
            facts: info.facts,
            factVersions: info.factVersions,
            workload: w.name,
            side,
            result,
            disagreements,
            cpuMsPerRequest,
            statementsPerRequest,
          });
        }
      }
      report.memory.push({
        scale: scale.name,
        factlogPeakRssMb: servers.factlog ? Math.round((await servers.factlog.stats()).maxRssMb) : Number.NaN,
        ...(servers.postgraphile ? { postgraphilePeakRssMb: Math.round((await servers.postgraphile.stats()).maxRssMb) } : {}),
        ...(servers.postgraphile5 ? { postgraphile5PeakRssMb: Math.round((await servers.postgraphile5.stats()).maxRssMb) } : {}),
      });
    } finally {
      for (const server of Object.values(servers)) await server.stop();
      if (scripts) {
        await dropPgbenchTables(pool);
        rmSync(scripts, { recursive: true, force: true });
      }
      await pool.end();
    }
  }
  return report;
}

const fmt = (n: number, digits = 0) =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '–';

export function formatReadReport(report: ReadReport): string {
  type Line = {
    scale: string;
    workload: string;
    side: Side;
    r: LoadResult;
    vsSql: string;
    vsPgl: string;
    vsPgl5: string;
    vsPgbench: string;
    disagreements: number;
    versions: number;
    cpu?: number;
    stmts?: number;
  };
  const lines: Line[] = report.rows.map((row) => {
    const same = (side: Side) => report.rows.find((o) => o.scale === row.scale && o.workload === row.workload && o.side === side);
    const ratio = (side: Side) => {
      const other = same(side);
      return other && row.side === 'factlog' ? `${fmt((100 * row.result.rps) / other.result.rps)}%` : '';
    };
    return {
      scale: row.scale,
      workload: row.workload,
      side: row.side,
      r: row.result,
      vsSql: ratio('sql'),
      vsPgl: ratio('postgraphile'),
      vsPgl5: ratio('postgraphile5'),
      vsPgbench: ratio('pgbench'),
      disagreements: row.disagreements,
      versions: row.factVersions,
      cpu: row.cpuMsPerRequest,
      stmts: row.statementsPerRequest,
    };
  });
  const table = formatTable<Line>(
    [
      { header: 'scale', align: 'left', cell: (l) => l.scale },
      { header: 'workload', align: 'left', cell: (l) => l.workload },
      {
        header: 'side',
        align: 'left',
        cell: (l) => SIDE_NAMES[l.side],
      },
      { header: 'req/s', align: 'right', cell: (l) => fmt(l.r.rps) },
      { header: 'p50 ms', align: 'right', cell: (l) => fmt(l.r.p50, 1) },
      { header: 'p99 ms', align: 'right', cell: (l) => fmt(l.r.p99, 1) },
      { header: 'errors', align: 'right', cell: (l) => String(l.r.errors) },
      { header: 'Factlog/SQL', align: 'right', cell: (l) => l.vsSql },
      { header: 'Factlog/PostGraphile 4', align: 'right', cell: (l) => l.vsPgl },
      { header: 'Factlog/PostGraphile 5', align: 'right', cell: (l) => l.vsPgl5 },
      { header: 'Factlog/pgbench', align: 'right', cell: (l) => l.vsPgbench },
      { header: 'gateway CPU ms/req', align: 'right', cell: (l) => (l.cpu !== undefined ? fmt(l.cpu, 2) : '') },
      { header: 'statements/req', align: 'right', cell: (l) => (l.stmts !== undefined ? fmt(l.stmts, 2) : '') },
      { header: 'answers differ', align: 'right', cell: (l) => (l.side === 'factlog' ? `${l.disagreements}/50` : '') },
    ],
    lines,
  );
  const memory = report.memory.map(
    (m) =>
      `gateway peak RSS at ${m.scale}: Factlog ${m.factlogPeakRssMb} MB${m.postgraphilePeakRssMb ? `, PostGraphile 4 ${m.postgraphilePeakRssMb} MB` : ''}${m.postgraphile5PeakRssMb ? `, PostGraphile 5 ${m.postgraphile5PeakRssMb} MB` : ''}`,
  );
  return `${table}\n${memory.join('\n')}\n${formatFlatCost(report)}`;
}

/**
 * Factlog's cost of each workload at the largest scale beside the smallest (issue 18's goal: every p50
 * at 1M within 1.2× of its p50 at 10k), for the workloads measured at more than one scale. Load
 * generators report whole milliseconds, so the gateway CPU per request is printed too: the finer
 * measure when p50 is a few ms.
 */
export function formatFlatCost(report: ReadReport): string {
  const factlog = report.rows.filter((r) => r.side === 'factlog');
  const facts = new Map(factlog.map((r) => [r.scale, r.facts]));
  const scales = [...facts.keys()].sort((x, y) => facts.get(y)! - facts.get(x)!);
  if (scales.length < 2) return '';
  const [largest, smallest] = [scales[0], scales[scales.length - 1]];
  type Line = { workload: string; big: ReadRow; small: ReadRow };
  const lines: Line[] = [];
  for (const big of factlog.filter((r) => r.scale === largest)) {
    const small = factlog.find((r) => r.scale === smallest && r.workload === big.workload);
    if (small) lines.push({ workload: big.workload, big, small });
  }
  if (lines.length === 0) return '';
  const times = (a: number, b: number) => (Number.isFinite(a / b) ? `${fmt(a / b, 2)}×` : '–');
  const table = formatTable<Line>(
    [
      { header: 'workload', align: 'left', cell: (l) => l.workload },
      { header: `p50 ms ${smallest}`, align: 'right', cell: (l) => fmt(l.small.result.p50, 1) },
      { header: `p50 ms ${largest}`, align: 'right', cell: (l) => fmt(l.big.result.p50, 1) },
      { header: 'p50 ratio', align: 'right', cell: (l) => times(l.big.result.p50, l.small.result.p50) },
      { header: `req/s ${smallest}`, align: 'right', cell: (l) => fmt(l.small.result.rps) },
      { header: `req/s ${largest}`, align: 'right', cell: (l) => fmt(l.big.result.rps) },
      { header: `CPU ms/req ${smallest}`, align: 'right', cell: (l) => fmt(l.small.cpuMsPerRequest ?? Number.NaN, 2) },
      { header: `CPU ms/req ${largest}`, align: 'right', cell: (l) => fmt(l.big.cpuMsPerRequest ?? Number.NaN, 2) },
    ],
    lines,
  );
  return `\nFactlog's cost at ${largest} beside ${smallest} (flat: p50 ratio at most 1.2×):\n${table}\n`;
}

async function main(options: ReadOptions): Promise<number> {
  const report = await runReads(options);
  process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : formatReadReport(report));
  return 0;
}

if (require.main === module) runMain('bench/read', parseReadArgs, USAGE, (err): err is UsageError => err instanceof UsageError, main);
