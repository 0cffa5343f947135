import { refreshStatistics, statisticsStale } from '../../src/store/statistics';
import { createTestDatabase, rawQuery } from '../support/test-database';

/** After a bulk write the planner's statistics are refreshed when it wrote enough to change them (docs/embedded-store.md). */

it('follows autovacuum’s rule: never counted, or at least 50 rows plus a tenth of the table; nothing written, nothing to do', () => {
  expect(statisticsStale(1, -1)).toBe(true);
  expect(statisticsStale(0, -1)).toBe(false);
  expect(statisticsStale(49, 0)).toBe(false);
  expect(statisticsStale(50, 0)).toBe(true);
  expect(statisticsStale(1_049, 10_000)).toBe(false);
  expect(statisticsStale(1_050, 10_000)).toBe(true);
});

it('analyzes a store never analyzed, then not again for a small write', async () => {
  const database = await createTestDatabase();
  try {
    const counted = async () =>
      Number((await rawQuery(database, `SELECT reltuples::float8 AS n FROM pg_class WHERE oid = to_regclass('events')`)).rows[0].n);
    expect(await counted()).toBeLessThan(0);
    expect(await refreshStatistics(database.db, 3)).toBe(true);
    expect(await counted()).toBe(0);
    expect(await refreshStatistics(database.db, 3)).toBe(false);
    expect(await refreshStatistics(database.db, 50)).toBe(true);
  } finally {
    await database.dispose();
  }
});
