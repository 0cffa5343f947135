import { sql, type Kysely } from 'kysely';

/**
 * Whether a bulk write of `written` events into a log the planner last counted at `counted` rows
 * (pg_class.reltuples; negative when never counted) is worth new statistics: autovacuum's own rule
 * (50 rows plus a tenth of the table). A sync of a few edited files into a large store is not, and
 * `ANALYZE` of every table costs seconds there (7.6 s at the 100k scale).
 */
export const statisticsStale = (written: number, counted: number): boolean => written > 0 && (counted < 0 || written >= 50 + 0.1 * counted);

/**
 * Refreshes the planner's statistics of the store's own tables (those of its schema) after a bulk
 * write of `written` events, when statisticsStale says so. Without them the planner guesses, and a
 * freshly imported store answered a search by reading every document instead of probing its text
 * indexes (BENCHMARKS.md, "Search"). PostgreSQL's autovacuum would get there within minutes; PGlite has
 * no autovacuum at all, so an embedded store kept its guesses for good.
 */
export async function refreshStatistics<DB>(db: Kysely<DB>, written: number): Promise<boolean> {
  const { rows: counted } = await sql<{ n: number }>`
    SELECT c.reltuples::float8 AS n FROM pg_class c WHERE c.oid = to_regclass('events')`.execute(db);
  if (!statisticsStale(written, Number(counted[0]?.n ?? -1))) return false;
  const { rows } = await sql<{ name: string }>`
    SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename`.execute(db);
  if (rows.length === 0) return false;
  await sql`ANALYZE ${sql.join(rows.map((r) => sql.id(r.name)))}`.execute(db);
  return true;
}
