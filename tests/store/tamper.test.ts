import { EventStore } from '../../src/store/event-store';
import { verifyChain } from '../../src/store/verify-chain';
import { createTestDatabase, rawQuery, type TestDatabase } from '../support/test-database';

// Each case tampers with a fresh log as an attacker with table access would (triggers disabled first).
async function freshLog(): Promise<TestDatabase> {
  const database = await createTestDatabase();
  const store = new EventStore(database);
  for (let i = 1; i <= 10; i++) {
    await store.append(`s-${i % 3}`, 'any', [{ type: 'Happened', data: { i, text: `event ${i}` } }], { actor: 'a' });
  }
  expect(await verifyChain(database.db)).toMatchObject({ ok: true, checked: 10, firstBad: null });
  await rawQuery(database, 'ALTER TABLE events DISABLE TRIGGER USER');
  return database;
}

async function tamper(sql: string): Promise<{ ok: boolean; firstBad: { position: number; problem: string } | null }> {
  const database = await freshLog();
  try {
    await rawQuery(database, sql);
    return await verifyChain(database.db);
  } finally {
    await database.dispose();
  }
}

it('names the changed event when one event’s data is edited', async () => {
  const report = await tamper(`UPDATE events SET data = jsonb_set(data, '{text}', '"forged"') WHERE position = 4`);
  expect(report.ok).toBe(false);
  expect(report.firstBad).toEqual({ position: 4, problem: expect.stringMatching(/content does not match its hash/) });
});

it('names the changed event when its metadata (the actor) is edited', async () => {
  const report = await tamper(`UPDATE events SET metadata = '{"actor":"mallory"}' WHERE position = 7`);
  expect(report.firstBad?.position).toBe(7);
});

it('names the hole when one event is deleted', async () => {
  const report = await tamper('DELETE FROM events WHERE position = 6');
  expect(report.ok).toBe(false);
  expect(report.firstBad).toEqual({ position: 6, problem: 'event 6 is missing (next is 7)' });
});

it('notices a deleted last event through the head', async () => {
  const report = await tamper('DELETE FROM events WHERE position = 10');
  expect(report.firstBad?.position).toBe(10);
});

it('names the first of two swapped events', async () => {
  const report = await tamper(`
    UPDATE events SET position = -3 WHERE position = 3;
    UPDATE events SET position = 3 WHERE position = 8;
    UPDATE events SET position = 8 WHERE position = -3;`);
  expect(report.ok).toBe(false);
  expect(report.firstBad?.position).toBe(3);
});

it('detects a re-hashed forgery through the next link', async () => {
  // An attacker who recomputes the edited event's own hash still breaks its successor's prev_hash.
  const database = await freshLog();
  try {
    await rawQuery(database, `UPDATE events SET hash = repeat('a', 64) WHERE position = 5`);
    const report = await verifyChain(database.db);
    expect(report.firstBad?.position).toBe(5);
  } finally {
    await database.dispose();
  }
});

it('verifies a range with --from/--to semantics', async () => {
  const database = await freshLog();
  try {
    expect(await verifyChain(database.db, { from: 4, to: 8 })).toMatchObject({ ok: true, checked: 5, firstPosition: 4, lastPosition: 8 });
  } finally {
    await database.dispose();
  }
});
