import { EventStore, type StoredEvent } from '../../src/store/event-store';
import { subscribe } from '../../src/store/subscription';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

// Invariant 1 under real concurrency: many writers on overlapping streams while a reader follows the log.
// On PGlite (one connection) the writers interleave at statement level only; the test still runs there.
const WRITERS = 8;
const EVENTS_PER_WRITER = 500;
const STREAMS = 5;

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase({ maxConnections: WRITERS + 2 });
});
afterAll(() => database.dispose());

it(`a follower sees each of ${WRITERS}×${EVENTS_PER_WRITER} committed events exactly once, in order`, async () => {
  const store = new EventStore(database);
  const seen: StoredEvent[] = [];
  const subscription = await subscribe(store, {
    afterPosition: 0,
    pollIntervalMs: 50,
    batchSize: 97, // not a divisor of anything, so batches end at arbitrary places
    onEvents: (events) => {
      seen.push(...events);
    },
  });

  let rolledBack = 0;
  const committed = new Set<string>();
  const writer = async (w: number): Promise<void> => {
    for (let i = 0; i < EVENTS_PER_WRITER; i++) {
      const stream = `shared-${(w + i) % STREAMS}`;
      const id = `${w}:${i}`;
      // Every 50th append is rolled back on purpose; it must leave no trace.
      if (i % 50 === 49) {
        const doomed = new EventStore(database, { projectors: [async () => Promise.reject(new Error('doomed'))] });
        await doomed.append(stream, 'any', [{ type: 'Doomed', data: { id } }]).catch(() => (rolledBack += 1));
      }
      // Every 10th append races on an expected version (and retries on CONFLICT); the rest use "any",
      // so the run stays about appends, not retry storms, on a slow machine.
      for (;;) {
        const expected = i % 10 === 0 ? await store.streamVersion(stream) : 'any';
        try {
          await store.append(stream, expected, [{ type: 'Written', data: { id, writer: w } }]);
          committed.add(id);
          break;
        } catch (e) {
          if ((e as { code?: string }).code !== 'CONFLICT') throw e;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)));

  const total = WRITERS * EVENTS_PER_WRITER;
  const deadline = Date.now() + 300_000;
  while (seen.length < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  await subscription.stop();

  expect(committed.size).toBe(total);
  expect(rolledBack).toBe(WRITERS * (EVENTS_PER_WRITER / 50));
  expect(seen.some((e) => e.type === 'Doomed')).toBe(false);
  const ids = seen.map((e) => e.data.id as string);
  expect(new Set(ids).size).toBe(ids.length); // exactly once
  expect(new Set(ids)).toEqual(committed); // every committed event
  for (let i = 1; i < seen.length; i++) expect(seen[i].position).toBe(seen[i - 1].position + 1); // in order, no gaps
  // Stream versions are dense per stream.
  const byStream = new Map<string, number[]>();
  for (const e of seen) byStream.set(e.stream, [...(byStream.get(e.stream) ?? []), e.streamVersion]);
  for (const versions of byStream.values()) expect(versions).toEqual(versions.map((_, i) => i + 1));
}, 600_000);
