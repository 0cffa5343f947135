import { LiveLog, SubscriberTooSlowError } from '../../src/replication/live-log';
import { EventStore, type StoredEvent } from '../../src/store/event-store';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

// The live log behind subscriptions, in process (PGlite, or DATABASE_URL's PostgreSQL): a follower
// joining from an old position while appends keep coming gets every event once, in order.
let database: TestDatabase;
let store: EventStore;

beforeAll(async () => {
  database = await createTestDatabase();
  store = new EventStore(database);
});
afterAll(() => database.dispose());

const append = (n: number, stream = 'doc-live') =>
  store.append(
    stream,
    'any',
    Array.from({ length: n }, (_, i) => ({ type: 'Noted', data: { i } })),
  );

async function take(it: AsyncIterator<StoredEvent>, n: number): Promise<number[]> {
  const out: number[] = [];
  while (out.length < n) {
    const next = await it.next();
    if (next.done) break;
    out.push(next.value.position);
  }
  return out;
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

it('delivers a backlog and concurrent appends exactly once, in position order', async () => {
  const live = new LiveLog(store, { batchSize: 3, pollIntervalMs: 50 });
  try {
    await append(10);
    const start = (await store.head()).position - 8;
    const follower = await live.follow(start);
    // Appends race the follower's catch-up reads (batches of 3) and the hub's broadcasts.
    const writes = (async () => {
      for (let i = 0; i < 6; i++) await append(2);
    })();
    const firstPart = await take(follower, 5);
    await writes;
    const head = (await store.head()).position;
    const rest = await take(follower, head - start - 5);
    expect([...firstPart, ...rest]).toEqual(range(start + 1, head));
    await follower.return!();
    expect(live.size).toBe(0);
  } finally {
    await live.close();
  }
});

it('without a position, delivers only what is appended after it joins', async () => {
  const live = new LiveLog(store, { pollIntervalMs: 50 });
  try {
    await append(3);
    const follower = await live.follow(undefined);
    const written = await append(2);
    expect(await take(follower, 2)).toEqual(written.positions);
  } finally {
    await live.close();
  }
});

it('keeps only the events its filter keeps', async () => {
  const live = new LiveLog(store, { pollIntervalMs: 50 });
  try {
    const start = (await store.head()).position;
    const follower = await live.follow(start, (events) => events.filter((e) => e.stream === 'doc-wanted'));
    await append(2, 'doc-other');
    const wanted = await append(1, 'doc-wanted');
    await append(2, 'doc-other');
    const again = await append(1, 'doc-wanted');
    expect(await take(follower, 2)).toEqual([wanted.positions[0], again.positions[0]]);
  } finally {
    await live.close();
  }
});

it('cuts off a follower that falls too far behind, which can resume from its last position', async () => {
  const live = new LiveLog(store, { pollIntervalMs: 50, maxBacklog: 5 });
  try {
    const start = (await store.head()).position;
    const follower = await live.follow(start);
    const [first] = await Promise.all([take(follower, 1), append(1)]);
    // It stops reading while 8 more arrive: more than its backlog allows.
    await append(8);
    await expect(take(follower, 8)).rejects.toBeInstanceOf(SubscriberTooSlowError);
    expect(live.size).toBe(0);
    const resumed = await live.follow(first[0]);
    expect(await take(resumed, 8)).toEqual(range(first[0] + 1, first[0] + 8));
  } finally {
    await live.close();
  }
});
