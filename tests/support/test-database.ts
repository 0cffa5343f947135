import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openPglite, openPostgres, quoteIdent, type Database } from '../../src/store/database';
import { migrateToLatest } from '../../src/store/migrate';

/** Which database this run targets: real PostgreSQL when DATABASE_URL is set, else PGlite. */
export const targetKind = process.env.DATABASE_URL ? 'postgres' : 'pglite';

export interface TestDatabase extends Database {
  /** Drops what the test created (the schema on PostgreSQL; the in-memory PGlite simply goes away). */
  dispose(): Promise<void>;
}

/**
 * An isolated, migrated database for one test file: a fresh schema on PostgreSQL (so files run in
 * parallel on one server) or a fresh in-memory PGlite.
 */
export async function createTestDatabase(options: { maxConnections?: number } = {}): Promise<TestDatabase> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    const database = await openPglite({ dataDir: 'memory://' });
    await migrateToLatest(database.db);
    return { ...database, dispose: () => database.close() };
  }
  const schema = `test_${randomBytes(6).toString('hex')}`;
  await adminQuery(url, `CREATE SCHEMA ${quoteIdent(schema)}`);
  const database = openPostgres({ url, schema, maxConnections: options.maxConnections });
  await migrateToLatest(database.db);
  return {
    ...database,
    dispose: async () => {
      await database.close();
      await adminQuery(url, `DROP SCHEMA ${quoteIdent(schema)} CASCADE`);
    },
  };
}

/** Raw SQL on the test database, for tests that play an attacker or a crash. */
export async function rawQuery(database: Database, text: string, params: unknown[] = []): Promise<pg.QueryResult> {
  return database.pool.query(text, params);
}

/** One statement on a fresh connection (for CREATE/DROP DATABASE, which cannot run in a transaction). */
export async function adminQuery(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/**
 * A new, empty database on the server `url` points at, for tests whose other processes (the CLI, a
 * gateway) need a whole database rather than a schema. `drop` removes it even with clients attached.
 */
export async function createScratchDatabase(url: string, prefix: string): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  await adminQuery(url, `CREATE DATABASE ${quoteIdent(name)}`);
  const u = new URL(url);
  u.pathname = `/${name}`;
  return { name, url: u.toString(), drop: () => adminQuery(url, `DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`) };
}
