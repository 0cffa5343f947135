import { NOTIFY_CHANNEL, type EventStore, type StoredEvent } from './event-store';

export interface SubscriptionOptions {
  /** Deliver events after this position (exclusive). */
  afterPosition: number;
  /** Called with each batch in position order; the next batch waits for it. */
  onEvents: (events: StoredEvent[]) => Promise<void> | void;
  /** The fallback when a notification is lost (listener reconnecting, notification queue full). */
  pollIntervalMs?: number;
  batchSize?: number;
  onError?: (error: unknown) => void;
}

export interface Subscription {
  /** The last position delivered. */
  readonly position: number;
  stop(): Promise<void>;
}

/**
 * Follows the log from a position. NOTIFY (sent at commit by every append) wakes it at once; a timer
 * polls as well, so it never depends on a notification arriving. Because positions are assigned in
 * commit order (see event-store.ts), `position > checkpoint` can never skip an event.
 */
export async function subscribe(store: EventStore, options: SubscriptionOptions): Promise<Subscription> {
  const batchSize = options.batchSize ?? 500;
  let position = options.afterPosition;
  let stopped = false;
  let running: Promise<void> | null = null;
  let again = false;

  const drain = async (): Promise<void> => {
    for (;;) {
      const events = await store.readAll(position, batchSize);
      if (events.length === 0 || stopped) return;
      await options.onEvents(events);
      position = events[events.length - 1].position;
      if (events.length < batchSize) return;
    }
  };
  // At most one drain runs; a wake-up during a drain schedules exactly one more.
  const wake = (): void => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = drain()
      .catch((err) => options.onError?.(err))
      .finally(() => {
        running = null;
        if (again) {
          again = false;
          wake();
        }
      });
  };

  const unlisten = await store.database.listen(NOTIFY_CHANNEL, wake);
  const timer = setInterval(wake, options.pollIntervalMs ?? 1000);
  timer.unref();
  wake();

  return {
    get position() {
      return position;
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await unlisten();
      await running;
    },
  };
}
