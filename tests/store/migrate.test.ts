import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DatabaseIntrospector, Kysely } from 'kysely';
import { MIGRATIONS_DIR, migrateToLatest } from '../../src/store/migrate';
import { createTestDatabase, rawQuery } from '../support/test-database';

/**
 * Kysely's migrator finds its own tables by introspecting every table in the database; a schema or a
 * table that someone else drops at that moment fails the lookup ("schema … does not exist", 3F000;
 * "relation … does not exist", 42P01; "column … of relation … does not exist", 42703 — each seen in CI
 * while another test file dropped its schema). That is
 * a race with nothing to do with this store, so migrating tries again instead of failing the start.
 */

/**
 * The store's Kysely, except that its introspection — which Kysely runs without plugins — fails the
 * first `times` table lookups as if another schema had just been dropped.
 */
const VANISHED_SCHEMA = Object.assign(new Error('schema "test_gone" does not exist'), { code: '3F000' });
const VANISHED_TABLE = Object.assign(new Error('relation "test_gone.fact_versions" does not exist'), { code: '42P01' });
const VANISHED_COLUMN = Object.assign(new Error('column "recorded_from" of relation "fact_versions" does not exist'), { code: '42703' });

function vanishingSchema<DB>(
  db: Kysely<DB>,
  times: number,
  error: Error = VANISHED_SCHEMA,
): { db: Kysely<DB>; failures(): number; lookups(): number } {
  let failures = 0;
  let lookups = 0;
  const introspector: DatabaseIntrospector = {
    getSchemas: () => db.introspection.getSchemas(),
    getMetadata: (options) => db.introspection.getMetadata(options),
    getTables: async (options) => {
      lookups += 1;
      if (failures < times) {
        failures += 1;
        throw error;
      }
      return db.introspection.getTables(options);
    },
  };
  const proxy = new Proxy(db, {
    get(target, prop) {
      if (prop === 'introspection') return introspector;
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { db: proxy, failures: () => failures, lookups: () => lookups };
}

it.each([
  ['schema', VANISHED_SCHEMA],
  ['table', VANISHED_TABLE],
  ['column', VANISHED_COLUMN],
])("migrates although a %s vanished under the migrator's table lookup, and reports every migration", async (_what, error) => {
  const database = await createTestDatabase();
  try {
    const vanishing = vanishingSchema(database.db, 2, error);
    const report = await migrateToLatest(vanishing.db);
    expect(vanishing.failures()).toBe(2);
    expect(report.applied).toEqual([]);
    expect(report.total).toBeGreaterThanOrEqual(4);
    const { rows } = await rawQuery(database, 'SELECT count(*)::int AS n FROM kysely_migration');
    expect(rows[0].n).toBe(report.total);
  } finally {
    await database.dispose();
  }
});

it('gives up after a few attempts and says why', async () => {
  const database = await createTestDatabase();
  try {
    await expect(migrateToLatest(vanishingSchema(database.db, 100).db)).rejects.toThrow(/schema "test_gone" does not exist/);
  } finally {
    await database.dispose();
  }
});

it('does not retry a migration that itself refers to a missing table: that is a bug to report at once', async () => {
  const database = await createTestDatabase();
  const dir = await mkdtemp(path.join(tmpdir(), 'factlog-migrations-'));
  try {
    await cp(MIGRATIONS_DIR, dir, { recursive: true });
    const counting = vanishingSchema(database.db, 0);
    await migrateToLatest(counting.db, dir);
    const perAttempt = counting.lookups();
    await writeFile(path.join(dir, '9999_broken.sql'), 'INSERT INTO no_such_table VALUES (1);');
    await expect(migrateToLatest(counting.db, dir)).rejects.toThrow(
      /migration 9999_broken failed: relation "no_such_table" does not exist/,
    );
    expect(counting.lookups()).toBe(2 * perAttempt);
  } finally {
    await rm(dir, { recursive: true, force: true });
    await database.dispose();
  }
});
