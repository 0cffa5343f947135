/**
 * Write benchmark: assertFact mutations per second over HTTP (autocannon) at 1, 16 and 64 concurrent
 * clients, beside a raw-INSERT baseline (one row with the same payload per statement, `pg`, the same
 * concurrency) in the same run. A scratch database is created and dropped.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { factlogOver } from '../src/app';
import { openPostgres } from '../src/store/database';
import { migrateToLatest } from '../src/store/migrate';
import { createDatabase, databaseExists, dropDatabase, withDatabase } from './lib/bench-db';
import { DEFAULT_DATABASE_URL, UsageError } from './lib/cli';
import { Cleanup, runMain, settleWithin } from './lib/cleanup';
import { graphql, httpLoad, ServerChild, sqlLoad, type LoadResult } from './lib/load';
import { CpuWindow } from './lib/server-cpu';
import { formatTable } from './lib/table';

export const USAGE = `Usage: npm run bench:write -- [options]
       node dist-bench/bench/write.js [options]

Measures assertFact mutations per second over HTTP against a Factlog gateway (its own process),
at each client count, beside the same payload written as a plain INSERT of one row into a bare
table with pg at the same concurrency. Runs in a scratch database (factlog_bench_write) that is
dropped at the end.

Options:
  --clients <list>  concurrent clients, comma-separated (default 1,16,64)
  --seconds <n>     measured seconds per side and client count (default 10)
  --warmup <n>      unmeasured seconds first (default 2)
  --json            print the results as JSON
  -h, --help        print this help and exit

Environment:
  DATABASE_URL      the PostgreSQL server (default ${DEFAULT_DATABASE_URL})
`;

export interface WriteOptions {
  clients: number[];
  seconds: number;
  warmup: number;
  json: boolean;
  adminUrl: string;
}

export function parseWriteArgs(args: readonly string[], env: NodeJS.ProcessEnv): { kind: 'run'; options: WriteOptions } | { kind: 'help' } {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: false,
      options: {
        clients: { type: 'string' },
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
  const int = (raw: string, option: string, min: number) => {
    if (!/^\d+$/.test(raw) || Number(raw) < min) throw new UsageError(`${option} must be an integer ≥ ${min}, got ${JSON.stringify(raw)}`);
    return Number(raw);
  };
  return {
    kind: 'run',
    options: {
      clients: (values.clients ?? '1,16,64').split(',').map((c) => int(c.trim(), '--clients', 1)),
      seconds: int(values.seconds ?? '10', '--seconds', 1),
      warmup: int(values.warmup ?? '2', '--warmup', 0),
      json: values.json ?? false,
      adminUrl: env.DATABASE_URL || DEFAULT_DATABASE_URL,
    },
  };
}

const MUTATION = `mutation Assert($input: AssertFactInput!) { assertFact(input: $input) { position fact { id } } }`;
const ENTITIES = 50;
const entityId = (i: number) => `Wb${String(i).padStart(8, '0')}`;

/** Entities and a property for the facts to be about, through the normal command path. */
async function seed(url: string): Promise<void> {
  const database = openPostgres({ url, maxConnections: 2 });
  try {
    await migrateToLatest(database.db);
    const { commands } = factlogOver(database);
    await commands.execute({
      type: 'DefineProperty',
      id: 'revenue',
      fields: { name: 'Revenue', dataType: 'number', unit: 'USD', temporal: true, appliesTo: ['organization'] },
    });
    for (let i = 0; i < ENTITIES; i++) {
      await commands.execute({
        type: 'RegisterEntity',
        id: entityId(i),
        fields: { slug: `write-bench-${i}`, name: `Write bench ${i}`, type: 'organization' },
      });
    }
    await database.pool.query(
      'CREATE TABLE baseline_facts (id bigserial PRIMARY KEY, stream text NOT NULL, data jsonb NOT NULL, recorded_at timestamptz NOT NULL DEFAULT now())',
    );
  } finally {
    await database.close();
  }
}

const countFacts = async (pool: pg.Pool) => Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM facts')).rows[0].n);

const input = (i: number) => ({
  entity: entityId(i % ENTITIES),
  property: 'revenue',
  value: 1_000_000 + (i % 997) * 1000,
  asOf: `${2015 + (i % 11)}-${String(1 + (i % 12)).padStart(2, '0')}`,
  notes: 'write benchmark',
});

export interface WriteRow {
  clients: number;
  factlog: LoadResult;
  /** The gateway's CPU and SQL statements per mutation over the measured run (not the warm-up). */
  cpuMsPerMutation: number;
  statementsPerMutation: number;
  /** CPU per operation of the load generator (this process) and of the database, per side. */
  factlogCpu: { clientMs: number; databaseMs: number | undefined };
  insert: LoadResult;
  insertCpu: { clientMs: number; databaseMs: number | undefined };
}

export async function runWrites(options: WriteOptions): Promise<{ rows: WriteRow[]; gatewayPeakRssMb: number }> {
  const name = 'factlog_bench_write';
  const url = withDatabase(options.adminUrl, name);
  const cleanup = new Cleanup();
  if (await databaseExists(options.adminUrl, name)) await dropDatabase(options.adminUrl, name);
  await createDatabase(options.adminUrl, name);
  cleanup.add(() => dropDatabase(options.adminUrl, name));
  const max = Math.max(...options.clients);
  const pool = new pg.Pool({ connectionString: url, max });
  // Dropping the database at the end terminates its backends, and a client still closing then hears
  // "terminating connection": with no listener, the pool would throw that away with the results.
  pool.on('error', () => undefined);
  cleanup.add(() => settleWithin(pool.end(), 3000));
  try {
    await seed(url);
    const gateway = await ServerChild.start('factlog-write', url, max);
    cleanup.add(() => gateway.stop());
    const rows: WriteRow[] = [];
    for (const clients of options.clients) {
      const load = { connections: clients, seconds: options.seconds, warmupSeconds: options.warmup };
      process.stderr.write(`  ${clients} client(s): Factlog …\n`);
      const check = await graphql(gateway.url, { query: MUTATION, variables: { input: input(0) } });
      if (check.errors) throw new Error(`the mutation fails: ${check.errors.map((e) => e.message).join('; ')}`);
      const before = await countFacts(pool);
      let atStart: Awaited<ReturnType<ServerChild['stats']>> | undefined;
      const cpu = new CpuWindow(name);
      const factlog = await httpLoad(gateway.url, (i) => ({ query: MUTATION, variables: { input: input(i) } }), {
        ...load,
        beforeMeasure: async () => {
          atStart = await gateway.stats();
          cpu.start();
        },
      });
      const factlogCpu = cpu.perOperation(factlog.requests);
      const after = await gateway.stats();
      const cpuMsPerMutation = ((after.cpuSeconds - atStart!.cpuSeconds) * 1000) / factlog.requests;
      const statementsPerMutation = (after.statements! - atStart!.statements!) / factlog.requests;
      // autocannon counts answers, not GraphQL errors: every measured answer must be a fact in the store.
      const written = (await countFacts(pool)) - before;
      if (written < factlog.requests) factlog.errors += factlog.requests - written;
      process.stderr.write(`  ${clients} client(s): INSERT …\n`);
      const insert = await sqlLoad(
        pool,
        (i) => ({
          text: 'INSERT INTO baseline_facts (stream, data) VALUES ($1, $2)',
          values: [`fact-w${i}`, JSON.stringify({ id: `w${i}`, ...input(i) })],
        }),
        { ...load, connections: clients, beforeMeasure: async () => cpu.start() },
      );
      const insertCpu = cpu.perOperation(insert.requests);
      rows.push({ clients, factlog, cpuMsPerMutation, statementsPerMutation, factlogCpu, insert, insertCpu });
    }
    const gatewayPeakRssMb = Math.round((await gateway.stats()).maxRssMb);
    return { rows, gatewayPeakRssMb };
  } finally {
    await cleanup.run();
  }
}

const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

const cpuCell = (ms: number | undefined, digits = 2) => (ms === undefined ? '–' : fmt(ms, digits));

/**
 * The load generator, the gateway and the database share this machine's cores, so the CPU an
 * operation costs the three together bounds its rate: the ceiling each side would reach with every
 * core busy, beside what it reached.
 */
function describeCeiling(r: WriteRow): string {
  if (r.factlogCpu.databaseMs === undefined || r.insertCpu.databaseMs === undefined) return '';
  const cores = os.availableParallelism();
  const mutation = r.factlogCpu.clientMs + r.cpuMsPerMutation + r.factlogCpu.databaseMs;
  const row = r.insertCpu.clientMs + r.insertCpu.databaseMs;
  return (
    `${r.clients} client(s): CPU per mutation ${fmt(mutation, 2)} ms (client ${fmt(r.factlogCpu.clientMs, 2)}, gateway ${fmt(r.cpuMsPerMutation, 2)}, ` +
    `database ${fmt(r.factlogCpu.databaseMs, 2)}) against ${fmt(row, 3)} ms per INSERT; on ${cores} cores at most ` +
    `${fmt((cores * 1000) / mutation)} mutations/s and ${fmt((cores * 1000) / row)} INSERTs/s (CPU-bound ratio ${fmt((100 * row) / mutation)}%)`
  );
}

async function main(options: WriteOptions): Promise<number> {
  const report = await runWrites(options);
  if (options.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return 0;
  }
  const errors = report.rows.some((r) => r.factlog.errors > 0);
  process.stdout.write(
    `${formatTable<WriteRow>(
      [
        { header: 'clients', align: 'right', cell: (r) => String(r.clients) },
        { header: 'Factlog mutations/s', align: 'right', cell: (r) => fmt(r.factlog.rps) },
        { header: 'p50 ms', align: 'right', cell: (r) => fmt(r.factlog.p50, 1) },
        { header: 'p99 ms', align: 'right', cell: (r) => fmt(r.factlog.p99, 1) },
        { header: 'errors', align: 'right', cell: (r) => String(r.factlog.errors) },
        { header: 'gateway CPU ms/mutation', align: 'right', cell: (r) => fmt(r.cpuMsPerMutation, 2) },
        { header: 'statements/mutation', align: 'right', cell: (r) => fmt(r.statementsPerMutation, 2) },
        { header: 'database CPU ms/mutation', align: 'right', cell: (r) => cpuCell(r.factlogCpu.databaseMs) },
        { header: 'client CPU ms/mutation', align: 'right', cell: (r) => fmt(r.factlogCpu.clientMs, 2) },
        { header: 'INSERT rows/s', align: 'right', cell: (r) => fmt(r.insert.rps) },
        { header: 'p50 ms', align: 'right', cell: (r) => fmt(r.insert.p50, 1) },
        { header: 'p99 ms', align: 'right', cell: (r) => fmt(r.insert.p99, 1) },
        { header: 'database CPU ms/row', align: 'right', cell: (r) => cpuCell(r.insertCpu.databaseMs, 3) },
        { header: 'client CPU ms/row', align: 'right', cell: (r) => fmt(r.insertCpu.clientMs, 3) },
        { header: 'ratio', align: 'right', cell: (r) => `${fmt((100 * r.factlog.rps) / r.insert.rps)}%` },
      ],
      report.rows,
    )}\n${report.rows.map(describeCeiling).filter(Boolean).join('\n')}\ngateway peak RSS under write load: ${report.gatewayPeakRssMb} MB\n`,
  );
  if (errors) process.stderr.write('some mutations failed (see the errors column): the figures are not comparable\n');
  return errors ? 1 : 0;
}

if (require.main === module) runMain('bench/write', parseWriteArgs, USAGE, (err): err is UsageError => err instanceof UsageError, main);
