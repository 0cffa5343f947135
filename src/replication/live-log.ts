import type { EventStore, StoredEvent } from '../store/event-store';
import { subscribe, type Subscription } from '../store/subscription';
import type { EventFilter, LiveEvents } from '../graphql/host';

export type { EventFilter };

export interface LiveLogOptions {
  /** The safety net when a notification is lost (see src/store/subscription.ts). */
  pollIntervalMs?: number;
  /** Events read per statement, when catching up and when following. */
  batchSize?: number;
  /** A follower this many events behind is cut off (it can resubscribe from its last position). */
  maxBacklog?: number;
  /**
   * Followers reading history at once, across the gateway. Each holds one page (batchSize events)
   * until it has handed the page out; the others wait, costing nothing.
   */
  catchUpConcurrency?: number;
  /** A catching-up follower that takes no event for this long gives its turn up and is cut off (ms). */
  catchUpStallMs?: number;
}

export const DEFAULT_CATCH_UP = { concurrency: 4, stallMs: 5000 } as const;

export class SubscriberTooSlowError extends Error {}

/**
 * The log as a stream of events, for any number of followers in one gateway. One `subscribe()` (one
 * LISTEN connection, one poll) follows the head for all of them; a follower that starts from an older
 * position first catches up by reading the log itself, then joins. Every gateway process runs its own
 * LiveLog over the shared log, so a write through any gateway reaches followers on every gateway.
 *
 * Delivery is exactly the events after the follower's position, in position order, each once: the
 * follower registers before it reads its backlog, buffers what the hub broadcasts meanwhile, and drops
 * any event at or below the last position it has queued.
 *
 * Catching up is the expensive part (a subscription from position 0 reads the whole log), so it is
 * bounded as a whole: a follower reads and hands out a page of history only in one of a few turns
 * shared by the gateway, a follower whose subscriber stops taking events loses its turn and is cut
 * off, and one whose subscriber goes (its socket closes) stops at once.
 */
export class LiveLog implements LiveEvents {
  private readonly followers = new Set<Follower>();
  private hub: Promise<Subscription> | null = null;
  private closed = false;
  readonly batchSize: number;
  readonly maxBacklog: number;
  readonly catchUpStallMs: number;
  readonly catchUpTurns: Turns;

  constructor(
    readonly store: EventStore,
    private readonly options: LiveLogOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 500;
    this.maxBacklog = options.maxBacklog ?? 10_000;
    this.catchUpStallMs = options.catchUpStallMs ?? DEFAULT_CATCH_UP.stallMs;
    this.catchUpTurns = new Turns(options.catchUpConcurrency ?? DEFAULT_CATCH_UP.concurrency);
  }

  /** Followers currently attached (tests, health). */
  get size(): number {
    return this.followers.size;
  }

  /**
   * The events after `afterPosition` (default: the head now, i.e. only what happens from here on),
   * those the filter keeps, as an async iterator; `return()` detaches it.
   */
  async follow(afterPosition: number | undefined, filter: EventFilter = (e) => e): Promise<AsyncIterableIterator<StoredEvent>> {
    if (this.closed) throw new Error('the live log is closed');
    await this.startHub();
    const from = afterPosition ?? (await this.store.head()).position;
    const follower = new Follower(this, from, filter, () => this.followers.delete(follower));
    // Registered before the backlog is read: what commits meanwhile is buffered, never missed.
    this.followers.add(follower);
    return follower;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const f of [...this.followers]) f.end();
    const hub = this.hub;
    this.hub = null;
    if (hub) await (await hub.catch(() => null))?.stop();
  }

  private startHub(): Promise<Subscription> {
    this.hub ??= (async () => {
      const head = (await this.store.head()).position;
      return subscribe(this.store, {
        afterPosition: head,
        batchSize: this.batchSize,
        pollIntervalMs: this.options.pollIntervalMs ?? 1000,
        onEvents: (events) => {
          for (const f of this.followers) f.offer(events);
        },
        onError: (err) => process.emitWarning(`live log: ${err instanceof Error ? err.message : String(err)}`),
      });
    })();
    this.hub.catch(() => {
      this.hub = null;
    });
    return this.hub;
  }
}

/** A fixed number of turns, handed out first come, first served. */
class Turns {
  private readonly waiting = new Set<() => void>();

  constructor(private free: number) {}

  /** Takes a turn if one is free. */
  tryTake(): boolean {
    if (this.free === 0) return false;
    this.free -= 1;
    return true;
  }

  /** Calls `granted` when a turn is this waiter's; the returned function withdraws it. */
  wait(granted: () => void): () => void {
    this.waiting.add(granted);
    return () => this.waiting.delete(granted);
  }

  give(): void {
    const next = this.waiting.values().next();
    if (next.done) {
      this.free += 1;
      return;
    }
    this.waiting.delete(next.value);
    next.value();
  }
}

class Follower implements AsyncIterableIterator<StoredEvent> {
  /** Events read or received, not yet filtered. */
  private raw: StoredEvent[] = [];
  /** Filtered, ready to hand out. */
  private ready: StoredEvent[] = [];
  /** What the hub broadcast while the backlog was being read. */
  private pending: StoredEvent[] = [];
  private catchingUp = true;
  /** The highest position queued so far: anything at or below it is a duplicate. */
  private queued: number;
  private done = false;
  private failure: Error | null = null;
  private wakeUp: (() => void) | null = null;
  /** Whether this follower holds one of the log's catch-up turns (it has a page of history in hand). */
  private hasTurn = false;
  private stopWaitingForTurn: (() => void) | null = null;
  /** Armed while a page is being handed out and the subscriber has the last event taken. */
  private stall: NodeJS.Timeout | null = null;

  constructor(
    private readonly log: LiveLog,
    from: number,
    private readonly filter: EventFilter,
    private readonly detach: () => void,
  ) {
    this.queued = from;
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<StoredEvent> {
    return this;
  }

  /** Called by the hub with each batch it follows. */
  offer(events: StoredEvent[]): void {
    if (this.done || this.failure) return;
    if (this.catchingUp) this.pending.push(...events);
    else this.enqueue(events);
    if (this.raw.length + this.pending.length > this.log.maxBacklog) {
      this.fail(
        new SubscriberTooSlowError(
          `subscriber fell more than ${this.log.maxBacklog} events behind; resubscribe with afterPosition set to the last position received`,
        ),
      );
    }
    this.signal();
  }

  async next(): Promise<IteratorResult<StoredEvent>> {
    if (this.stall) clearTimeout(this.stall);
    this.stall = null;
    // Handing out history can go on without any real I/O (PGlite answers in process, a socket takes
    // small writes at once): between two events, the event loop serves everyone else's requests.
    if (this.hasTurn) await new Promise<void>((resolve) => setImmediate(resolve));
    // Every await below may end this follower (its subscriber went): each turn of the loop looks first.
    for (;;) {
      if (this.done) return { value: undefined, done: true };
      if (this.failure) {
        const failure = this.failure;
        this.end();
        throw failure;
      }
      if (this.ready.length > 0) {
        if (this.hasTurn) this.stall = setTimeout(() => this.tooSlowToCatchUp(), this.log.catchUpStallMs).unref();
        return { value: this.ready.shift()!, done: false };
      }
      if (this.raw.length > 0) {
        const batch = this.raw.splice(0, this.log.batchSize);
        const kept = await this.filter(batch);
        if (!this.done && !this.failure) this.ready.push(...kept);
        continue;
      }
      // The page in hand is handed out: the turn goes to the next follower in line.
      this.giveTurnBack();
      if (this.catchingUp) {
        await this.takeTurn();
        if (this.done || this.failure) continue;
        const batch = await this.log.store.readAll(this.queued, this.log.batchSize);
        if (this.done || this.failure) continue;
        this.enqueue(batch);
        if (batch.length < this.log.batchSize) {
          this.catchingUp = false;
          const pending = this.pending;
          this.pending = [];
          this.enqueue(pending);
        }
        continue;
      }
      await new Promise<void>((resolve) => {
        this.wakeUp = resolve;
      });
    }
  }

  async return(): Promise<IteratorResult<StoredEvent>> {
    this.end();
    return { value: undefined, done: true };
  }

  async throw(error?: unknown): Promise<IteratorResult<StoredEvent>> {
    this.end();
    throw error;
  }

  end(): void {
    if (this.done) return;
    this.done = true;
    this.drop();
    this.signal();
  }

  private fail(error: Error): void {
    this.failure = error;
    this.drop();
    this.signal();
  }

  /** Lets go of everything this follower holds: buffers, its turn or its place in line, the hub. */
  private drop(): void {
    this.raw = [];
    this.ready = [];
    this.pending = [];
    if (this.stall) clearTimeout(this.stall);
    this.stall = null;
    this.giveTurnBack();
    this.stopWaitingForTurn?.();
    this.detach();
  }

  private tooSlowToCatchUp(): void {
    this.stall = null;
    if (this.done || this.failure) return;
    this.fail(
      new SubscriberTooSlowError(
        `subscriber took no event for ${this.log.catchUpStallMs} ms while catching up; resubscribe with afterPosition set to the last position received`,
      ),
    );
  }

  /** Resolves once this follower has a turn, or has ended or failed while in line. */
  private takeTurn(): Promise<void> {
    const turns = this.log.catchUpTurns;
    if (turns.tryTake()) {
      this.hasTurn = true;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const withdraw = turns.wait(() => {
        this.stopWaitingForTurn = null;
        this.hasTurn = true;
        resolve();
      });
      this.stopWaitingForTurn = () => {
        this.stopWaitingForTurn = null;
        withdraw();
        resolve();
      };
    });
  }

  private giveTurnBack(): void {
    if (!this.hasTurn) return;
    this.hasTurn = false;
    this.log.catchUpTurns.give();
  }

  private enqueue(events: StoredEvent[]): void {
    for (const e of events) {
      if (e.position <= this.queued) continue;
      this.raw.push(e);
      this.queued = e.position;
    }
  }

  private signal(): void {
    const wake = this.wakeUp;
    this.wakeUp = null;
    wake?.();
  }
}
