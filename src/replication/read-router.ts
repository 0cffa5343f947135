import type { FactlogDb } from '../projections/tables';
import { openPostgres, type Database } from '../store/database';
import type { EventStore } from '../store/event-store';

/** Where one request reads: the primary, or a streaming replica that has applied what it needs. */
export interface ReadTarget {
  role: 'primary' | 'replica';
  /** `primary`, or `replica <host:port/db>` (never credentials): what `extensions.basis.node` says. */
  node: string;
  database: Database;
  store: EventStore;
  db: FactlogDb;
  /** The position the request asked for (X-Factlog-Min-Position or a `minPosition` argument). */
  minPosition?: number;
  /** Milliseconds spent waiting for a replica to apply `minPosition`. */
  waitedMs: number;
  /** True when no replica applied `minPosition` in time (or none answered) and the primary serves. */
  fellBack: boolean;
}

export interface ReadRouterOptions {
  /** How long a read with `minPosition` waits for a replica before falling back to the primary (ms). */
  waitMs?: number;
  /** How often a waiting read asks the replicas how far they have applied the log (ms). */
  pollMs?: number;
  /** How long a replica that failed to answer is left out of the rotation (ms). */
  cooldownMs?: number;
  /** A replica not heard from for this long is asked before a read is sent to it (ms). */
  staleMs?: number;
  /** A replica whose position query takes longer than this counts as down (ms). */
  probeTimeoutMs?: number;
}

/** The store and read models over a database: how the router reads a replica (src/app.ts, `factlogOver`). */
export type ReadModelsOver = (database: Database) => { store: EventStore; db: FactlogDb };

export const DEFAULT_READ_WAIT_MS = 2000;
export const DEFAULT_READ_POLL_MS = 20;

interface Replica {
  node: string;
  database: Database;
  store: EventStore;
  db: FactlogDb;
  /** The highest `log_head.position` seen on it: replay only moves forward, so a lower bound. */
  applied: number;
  /** When it last answered (epoch ms). */
  checkedAt: number;
  /** Left out of the rotation until this time (epoch ms) after it failed to answer. */
  downUntil: number;
  /** The position query in flight: concurrent waiters share it instead of each polling. */
  asking: Promise<boolean> | null;
}

/**
 * Chooses the database each read runs on. Mutations (and everything when there are no replicas) use
 * the primary. A read without `minPosition` takes the next replica in round-robin order; a read with
 * one takes a replica known to have applied it, or polls the replicas' `log_head` every `pollMs` for
 * up to `waitMs`, then falls back to the primary (which has every committed position by definition).
 */
export class ReadRouter {
  private readonly replicas: Replica[];
  private next = 0;
  readonly waitMs: number;
  readonly pollMs: number;
  private readonly cooldownMs: number;
  private readonly staleMs: number;
  private readonly probeTimeoutMs: number;

  constructor(
    private readonly primary: Pick<ReadTarget, 'database' | 'store' | 'db'>,
    replicas: Database[],
    over: ReadModelsOver,
    options: ReadRouterOptions = {},
  ) {
    this.waitMs = options.waitMs ?? DEFAULT_READ_WAIT_MS;
    this.pollMs = Math.max(1, options.pollMs ?? DEFAULT_READ_POLL_MS);
    this.cooldownMs = options.cooldownMs ?? 5000;
    this.staleMs = options.staleMs ?? 1000;
    this.probeTimeoutMs = options.probeTimeoutMs ?? 1000;
    this.replicas = replicas.map((database) => {
      const { store, db } = over(database);
      return {
        node: `replica ${database.description.replace(/^PostgreSQL /, '')}`,
        database,
        store,
        db,
        applied: 0,
        checkedAt: 0,
        downUntil: 0,
        asking: null,
      };
    });
  }

  get replicaCount(): number {
    return this.replicas.length;
  }

  primaryTarget(minPosition?: number, waitedMs = 0, fellBack = false): ReadTarget {
    return { role: 'primary', node: 'primary', ...this.primary, minPosition, waitedMs, fellBack };
  }

  /** The database for one read operation. Never throws: the primary is the answer of last resort. */
  async route(minPosition?: number): Promise<ReadTarget> {
    if (this.replicas.length === 0) return this.primaryTarget(minPosition);
    const started = Date.now();
    const order = this.rotation();
    // A replica not heard from for a while is asked first, so a dead one is noticed before a read fails
    // on it; one that was behind is asked again, since it may have caught up since.
    for (const r of order) {
      const ask = Date.now() - r.checkedAt > this.staleMs || (minPosition !== undefined && r.applied < minPosition);
      if (ask && !(await this.refresh(r))) continue;
      if (minPosition === undefined || r.applied >= minPosition) return this.target(r, minPosition, Date.now() - started);
    }
    if (minPosition === undefined) return this.primaryTarget(undefined, Date.now() - started, true);

    const deadline = started + this.waitMs;
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      await sleep(Math.min(this.pollMs, left));
      const live = order.filter((r) => r.downUntil <= Date.now());
      if (live.length === 0) break;
      await Promise.all(live.map((r) => this.refresh(r)));
      const caughtUp = live.find((r) => r.applied >= minPosition);
      if (caughtUp) return this.target(caughtUp, minPosition, Date.now() - started);
    }
    return this.primaryTarget(minPosition, Date.now() - started, true);
  }

  /** Healthy replicas, starting with the next one in round-robin order. */
  private rotation(): Replica[] {
    const now = Date.now();
    const start = this.next++ % this.replicas.length;
    const rotated = [...this.replicas.slice(start), ...this.replicas.slice(0, start)];
    return rotated.filter((r) => r.downUntil <= now);
  }

  private refresh(r: Replica): Promise<boolean> {
    r.asking ??= (async () => {
      let timer: NodeJS.Timeout | undefined;
      try {
        // A replica that does not answer in time (unreachable host, saturated pool) counts as down.
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('no answer')), this.probeTimeoutMs);
        });
        const row = await Promise.race([r.db.selectFrom('log_head').select('position').executeTakeFirst(), timeout]);
        if (row) r.applied = Math.max(r.applied, Number(row.position));
        r.checkedAt = Date.now();
        return true;
      } catch (err) {
        r.downUntil = Date.now() + this.cooldownMs;
        process.emitWarning(
          `read replica ${r.node} left out for ${this.cooldownMs} ms: ${err instanceof Error ? err.message : String(err)}`,
        );
        return false;
      } finally {
        clearTimeout(timer);
        r.asking = null;
      }
    })();
    return r.asking;
  }

  private target(r: Replica, minPosition: number | undefined, waitedMs: number): ReadTarget {
    return { role: 'replica', node: r.node, database: r.database, store: r.store, db: r.db, minPosition, waitedMs, fellBack: false };
  }
}

/** Opens one pool per `DATABASE_READ_URL` entry; replicas are never migrated (they follow the primary). */
export function openReplicas(
  urls: readonly string[],
  options: { statementTimeoutMs?: number; schema?: string; maxConnections?: number } = {},
): Database[] {
  return urls.map((url) => openPostgres({ url, ...options }));
}

/** `DATABASE_READ_URL`: one or more connection strings, separated by commas. */
export function parseReadUrls(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
