/**
 * The database alone, measured with PostgreSQL's own `pgbench` (a C client, prepared statements), not a
 * Node loop: the floor a gateway's requests/s is compared with (issue 18: the point query within 4× of
 * it). A workload's SQL (the statement the raw-SQL side sends) runs as a pgbench custom script whose
 * parameters are drawn at random from the same set as every other side's: they are written to a key
 * table, and the script reads one row of it by a random key in the same statement
 * (`SELECT q.* FROM keys pp, LATERAL (<the workload's SQL over pp's columns>) q WHERE pp.k = :k`), so
 * each transaction is one round trip; the key lookup is a primary-key probe of a table of ≤ 2,000 rows.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type pg from 'pg';
import type { LoadOptions, LoadResult } from './load';
import type { Workload } from './read-workloads';
import { summarizeLatencies } from './stats';

const run = promisify(execFile);

/** The schema of the key tables: PostGraphile serves public and bench_pgl, not this one. */
const SCHEMA = 'bench_pgbench';

/** $PGBENCH, else pgbench on PATH, else the newest /usr/lib/postgresql/<v>/bin/pgbench. */
export function pgbenchBinary(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PGBENCH) {
    if (!existsSync(env.PGBENCH)) throw new Error(`PGBENCH=${env.PGBENCH}: no such file`);
    return env.PGBENCH;
  }
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (dir && existsSync(path.join(dir, 'pgbench'))) return path.join(dir, 'pgbench');
  }
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  for (const v of versions) {
    const bin = path.join(root, v, 'bin', 'pgbench');
    if (existsSync(bin)) return bin;
  }
  throw new Error('pgbench not found (PATH, /usr/lib/postgresql/*/bin): install postgresql-client or set PGBENCH');
}

export interface PgbenchScript {
  /** The script file pgbench runs. */
  file: string;
  /** The same statement for `pg`, with the key as $1: to check it answers what the SQL side answers. */
  check(i: number): { text: string; values: unknown[] };
}

const slug = (name: string) => name.replace(/[^a-z0-9]+/gi, '_').toLowerCase();

/**
 * Writes request i's parameters (i < w.size) to bench_pgbench.<workload> and the script that runs the
 * workload's SQL for a random one of them. The parameter types are PostgreSQL's own inference for the
 * statement (pg_prepared_statements), so the key table's columns compare exactly as the parameters do.
 */
export async function preparePgbenchScript(pool: pg.Pool, w: Workload, dir: string): Promise<PgbenchScript> {
  const first = w.sql(0);
  const file = path.join(dir, `${slug(w.name)}.sql`);
  if (first.values.length === 0) {
    writeFileSync(file, `${first.text.trim()};\n`);
    return { file, check: () => first };
  }
  const table = `${SCHEMA}.${slug(w.name)}`;
  const client = await pool.connect();
  let types: string[];
  try {
    await client.query(`PREPARE bench_pgbench_probe AS ${first.text}`);
    const r = await client.query<{ types: string[] }>(
      "SELECT parameter_types::text[] AS types FROM pg_prepared_statements WHERE name = 'bench_pgbench_probe'",
    );
    types = r.rows[0].types;
    await client.query('DEALLOCATE bench_pgbench_probe');
  } finally {
    client.release();
  }
  const columns = types.map((t, n) => `p${n + 1} ${t}`);
  await pool.query(`CREATE SCHEMA IF NOT EXISTS ${SCHEMA}`);
  await pool.query(`DROP TABLE IF EXISTS ${table}`);
  await pool.query(`CREATE TABLE ${table} (k integer PRIMARY KEY, ${columns.join(', ')})`);
  const n = w.size;
  const byParameter = types.map((_, p) => Array.from({ length: n }, (__, i) => w.sql(i).values[p]));
  await pool.query(`INSERT INTO ${table} SELECT * FROM unnest($1::integer[], ${types.map((t, p) => `$${p + 2}::${t}[]`).join(', ')})`, [
    Array.from({ length: n }, (_, i) => i),
    ...byParameter,
  ]);
  await pool.query(`ANALYZE ${table}`);
  const over = (key: string) =>
    `SELECT q.* FROM ${table} pp, LATERAL (${first.text.trim().replace(/\$(\d+)/g, (_, d: string) => `pp.p${d}`)}) q WHERE pp.k = ${key}`;
  writeFileSync(file, `\\set k random(0, ${n - 1})\n${over(':k')};\n`);
  return { file, check: (i) => ({ text: over('$1'), values: [i % n] }) };
}

/** Drops the key tables (the generated database keeps only what the generator wrote). */
export async function dropPgbenchTables(pool: pg.Pool): Promise<void> {
  await pool.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
}

/**
 * pgbench on `script`: `connections` clients (-c), worker threads up to the cores (-j), -M prepared, a
 * warm-up run first, then the measured run with per-transaction logs for p50/p99.
 */
export async function pgbenchLoad(url: string, script: PgbenchScript, options: LoadOptions): Promise<LoadResult> {
  const bin = pgbenchBinary();
  const threads = Math.max(1, Math.min(options.connections, os.availableParallelism()));
  const base = ['-n', '-M', 'prepared', '-c', String(options.connections), '-j', String(threads), '-f', script.file];
  if (options.warmupSeconds > 0) await run(bin, [...base, '-T', String(options.warmupSeconds), url]);
  const logs = mkdtempSync(path.join(os.tmpdir(), 'factlog-pgbench-'));
  try {
    const { stdout } = await run(bin, [...base, '-T', String(options.seconds), '-l', '--log-prefix', path.join(logs, 'tx'), url], {
      maxBuffer: 1 << 20,
    });
    const field = (re: RegExp) => {
      const m = re.exec(stdout);
      if (!m) throw new Error(`pgbench printed no ${re.source}:\n${stdout}`);
      return Number(m[1]);
    };
    const processed = field(/number of transactions actually processed: (\d+)/);
    const failed = /number of failed transactions: (\d+)/.exec(stdout);
    const tps = field(/tps = ([\d.]+) \(without initial connection time\)/);
    const latencies: number[] = [];
    for (const f of readdirSync(logs)) {
      for (const line of readFileSync(path.join(logs, f), 'utf8').split('\n')) {
        const cols = line.split(' ');
        if (cols.length >= 3) latencies.push(Number(cols[2]) / 1000);
      }
    }
    const s = summarizeLatencies(latencies);
    return { requests: processed, seconds: processed / tps, rps: tps, p50: s.p50, p99: s.p99, errors: failed ? Number(failed[1]) : 0 };
  } finally {
    rmSync(logs, { recursive: true, force: true });
  }
}
