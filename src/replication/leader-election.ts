import { createHash } from 'node:crypto';
import type pg from 'pg';

/** How often a gateway tries for leadership, and a leader checks its session (FACTLOG_LEADER_RETRY_MS). */
export const DEFAULT_LEADER_RETRY_MS = 2000;

export interface LeaderElectionOptions {
  /**
   * Opens the dedicated session that holds the lock (never a pooled connection: a session-level
   * advisory lock belongs to the connection, and a pool would hand it to someone else).
   */
  connect: () => pg.Client;
  /**
   * What is being led. Gateways electing the same name on one database and schema compete for one
   * lock (the key is derived from the name and the session's `current_schema()`).
   */
  name: string;
  /** How often a follower tries to take the lock, and a leader checks it still holds its session (ms). */
  retryMs?: number;
  /** Called when this process becomes the leader; the once-only work starts here. */
  onElected?: () => void | Promise<void>;
  /** Called when leadership is lost (session gone, stop()); the work must stop here. */
  onDemoted?: () => void | Promise<void>;
  onError?: (error: unknown) => void;
}

/** The lock key for a name: the first 8 bytes of its SHA-256, as a signed 64-bit integer. */
export function advisoryKey(name: string): string {
  return createHash('sha256').update(`factlog:${name}`).digest().readBigInt64BE(0).toString();
}

/**
 * One leader among any number of gateway processes on one PostgreSQL primary, by a session-level
 * advisory lock (`pg_try_advisory_lock`) taken on a dedicated connection. PostgreSQL releases the lock
 * when that session ends, however it ends (process killed, connection cut, `pg_terminate_backend`), so
 * another gateway's next attempt, at most `retryMs` later, takes over.
 *
 * A leader that loses its connection steps down at once (the client's `error`/`end` events) and checks
 * its session with `SELECT 1` every `retryMs` otherwise, so it stops working within about `retryMs` of
 * losing the lock; it then sits out three rounds before campaigning again. Work done by a leader must therefore be safe to repeat (it is at-least-once around
 * a hand-over), which is true of everything Factlog runs this way.
 */
export class LeaderElection {
  private client: pg.Client | null = null;
  private leading = false;
  private stopped = true;
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> | null = null;
  private pid: number | null = null;
  private lockKey: string | null = null;
  /** After losing its session as leader, this process sits out until then (epoch ms). */
  private holdOffUntil = 0;
  private readonly retryMs: number;

  constructor(private readonly options: LeaderElectionOptions) {
    this.retryMs = options.retryMs ?? DEFAULT_LEADER_RETRY_MS;
  }

  /** The advisory lock key (known once connected). */
  get key(): string | null {
    return this.lockKey;
  }

  /**
   * Runs a statement on the leader's own session, so work done as leader fails with the session that
   * holds the lock (it can never outlive its leadership on a healthy connection).
   */
  async query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, params: unknown[] = []): Promise<pg.QueryResult<R>> {
    const client = this.client;
    if (!this.leading || !client) throw new Error('not the leader');
    return client.query<R>(text, params);
  }

  get isLeader(): boolean {
    return this.leading;
  }

  /** The PostgreSQL backend pid of the session holding (or trying for) the lock; null when disconnected. */
  get backendPid(): number | null {
    return this.pid;
  }

  /** Starts campaigning; resolves after the first attempt. */
  async start(): Promise<void> {
    if (!this.stopped) return;
    this.stopped = false;
    await this.tick();
  }

  /** Steps down (releasing the lock by ending the session) and stops campaigning. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.ticking;
    await this.disconnect();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), this.retryMs);
    this.timer.unref();
  }

  private tick(): Promise<void> {
    this.ticking ??= this.attempt()
      .catch(async (err) => {
        this.options.onError?.(err);
        await this.disconnect();
      })
      .finally(() => {
        this.ticking = null;
        this.schedule();
      });
    return this.ticking;
  }

  private async attempt(): Promise<void> {
    if (this.stopped || Date.now() < this.holdOffUntil) return;
    const client = this.client ?? (await this.connect());
    // A session that stops answering (a network partition) counts as lost: better no leader for a
    // moment than two.
    const limit = Math.max(1000, this.retryMs * 2);
    if (this.leading) {
      await withTimeout(client.query('SELECT 1'), limit);
      return;
    }
    const { rows } = await withTimeout(
      client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS locked', [this.lockKey]),
      limit,
    );
    if (rows[0]?.locked && !this.stopped && this.client === client) {
      this.leading = true;
      await this.options.onElected?.();
    } else if (rows[0]?.locked) {
      await client.query('SELECT pg_advisory_unlock($1::bigint)', [this.lockKey]).catch(() => undefined);
    }
  }

  private async connect(): Promise<pg.Client> {
    const client = this.options.connect();
    // A session that dies (server restart, pg_terminate_backend, network) takes the lock with it.
    const lost = (err?: Error) => {
      if (this.client !== client) return;
      if (err) this.options.onError?.(err);
      void this.disconnect();
    };
    client.on('error', lost);
    client.on('end', () => lost());
    this.client = client;
    try {
      await client.connect();
      const { rows } = await client.query<{ pid: number; schema: string | null }>(
        'SELECT pg_backend_pid() AS pid, current_schema() AS schema',
      );
      this.pid = rows[0]?.pid ?? null;
      this.lockKey = advisoryKey(`${this.options.name}@${rows[0]?.schema ?? ''}`);
    } catch (err) {
      this.client = null;
      await client.end().catch(() => undefined);
      throw err;
    }
    return client;
  }

  private async disconnect(): Promise<void> {
    const client = this.client;
    this.client = null;
    this.pid = null;
    if (this.leading) {
      this.leading = false;
      // A leader whose session failed sits out a few rounds, so a healthy follower takes over rather
      // than the troubled node winning the lock back at once (and flapping).
      if (!this.stopped) this.holdOffUntil = Date.now() + 3 * this.retryMs;
      try {
        await this.options.onDemoted?.();
      } catch (err) {
        this.options.onError?.(err);
      }
    }
    await client?.end().catch(() => undefined);
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`leader election: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** An election with one candidate: the embedded database serves exactly one process. */
export class SoleLeader {
  private leading = false;
  constructor(
    private readonly options: Pick<LeaderElectionOptions, 'onElected' | 'onDemoted'>,
    /** Where the leader's statements run (the embedded database's only connection). */
    private readonly run: (text: string, params: unknown[]) => Promise<pg.QueryResult>,
  ) {}
  async query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, params: unknown[] = []): Promise<pg.QueryResult<R>> {
    if (!this.leading) throw new Error('not the leader');
    return (await this.run(text, params)) as pg.QueryResult<R>;
  }
  get key(): null {
    return null;
  }
  get isLeader(): boolean {
    return this.leading;
  }
  get backendPid(): null {
    return null;
  }
  async start(): Promise<void> {
    if (this.leading) return;
    this.leading = true;
    await this.options.onElected?.();
  }
  async stop(): Promise<void> {
    if (!this.leading) return;
    this.leading = false;
    await this.options.onDemoted?.();
  }
}

export type Election = LeaderElection | SoleLeader;
