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
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${quoteIdent(schema)}`);
  await admin.end();
  const database = openPostgres({ url, schema, maxConnections: options.maxConnections });
  await migrateToLatest(database.db);
  return {
    ...database,
    dispose: async () => {
      await database.close();
      const cleanup = new pg.Client({ connectionString: url });
      await cleanup.connect();
      await cleanup.query(`DROP SCHEMA ${quoteIdent(schema)} CASCADE`);
      await cleanup.end();
    },
  };
}

/** Raw SQL on the test database, for tests that play an attacker or a crash. */
export async function rawQuery(database: Database, text: string, params: unknown[] = []): Promise<pg.QueryResult> {
  return database.pool.query(text, params);
}
