import { EventStore, type StoredEvent } from '../../src/store/event-store';
import { DomainError } from '../../src/domain/errors';
import { verifyChain } from '../../src/store/verify-chain';
import { createTestDatabase, rawQuery, type TestDatabase } from '../support/test-database';

let database: TestDatabase;
let store: EventStore;

beforeAll(async () => {
  database = await createTestDatabase();
  store = new EventStore(database);
});
afterAll(() => database.dispose());

async function eventCount(): Promise<number> {
  return Number((await rawQuery(database, 'SELECT count(*) AS n FROM events')).rows[0].n);
}

async function expectError(promise: Promise<unknown>, code: string, pattern?: RegExp): Promise<DomainError> {
  const error = await promise.then(
    () => {
      throw new Error(`expected a ${code} error, but the call succeeded`);
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  expect((error as DomainError).code).toBe(code);
  if (pattern) expect((error as DomainError).message).toMatch(pattern);
  return error as DomainError;
}

describe('append and read', () => {
  it('assigns consecutive positions and stream versions and reads them back', async () => {
    const a = await store.append(
      'doc-a',
      'no_stream',
      [
        { type: 'DocCreated', data: { title: 'A', n: 1.5, nested: { z: 1, a: [true, null] } } },
        { type: 'DocRenamed', data: { title: 'B' } },
      ],
      { actor: 'alice', reason: 'test', correlationId: 'c1' },
    );
    expect(a.version).toBe(2);
    expect(a.positions).toEqual([a.firstPosition, a.firstPosition + 1]);
    const b = await store.append('doc-a', 2, [{ type: 'DocRenamed', data: { title: 'C' } }]);
    expect(b.version).toBe(3);
    expect(b.firstPosition).toBe(a.lastPosition + 1);

    const events = await store.readStream('doc-a');
    expect(events.map((e) => [e.streamVersion, e.type, e.data.title])).toEqual([
      [1, 'DocCreated', 'A'],
      [2, 'DocRenamed', 'B'],
      [3, 'DocRenamed', 'C'],
    ]);
    expect(events[0].data).toEqual({ title: 'A', n: 1.5, nested: { z: 1, a: [true, null] } });
    expect(events[0].metadata).toEqual({ actor: 'alice', reason: 'test', correlationId: 'c1' });
    expect(events[0].schemaVersion).toBe(1);
    expect((await store.readStream('doc-a', 3)).map((e) => e.streamVersion)).toEqual([3]);
    // Recorded time never goes backwards along the log (knownAt relies on it).
    const all = await store.readAll(0, 100);
    for (let i = 1; i < all.length; i++) {
      expect(all[i].recordedAt.getTime()).toBeGreaterThanOrEqual(all[i - 1].recordedAt.getTime());
      expect(all[i].position).toBe(all[i - 1].position + 1);
    }
    expect((await store.head()).position).toBe(b.lastPosition);
  });

  it('appends to several streams atomically', async () => {
    const before = await eventCount();
    await expectError(
      store.appendMany([
        { stream: 'multi-1', expectedVersion: 'no_stream', events: [{ type: 'Made', data: {} }] },
        { stream: 'doc-a', expectedVersion: 1, events: [{ type: 'Made', data: {} }] },
      ]),
      'CONFLICT',
    );
    expect(await eventCount()).toBe(before);
    expect(await store.streamVersion('multi-1')).toBe(0);
  });
});

describe('optimistic concurrency', () => {
  it('lets exactly one of two appends with the same expected version win', async () => {
    await store.append('race', 'no_stream', [{ type: 'Started', data: {} }]);
    const results = await Promise.allSettled([
      store.append('race', 1, [{ type: 'Moved', data: { by: 'first' } }]),
      store.append('race', 1, [{ type: 'Moved', data: { by: 'second' } }]),
    ]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    const error = lost[0].reason as DomainError;
    expect(error.code).toBe('CONFLICT');
    expect(error.details).toMatchObject({ stream: 'race', expectedVersion: 1, actualVersion: 2 });
    expect(error.message).toMatch(/at version 2, not at the expected 1/);
    expect((await store.readStream('race')).length).toBe(2);
  });

  it('checks "no_stream", "exists" and "any"', async () => {
    await store.append('exp', 'no_stream', [{ type: 'Started', data: {} }]);
    await expectError(store.append('exp', 'no_stream', [{ type: 'Started', data: {} }]), 'CONFLICT');
    await expectError(store.append('exp-missing', 'exists', [{ type: 'Started', data: {} }]), 'CONFLICT');
    expect((await store.append('exp', 'exists', [{ type: 'Moved', data: {} }])).version).toBe(2);
    expect((await store.append('exp', 'any', [{ type: 'Moved', data: {} }])).version).toBe(3);
    expect((await store.append('exp-any', 'any', [{ type: 'Moved', data: {} }])).version).toBe(1);
  });
});

describe('idempotency', () => {
  it('returns the original result for a retried key and appends nothing', async () => {
    const first = await store.append('idem', 'no_stream', [{ type: 'Started', data: { x: 1 } }], { idempotencyKey: 'k-1' });
    const count = await eventCount();
    const again = await store.append('idem', 'no_stream', [{ type: 'Started', data: { x: 1 } }], { idempotencyKey: 'k-1' });
    expect(again.replayed).toBe(true);
    expect(again.firstPosition).toBe(first.firstPosition);
    expect(again.version).toBe(first.version);
    expect(await eventCount()).toBe(count);
  });

  it('rejects the same key with another payload', async () => {
    await store.append('idem-2', 'no_stream', [{ type: 'Started', data: { x: 1 } }], { idempotencyKey: 'k-2' });
    const count = await eventCount();
    const error = await expectError(
      store.append('idem-2', 'no_stream', [{ type: 'Started', data: { x: 2 } }], { idempotencyKey: 'k-2' }),
      'BAD_USER_INPUT',
      /already used for a different request/,
    );
    expect(error.path).toEqual(['idempotencyKey']);
    expect(await eventCount()).toBe(count);
  });

  it('lets concurrent retries with one key append once', async () => {
    const results = await Promise.all(
      Array.from({ length: 5 }, () => store.append('idem-3', 'any', [{ type: 'Started', data: {} }], { idempotencyKey: 'k-3' })),
    );
    expect(new Set(results.map((r) => r.firstPosition)).size).toBe(1);
    expect((await store.readStream('idem-3')).length).toBe(1);
  });
});

describe('rollback', () => {
  it('leaves no event, no gap and does not block readers', async () => {
    const head = await store.head();
    const failing = new EventStore(database, {
      projectors: [
        async () => {
          throw new Error('projection failed');
        },
      ],
    });
    await expect(failing.append('rolled-back', 'no_stream', [{ type: 'Started', data: {} }])).rejects.toThrow('projection failed');
    expect((await store.head()).position).toBe(head.position);
    await expectError(store.readStream('rolled-back'), 'NOT_FOUND');
    // The next append takes the very next position: no hole was burned.
    const next = await store.append('after-rollback', 'no_stream', [{ type: 'Started', data: {} }]);
    expect(next.firstPosition).toBe(head.position + 1);
  });

  it('an open append does not block a reader', async () => {
    const client = await database.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT position FROM log_head FOR UPDATE');
      await client.query(
        `INSERT INTO events (position, stream, stream_version, type, schema_version, data, metadata, recorded_at, prev_hash, hash)
         VALUES (999999, 'uncommitted', 1, 'Started', 1, '{}', '{}', now(), 'x', 'y')`,
      );
      if (database.kind === 'postgres') {
        // Another connection reads while the append is open: it returns at once and sees nothing uncommitted.
        const read = await store.readAll(0, 10_000);
        expect(read.some((e) => e.stream === 'uncommitted')).toBe(false);
      }
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
    expect((await store.readAll(0, 10_000)).some((e) => e.stream === 'uncommitted')).toBe(false);
  });
});

describe('bad input changes nothing', () => {
  it('rejects unknown streams on read, malformed versions and non-JSON data with clear errors', async () => {
    const count = await eventCount();
    await expectError(store.readStream('never-written'), 'NOT_FOUND', /stream "never-written" does not exist/);
    await expectError(store.readStream('bad stream name!'), 'BAD_USER_INPUT', /stream must be/);
    await expectError(store.readAll(-1), 'BAD_USER_INPUT', /afterPosition/);
    await expectError(store.readAll(0, 0), 'BAD_USER_INPUT', /limit/);
    for (const bad of [-1, 1.5, 'three', null, Number.NaN]) {
      await expectError(
        store.append('bad-input', bad as never, [{ type: 'Started', data: {} }]),
        'BAD_USER_INPUT',
        /expectedVersion must be/,
      );
    }
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    const nonJson: [unknown, RegExp][] = [
      [{ f: () => 1 }, /events\[0\]\.data\.f: a function is not JSON/],
      [{ n: Number.POSITIVE_INFINITY }, /Infinity is not a JSON number/],
      [{ b: BigInt(1) }, /a bigint is not JSON/],
      [{ d: new Date() }, /a Date object is not JSON/],
      [{ s: 'nul\u0000' }, /NUL/],
      [{ s: '\ud800' }, /lone surrogate/],
      [circular, /circular/],
      ['a string', /must be a JSON object/],
    ];
    for (const [data, pattern] of nonJson) {
      await expectError(store.append('bad-input', 'any', [{ type: 'Started', data: data as never }]), 'BAD_USER_INPUT', pattern);
    }
    await expectError(store.append('bad-input', 'any', [{ type: 'not pascal', data: {} }]), 'BAD_USER_INPUT', /PascalCase/);
    await expectError(store.append('bad-input', 'any', []), 'BAD_USER_INPUT', /no events/);
    await expectError(store.append('', 'any', [{ type: 'Started', data: {} }]), 'BAD_USER_INPUT', /stream must be/);
    expect(await eventCount()).toBe(count);
    expect(await store.streamVersion('bad-input')).toBe(0);
  });

  it('refuses UPDATE and DELETE on the event log', async () => {
    await store.append('immutable', 'no_stream', [{ type: 'Started', data: {} }]);
    await expect(rawQuery(database, `UPDATE events SET data = '{"x":1}' WHERE stream = 'immutable'`)).rejects.toThrow(
      /events are immutable/,
    );
    await expect(rawQuery(database, `DELETE FROM events WHERE stream = 'immutable'`)).rejects.toThrow(/events are immutable/);
    expect((await verifyChain(database.db)).ok).toBe(true);
  });
});

export type { StoredEvent };
