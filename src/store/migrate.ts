import { promises as fs, statSync } from 'node:fs';
import path from 'node:path';
import { Kysely, Migrator, sql, type Migration, type MigrationProvider, type MigrationResultSet } from 'kysely';

/**
 * `migrations/` at the project root. Searched for upwards because this file runs at different depths:
 * `src/store` (tests), `dist/store` (build), `dist-bench/src/store` (benchmarks).
 */
export const MIGRATIONS_DIR = findMigrationsDir(__dirname);

/** The first ancestor with both `migrations/` and `package.json`: the project root, not a stray folder. */
function findMigrationsDir(start: string): string {
  const isDir = (p: string): boolean => statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false;
  const isFile = (p: string): boolean => statSync(p, { throwIfNoEntry: false })?.isFile() ?? false;
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (isDir(path.join(dir, 'migrations')) && isFile(path.join(dir, 'package.json'))) return path.join(dir, 'migrations');
    if (path.dirname(dir) === dir) return path.resolve(start, '..', '..', 'migrations');
  }
}

/**
 * Migrations are plain SQL files (`NNNN_name.sql`) so that a DBA can read exactly what runs; Kysely's
 * migrator supplies the bookkeeping and the lock that keeps two starting gateways from racing.
 */
class SqlFileMigrationProvider implements MigrationProvider {
  constructor(private readonly dir: string) {}

  async getMigrations(): Promise<Record<string, Migration>> {
    const files = (await fs.readdir(this.dir)).filter((f) => f.endsWith('.sql')).sort();
    const migrations: Record<string, Migration> = {};
    for (const file of files) {
      const text = await fs.readFile(path.join(this.dir, file), 'utf8');
      migrations[file.replace(/\.sql$/, '')] = {
        up: async (db) => {
          await sql.raw(text).execute(db);
        },
      };
    }
    return migrations;
  }
}

export interface MigrationReport {
  applied: string[];
  total: number;
}

export async function migrateToLatest<DB>(db: Kysely<DB>, dir = MIGRATIONS_DIR): Promise<MigrationReport> {
  // Named explicitly: Kysely otherwise finds its bookkeeping tables in *any* schema of the database, and
  // a second Factlog in another schema of the same database would think it is already migrated.
  const { rows } = await sql<{ schema: string }>`SELECT current_schema() AS schema`.execute(db);
  const provider = new SqlFileMigrationProvider(dir);
  const migrator = new Migrator({ db, provider, migrationTableSchema: rows[0].schema });
  const result = await withRetryOnVanishedSchema(() => migrator.migrateToLatest());
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    const cause = result.error instanceof Error ? result.error.message : String(result.error);
    throw new Error(`migration ${failed} failed: ${cause}`);
  }
  const applied = (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
  return { applied, total: Object.keys(await provider.getMigrations()).length };
}

/**
 * PostgreSQL's invalid_schema_name, undefined_table and undefined_column: what a lookup meets when its
 * object was just dropped (pg_get_serial_sequence on a column whose table a DROP SCHEMA … CASCADE is taking).
 */
const VANISHED = new Set(['3F000', '42P01', '42703']);
const codeOf = (err: unknown): unknown => (err && typeof err === 'object' ? (err as { code?: unknown }).code : undefined);

/**
 * Kysely's migrator looks for its tables by introspecting every table of every schema, with
 * pg_get_serial_sequence on each; a schema or table dropped at that moment by someone else (another
 * Factlog, or parallel test files on one database) fails the whole lookup with "schema … does not
 * exist", "relation … does not exist" or "column … does not exist". Nothing was applied when that happens (no migration reports
 * an error), and migrations take a lock, so trying again is safe.
 */
async function withRetryOnVanishedSchema(run: () => Promise<MigrationResultSet>): Promise<MigrationResultSet> {
  for (let attempt = 1; ; attempt++) {
    let result: MigrationResultSet;
    try {
      result = await run();
    } catch (err) {
      if (!VANISHED.has(codeOf(err) as string) || attempt >= 5) throw err;
      continue;
    }
    const inAMigration = result.results?.some((r) => r.status === 'Error') ?? false;
    if (!result.error || inAMigration || !VANISHED.has(codeOf(result.error) as string) || attempt >= 5) return result;
  }
}
