import { EventStore, type AppendResult } from '../../src/store/event-store';
import { verifyChain } from '../../src/store/verify-chain';
import { createTestFactlog, type TestFactlog } from '../support/factlog';
import { rawQuery } from '../support/test-database';

// Group commit (src/store/group-commit.ts): appends that arrive while one is being written share the
// next transaction, yet each is decided and answered alone. The appends of one test are submitted in
// the same tick: the first starts a transaction at once, and the rest wait for it and form the next
// group together, in submission order. Which transaction wrote an event is its row's xmin.

let factlog: TestFactlog;
let store: EventStore; // no projectors: events of any type

beforeAll(async () => {
  factlog = await createTestFactlog({ maxConnections: 8 });
  store = new EventStore(factlog.database);
});
afterAll(() => factlog.dispose());

/** The transaction that wrote each position. */
async function transactionOf(): Promise<Map<number, string>> {
  const { rows } = await rawQuery(factlog.database, 'SELECT position, xmin::text AS tx FROM events');
  return new Map(rows.map((r: { position: string | number; tx: string }) => [Number(r.position), r.tx]));
}

const settled = <T>(promises: Promise<T>[]) => Promise.allSettled(promises);
const written = (s: PromiseSettledResult<AppendResult>): AppendResult => {
  if (s.status === 'rejected') throw s.reason;
  return s.value;
};
const codeOf = (s: PromiseSettledResult<unknown>): unknown => (s.status === 'rejected' ? (s.reason as { code?: string }).code : 'ok');

async function expectChainIntact(): Promise<void> {
  const report = await verifyChain(factlog.database.db);
  expect(report.firstBad).toBeNull();
  expect(report.ok).toBe(true);
}

it('many concurrent appends share fewer transactions, each with its own distinct positions, and the chain verifies', async () => {
  const before = (await store.head()).position;
  const n = 60;
  const results = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      store.appendMany([
        {
          stream: `many-${i % 7}`,
          expectedVersion: 'any',
          events: [
            { type: 'Written', data: { i } },
            { type: 'Written', data: { i, second: true } },
          ],
        },
      ]),
    ),
  );
  const positions = results.flatMap((r) => [r.firstPosition, r.lastPosition]);
  expect(new Set(positions).size).toBe(2 * n);
  expect([...positions].sort((a, b) => a - b)).toEqual(Array.from({ length: 2 * n }, (_, k) => before + 1 + k));
  // Each answer names its own events.
  const events = await store.readAll(before, 1000);
  results.forEach((r, i) => {
    expect(r.lastPosition).toBe(r.firstPosition + 1);
    expect(r.replayed).toBe(false);
    expect(events.find((e) => e.position === r.firstPosition)?.data).toEqual({ i });
    expect(events.find((e) => e.position === r.lastPosition)?.data).toEqual({ i, second: true });
  });
  // Stream versions stay dense per stream, and each answer's version is its stream's at its last event.
  for (const r of results) {
    const last = events.find((e) => e.position === r.lastPosition)!;
    expect(r.streams).toEqual([{ stream: last.stream, version: last.streamVersion }]);
  }
  const tx = await transactionOf();
  const transactions = new Set(events.map((e) => tx.get(e.position)));
  expect(transactions.size).toBeLessThan(n);
  await expectChainIntact();
});

it('a stale expectedVersion fails alone while the appends grouped with it commit', async () => {
  await store.append('stale-target', 'no_stream', [{ type: 'Written', data: { n: 1 } }]);
  await store.append('stale-target', 1, [{ type: 'Written', data: { n: 2 } }]);
  const starter = store.append('stale-starter', 'any', [{ type: 'Written', data: {} }]);
  const outcomes = await settled([
    store.appendMany([{ stream: 'stale-left', expectedVersion: 'no_stream', events: [{ type: 'Written', data: {} }] }]),
    // Two streams, the second stale: neither is written.
    store.appendMany([
      { stream: 'stale-other', expectedVersion: 'any', events: [{ type: 'Written', data: { doomed: true } }] },
      { stream: 'stale-target', expectedVersion: 1, events: [{ type: 'Written', data: { doomed: true } }] },
    ]),
    store.appendMany([{ stream: 'stale-right', expectedVersion: 'no_stream', events: [{ type: 'Written', data: {} }] }]),
  ]);
  await starter;
  expect(outcomes.map(codeOf)).toEqual(['ok', 'CONFLICT', 'ok']);
  expect((outcomes[1] as PromiseRejectedResult).reason).toMatchObject({
    details: { stream: 'stale-target', expectedVersion: 1, actualVersion: 2 },
  });
  const [left, right] = [written(outcomes[0]), written(outcomes[2])];
  expect(right.firstPosition).toBe(left.lastPosition + 1); // no hole where the refused one would have been
  const tx = await transactionOf();
  expect(tx.get(left.firstPosition)).toBe(tx.get(right.firstPosition)); // they were one group
  expect(await store.streamVersion('stale-other')).toBe(0);
  expect(await store.streamVersion('stale-target')).toBe(2);
  await expectChainIntact();
});

it('two appends in one group expecting the same version of one stream: exactly the first wins', async () => {
  await store.append('race', 'no_stream', [{ type: 'Written', data: { n: 1 } }]);
  const starter = store.append('race-starter', 'any', [{ type: 'Written', data: {} }]);
  const outcomes = await settled([
    store.append('race', 1, [{ type: 'Written', data: { who: 'a' } }]),
    store.append('race', 1, [{ type: 'Written', data: { who: 'b' } }]),
    store.append('race', 'any', [{ type: 'Written', data: { who: 'c' } }]),
  ]);
  await starter;
  expect(outcomes.map(codeOf)).toEqual(['ok', 'CONFLICT', 'ok']);
  expect((outcomes[1] as PromiseRejectedResult).reason).toMatchObject({ details: { expectedVersion: 1, actualVersion: 2 } });
  expect(written(outcomes[0]).streams).toEqual([{ stream: 'race', version: 2 }]);
  expect(written(outcomes[2]).streams).toEqual([{ stream: 'race', version: 3 }]);
  expect((await store.readStream('race')).map((e) => e.data)).toEqual([{ n: 1 }, { who: 'a' }, { who: 'c' }]);
  const tx = await transactionOf();
  expect(tx.get(written(outcomes[0]).firstPosition)).toBe(tx.get(written(outcomes[2]).firstPosition));
  await expectChainIntact();
});

it('the same idempotency key twice in one group: a replay of the first, or refused for another request', async () => {
  const starter = store.append('idem-starter', 'any', [{ type: 'Written', data: {} }]);
  const same = [{ stream: 'idem-a', expectedVersion: 'any' as const, events: [{ type: 'Written', data: { x: 1 } }] }];
  const outcomes = await settled([
    store.appendMany(same, { idempotencyKey: 'k-same' }),
    store.appendMany(same, { idempotencyKey: 'k-same' }),
    store.appendMany([{ stream: 'idem-b', expectedVersion: 'any', events: [{ type: 'Written', data: { y: 1 } }] }], {
      idempotencyKey: 'k-other',
    }),
    store.appendMany([{ stream: 'idem-b', expectedVersion: 'any', events: [{ type: 'Written', data: { y: 2 } }] }], {
      idempotencyKey: 'k-other',
    }),
    // The same key in another scope is another request.
    store.appendMany(same, { idempotencyKey: 'k-same' }, { idempotencyScope: 'someone-else' }),
  ]);
  await starter;
  expect(outcomes.map(codeOf)).toEqual(['ok', 'ok', 'ok', 'BAD_USER_INPUT', 'ok']);
  const [first, replay, other, , scoped] = outcomes.map((o) => (o.status === 'fulfilled' ? o.value : null));
  expect(first!.replayed).toBe(false);
  expect(replay).toEqual({ ...first, replayed: true });
  expect(other!.replayed).toBe(false);
  expect(scoped!.replayed).toBe(false);
  expect(scoped!.firstPosition).not.toBe(first!.firstPosition);
  expect((await store.readStream('idem-a')).length).toBe(2); // the first and the other scope's
  expect((await store.readStream('idem-b')).map((e) => e.data)).toEqual([{ y: 1 }]);
  // The recorded answers are those the callers got.
  expect(await store.idempotentResult('k-same', (await fingerprintOf(first!))!, '')).toEqual({ ...first, replayed: true });
  await expectChainIntact();
});

/** The fingerprint recorded under a result (appendMany's default: the writes' hash). */
async function fingerprintOf(result: AppendResult): Promise<string | undefined> {
  const { rows } = await rawQuery(factlog.database, "SELECT request_hash FROM idempotency_keys WHERE result->>'firstPosition' = $1", [
    String(result.firstPosition),
  ]);
  return rows[0]?.request_hash as string | undefined;
}

it('a member the read models refuse fails alone: a slug taken in a race, an event no projector knows', async () => {
  const live = factlog.store; // with the inline projector
  const registered = (id: string, slug: string) => [
    {
      stream: `entity-${id}`,
      expectedVersion: 'no_stream' as const,
      events: [{ type: 'EntityRegistered', data: { id, slug, name: slug, type: 'organization' } }],
    },
  ];
  await live.appendMany(registered('GcEntity01', 'taken-slug'));
  const starter = live.appendMany(registered('GcEntity02', 'starter-slug'));
  // What two racing RegisterEntity commands would append: each decided the slug was free.
  const outcomes = await settled([
    live.appendMany(registered('GcEntity03', 'left-slug')),
    live.appendMany(registered('GcEntity04', 'taken-slug')),
    live.appendMany([
      { stream: 'entity-GcEntity05', expectedVersion: 'no_stream', events: [{ type: 'NoSuchEvent', data: { id: 'GcEntity05' } }] },
    ]),
    live.appendMany(registered('GcEntity06', 'right-slug')),
  ]);
  await starter;
  expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
  expect(String((outcomes[1] as PromiseRejectedResult).reason)).toMatch(/unique|duplicate/i);
  const { rows } = await rawQuery(factlog.database, "SELECT id, slug FROM entities WHERE id LIKE 'GcEntity%' ORDER BY id");
  expect(rows).toEqual([
    { id: 'GcEntity01', slug: 'taken-slug' },
    { id: 'GcEntity02', slug: 'starter-slug' },
    { id: 'GcEntity03', slug: 'left-slug' },
    { id: 'GcEntity06', slug: 'right-slug' },
  ]);
  expect(await live.streamVersion('entity-GcEntity04')).toBe(0);
  expect(await live.streamVersion('entity-GcEntity05')).toBe(0);
  const [left, right] = [written(outcomes[0]), written(outcomes[3])];
  expect(right.firstPosition).toBe(left.lastPosition + 1);
  await expectChainIntact();
});
