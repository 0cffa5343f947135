import type { DatabaseIntrospector, Kysely } from 'kysely';
import { migrateToLatest } from '../../src/store/migrate';
import { createTestDatabase, rawQuery } from '../support/test-database';

/**
 * Kysely's migrator finds its own tables by introspecting every table in the database; a schema that
 * someone else drops at that moment fails the lookup ("schema … does not exist", 3F000). That is a
 * race with nothing to do with this store, so migrating tries again instead of failing the start.
 */

/**
 * The store's Kysely, except that its introspection — which Kysely runs without plugins — fails the
 * first `times` table lookups as if another schema had just been dropped.
 */
function vanishingSchema<DB>(db: Kysely<DB>, times: number): { db: Kysely<DB>; failures(): number } {
  let failures = 0;
  const introspector: DatabaseIntrospector = {
    getSchemas: () => db.introspection.getSchemas(),
    getMetadata: (options) => db.introspection.getMetadata(options),
    getTables: async (options) => {
      if (failures < times) {
        failures += 1;
        throw Object.assign(new Error('schema "test_gone" does not exist'), { code: '3F000' });
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
  return { db: proxy, failures: () => failures };
}

it('migrates although a schema vanished under the migrator\'s table lookup, and reports every migration', async () => {
  const database = await createTestDatabase();
  try {
    const vanishing = vanishingSchema(database.db, 2);
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
