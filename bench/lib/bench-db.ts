import pg from 'pg';
import { quoteIdent } from '../../src/store/database';
import { UsageError } from './cli';

/**
 * The generated knowledge bases live in databases of their own (factlog_bench_10k, …) on the server of
 * DATABASE_URL, so the read and write benchmarks can reuse one generation across runs.
 */

export const SCALES: Record<string, number> = { '10k': 10_000, '100k': 100_000, '1m': 1_000_000 };

/** "10k", "100k", "1m" or a plain number of facts (≥ 100). */
export function parseScale(raw: string): { name: string; facts: number } {
  const key = raw.toLowerCase();
  if (SCALES[key]) return { name: key, facts: SCALES[key] };
  if (/^\d+$/.test(raw) && Number(raw) >= 100 && Number.isSafeInteger(Number(raw))) return { name: raw, facts: Number(raw) };
  throw new UsageError(`--scale must be 10k, 100k, 1m or a number of facts ≥ 100, got ${JSON.stringify(raw)}`);
}

export const benchDatabaseName = (scale: string): string => `factlog_bench_${scale.toLowerCase()}`;

/** The same server and credentials as `url`, another database. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export async function adminQuery<R extends pg.QueryResultRow = pg.QueryResultRow>(
  url: string,
  text: string,
  params: unknown[] = [],
): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return (await client.query<R>(text, params)).rows;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function databaseExists(adminUrl: string, name: string): Promise<boolean> {
  return (await adminQuery(adminUrl, 'SELECT 1 FROM pg_database WHERE datname = $1', [name])).length > 0;
}

export async function createDatabase(adminUrl: string, name: string): Promise<void> {
  await adminQuery(adminUrl, `CREATE DATABASE ${quoteIdent(name)}`);
}

export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  await adminQuery(adminUrl, 'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [
    name,
  ]);
  await adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${quoteIdent(name)}`);
}

/** What the generator records when it finishes, so a benchmark knows the store is complete. */
export interface GeneratedInfo {
  scale: string;
  facts: number;
  events: number;
  factVersions: number;
  currentFacts: number;
  seconds: number;
  seed: number;
  generatorVersion: number;
  finishedAt: string;
  peakRssMb: number;
  /** How the read models were built (generator version 2 on): replayed from the log, or inline. */
  projections?: 'replay' | 'inline';
  /** The replay's seconds, when the read models were replayed. */
  replaySeconds?: number;
}

export async function readGeneratedInfo(url: string): Promise<GeneratedInfo | null> {
  try {
    const rows = await adminQuery<{ info: GeneratedInfo }>(url, 'SELECT info FROM bench_generated ORDER BY finished_at DESC LIMIT 1');
    return rows[0]?.info ?? null;
  } catch {
    return null;
  }
}

export async function writeGeneratedInfo(url: string, info: GeneratedInfo): Promise<void> {
  await adminQuery(url, 'CREATE TABLE IF NOT EXISTS bench_generated (finished_at timestamptz PRIMARY KEY, info jsonb NOT NULL)');
  await adminQuery(url, 'INSERT INTO bench_generated (finished_at, info) VALUES ($1, $2)', [info.finishedAt, JSON.stringify(info)]);
}
