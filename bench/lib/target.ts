import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openPglite, openPostgres, quoteIdent, type Database } from '../../src/store/database';
import { migrateToLatest } from '../../src/store/migrate';
import { settleWithin, type Cleanup } from './cleanup';

/** A migrated, empty database to measure, whose teardown is already registered with the cleanup. */
export interface BenchTarget {
  readonly database: Database;
  /** What is being measured, without credentials, e.g. "PostgreSQL 127.0.0.1:5432/test (schema bench_…)". */
  readonly description: string;
  readonly serverVersion: string;
}

/**
 * A fresh schema on PostgreSQL, as the tests do, so that the benchmark never touches anyone's data and
 * can run beside other work on the same server.
 */
export async function openPostgresTarget(url: string, maxConnections: number, cleanup: Cleanup): Promise<BenchTarget> {
  const schema = `bench_${randomBytes(6).toString('hex')}`;
  // Tagging our connections lets teardown find and end any that a crash or Ctrl-C left mid-transaction,
  // which would otherwise hold locks and make DROP SCHEMA wait forever.
  const applicationName = `factlog-${schema}`;
  await adminQuery(url, `CREATE SCHEMA ${quoteIdent(schema)}`);
  const database = openPostgres({ url: withApplicationName(url, applicationName), schema, maxConnections });
  cleanup.add(() => dropSchema(url, schema, applicationName));
  cleanup.add(() => settleWithin(database.close(), 3000));
  await migrateToLatest(database.db);
  return { database, description: database.description, serverVersion: await serverVersion(database) };
}

/** A throwaway in-memory PGlite: nothing to drop afterwards. */
export async function openPgliteTarget(cleanup: Cleanup): Promise<BenchTarget> {
  const database = await openPglite({ dataDir: 'memory://' });
  cleanup.add(() => settleWithin(database.close(), 3000));
  await migrateToLatest(database.db);
  return { database, description: 'PGlite in memory', serverVersion: await serverVersion(database) };
}

async function serverVersion(database: Database): Promise<string> {
  const { rows } = await database.pool.query<{ server_version: string }>('SHOW server_version');
  return rows[0]?.server_version ?? 'unknown';
}

async function dropSchema(url: string, schema: string, applicationName: string): Promise<void> {
  await adminQuery(url, 'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()', [
    applicationName,
  ]);
  await adminQuery(url, `DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
  process.stderr.write(`dropped schema ${schema}\n`);
}

/** A short-lived connection of its own, so schema setup and teardown never depend on the pool's state. */
async function adminQuery(url: string, text: string, params: unknown[] = []): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query(text, params);
  } finally {
    await client.end().catch(() => undefined);
  }
}

function withApplicationName(url: string, name: string): string {
  try {
    const u = new URL(url);
    // Set even over a name the URL brings: teardown must end only this run's connections.
    u.searchParams.set('application_name', name);
    return u.toString();
  } catch {
    // Not a URL the WHATWG parser accepts (pg accepts more): connect untagged rather than refuse to run.
    return url;
  }
}
