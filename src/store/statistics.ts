import { sql, type Kysely } from 'kysely';

/**
 * Refreshes the planner's statistics of the store's own tables (those of its schema), after a bulk
 * write. Without them the planner guesses, and a freshly imported store answered a search by reading
 * every document instead of probing its text indexes (BENCHMARKS.md, "Search"). PostgreSQL's
 * autovacuum would get there within minutes; PGlite has no autovacuum at all, so an embedded store
 * kept its guesses for good.
 */
export async function refreshStatistics<DB>(db: Kysely<DB>): Promise<void> {
  const { rows } = await sql<{ name: string }>`
    SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename`.execute(db);
  if (rows.length === 0) return;
  await sql`ANALYZE ${sql.join(rows.map((r) => sql.id(r.name)))}`.execute(db);
}
