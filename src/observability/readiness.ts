import { promises as fs } from 'node:fs';
import type { Database } from '../store/database';
import type { EventStore } from '../store/event-store';
import { MIGRATIONS_DIR } from '../store/migrate';

/** How long /readyz waits for the database before it answers 503 (FACTLOG_READY_TIMEOUT_MS). */
export const DEFAULT_READY_TIMEOUT_MS = 2000;

export type Readiness = { ready: true; headPosition: number } | { ready: false; status: 'unavailable' | 'migrating'; reason: string };

/** Rejects after `ms` with `message`; the work itself goes on (pg cannot cancel a query from here), but nobody waits for it. */
export async function withTimeout<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * What /readyz answers: ready once the database answers `SELECT 1` within `timeoutMs` and every
 * migration in migrations/ has been applied to it. The migration check is remembered once it passes
 * (migrations are never undone), so a probe costs two small statements after that.
 */
export class ReadinessCheck {
  private migrated = false;

  constructor(
    private readonly database: Database,
    private readonly store: EventStore,
    private readonly timeoutMs: number,
  ) {}

  async check(): Promise<Readiness> {
    const { timeoutMs } = this;
    try {
      await withTimeout(this.database.pool.query('SELECT 1'), timeoutMs, `the database did not answer SELECT 1 within ${timeoutMs} ms`);
    } catch (err) {
      return { ready: false, status: 'unavailable', reason: `database: ${message(err)}` };
    }
    try {
      if (!this.migrated) {
        const pending = await withTimeout(this.pendingMigrations(), timeoutMs, `the migration check took over ${timeoutMs} ms`);
        if (pending.length > 0) return { ready: false, status: 'migrating', reason: `migrations not applied yet: ${pending.join(', ')}` };
        this.migrated = true;
      }
      const head = await withTimeout(this.store.head(), timeoutMs, `reading the log head took over ${timeoutMs} ms`);
      return { ready: true, headPosition: head.position };
    } catch (err) {
      return { ready: false, status: 'unavailable', reason: `database: ${message(err)}` };
    }
  }

  /** Migration files the database has no record of (Kysely's bookkeeping table, in the connection's schema). */
  private async pendingMigrations(): Promise<string[]> {
    const files = (await fs.readdir(MIGRATIONS_DIR))
      .filter((f) => f.endsWith('.sql'))
      .map((f) => f.replace(/\.sql$/, ''))
      .sort();
    const {
      rows: [table],
    } = await this.database.pool.query<{ present: boolean }>(`SELECT to_regclass('kysely_migration') IS NOT NULL AS present`);
    if (!table?.present) return files;
    const { rows } = await this.database.pool.query<{ name: string }>('SELECT name FROM kysely_migration');
    const applied = new Set(rows.map((r) => r.name));
    return files.filter((f) => !applied.has(f));
  }
}

function message(err: unknown): string {
  // Node reports a refused connection to a name with several addresses as an AggregateError without a message.
  return err instanceof Error ? err.message || String((err as { code?: unknown }).code ?? err.constructor.name) : String(err);
}
