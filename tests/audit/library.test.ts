import { compareReadModels, verifyLog, withReplay, type TableComparison } from '../../src/projections/audit';
import { READ_MODEL_TABLES } from '../../src/projections/tables';
import { EventStore } from '../../src/store/event-store';
import { createTestFactlog, type TestFactlog } from '../support/factlog';
import { rawQuery } from '../support/test-database';
import { runScenario, type Scenario } from './scenario';

// verifyLog / withReplay / compareReadModels as a program would call them, on the realistic scenario.

let app: TestFactlog;
let scenario: Scenario;
beforeAll(async () => {
  app = await createTestFactlog();
  scenario = await runScenario(app.commands, app.db);
  await rawQuery(app.database, 'ALTER TABLE events DISABLE TRIGGER USER');
});
afterAll(() => app.dispose());

const replayAndCompare = () =>
  withReplay(app.db, {}, async (trx, r) => ({ events: r.events, tables: await compareReadModels(trx, r.scratchSchema, r.liveSchema) }));
const different = (tables: TableComparison[]) => tables.filter((t) => !t.equal);

describe('on an untouched log', () => {
  it('verify passes over every event, and over a range', async () => {
    const report = await verifyLog(app.db);
    expect(report).toEqual({ ok: true, checked: scenario.head, firstPosition: 1, lastPosition: scenario.head, firstBad: null });
    expect(scenario.head).toBeGreaterThan(30);
    const progress: number[] = [];
    const range = await verifyLog(app.db, { from: 5, to: 12, batchSize: 3, onProgress: (_n, p) => progress.push(p) });
    expect(range).toEqual({ ok: true, checked: 8, firstPosition: 5, lastPosition: 12, firstBad: null });
    expect(progress.at(-1)).toBe(12);
    // From 0 is from the start (there is no event 0 to be missing).
    expect(await verifyLog(app.db, { from: 0 })).toMatchObject({ ok: true, checked: scenario.head, firstPosition: 1 });
  });

  it('replay rebuilds every read model equal to the live one', async () => {
    const { events, tables } = await replayAndCompare();
    expect(events).toBe(scenario.head);
    expect(tables.map((t) => t.table)).toEqual([...READ_MODEL_TABLES]);
    expect(different(tables)).toEqual([]);
    // Not vacuous: the scenario filled the tables it exercises.
    const rows = Object.fromEntries(tables.map((t) => [t.table, t.live.rows]));
    expect(rows).toMatchObject({
      facts: 3,
      fact_versions: 8,
      sources: 2,
      pages: 7,
      entities: 6,
      publications: 1,
      properties: 1,
      source_content: 1,
    });
    expect(rows.page_citations).toBe(7); // asl-levels' citation of the duplicate moved to the original by the merge
    expect(rows.entity_keys).toBeGreaterThan(6);
  });

  it('replay leaves no scratch schema behind and never touches the live tables', async () => {
    const schemas = async () =>
      (await rawQuery(app.database, `SELECT nspname FROM pg_namespace WHERE nspname LIKE 'factlog_audit_%'`)).rows.length;
    const before = await schemas();
    const live = (await rawQuery(app.database, 'SELECT count(*)::int AS n FROM facts')).rows[0].n;
    await withReplay(app.db, { atPosition: scenario.seeded.position }, async () => undefined);
    expect(await schemas()).toBe(before);
    expect((await rawQuery(app.database, 'SELECT count(*)::int AS n FROM facts')).rows[0].n).toBe(live);
  });
});

describe('after tampering (each case is undone before the next)', () => {
  it('an edited event: verify names its position', async () => {
    const at = scenario.steps.correctValue.position;
    await rawQuery(app.database, `CREATE TABLE saved_event AS SELECT * FROM events WHERE position = ${at}`);
    try {
      await rawQuery(
        app.database,
        `UPDATE events SET data = jsonb_set(data, '{set,value,value}', '"ASL-2 (forged)"') WHERE position = $1`,
        [at],
      );
      const report = await verifyLog(app.db);
      expect(report.ok).toBe(false);
      expect(report.firstBad).toEqual({ position: at, problem: 'content does not match its hash (the event was changed)' });
      expect(report.checked).toBe(at - 1);
      // A range that ends before it is still fine; one that contains it is not.
      expect((await verifyLog(app.db, { to: at - 1 })).ok).toBe(true);
      expect((await verifyLog(app.db, { from: at - 2, to: at + 2 })).firstBad?.position).toBe(at);
    } finally {
      await rawQuery(app.database, 'UPDATE events SET data = (SELECT data FROM saved_event) WHERE position = $1', [at]);
      await rawQuery(app.database, 'DROP TABLE saved_event');
    }
    expect((await verifyLog(app.db)).ok).toBe(true);
  });

  it('an edited actor (metadata): verify names its position', async () => {
    const at = scenario.steps.retractRumor.position;
    await rawQuery(app.database, `UPDATE events SET metadata = jsonb_set(metadata, '{actor}', '"mallory"') WHERE position = $1`, [at]);
    try {
      expect((await verifyLog(app.db)).firstBad).toEqual({
        position: at,
        problem: expect.stringMatching(/content does not match its hash/),
      });
    } finally {
      await rawQuery(app.database, `UPDATE events SET metadata = jsonb_set(metadata, '{actor}', '"carol"') WHERE position = $1`, [at]);
    }
    expect((await verifyLog(app.db)).ok).toBe(true);
  });

  it('a deleted event: verify names the hole', async () => {
    const at = scenario.steps.updatePage.position;
    await rawQuery(app.database, `CREATE TABLE saved_event AS SELECT * FROM events WHERE position = ${at}`);
    try {
      await rawQuery(app.database, 'DELETE FROM events WHERE position = $1', [at]);
      const report = await verifyLog(app.db);
      expect(report.ok).toBe(false);
      expect(report.firstBad).toEqual({ position: at, problem: `event ${at} is missing (next is ${at + 1})` });
    } finally {
      await rawQuery(app.database, 'INSERT INTO events SELECT * FROM saved_event');
      await rawQuery(app.database, 'DROP TABLE saved_event');
    }
    expect((await verifyLog(app.db)).ok).toBe(true);
  });

  it('a deleted last event: verify names it through the head', async () => {
    const at = scenario.head;
    await rawQuery(app.database, `CREATE TABLE saved_event AS SELECT * FROM events WHERE position = ${at}`);
    try {
      await rawQuery(app.database, 'DELETE FROM events WHERE position = $1', [at]);
      const report = await verifyLog(app.db);
      expect(report.firstBad).toEqual({ position: at, problem: `the log head (position ${at}) does not match the last event (${at - 1})` });
    } finally {
      await rawQuery(app.database, 'INSERT INTO events SELECT * FROM saved_event');
      await rawQuery(app.database, 'DROP TABLE saved_event');
    }
  });

  it('a changed projection row: verify still passes, replay names the table and the row', async () => {
    const before = (await rawQuery(app.database, `SELECT notes FROM facts WHERE id = 'f_BnkEWenniQ'`)).rows[0].notes as string;
    await rawQuery(app.database, `UPDATE facts SET notes = 'forged note' WHERE id = 'f_BnkEWenniQ'`);
    try {
      expect((await verifyLog(app.db)).ok).toBe(true);
      const { tables } = await replayAndCompare();
      const diffs = different(tables);
      expect(diffs.map((t) => t.table)).toEqual(['facts']);
      const [facts] = diffs;
      expect(facts.live.rows).toBe(facts.replayed.rows);
      expect(facts.live.checksum).not.toBe(facts.replayed.checksum);
      expect(facts.onlyLive).toHaveLength(1);
      expect(facts.onlyLive[0]).toMatch(/^\(f_BnkEWenniQ,.*forged note/);
      expect(facts.onlyReplayed).toHaveLength(1);
      expect(facts.onlyReplayed[0]).toMatch(/^\(f_BnkEWenniQ,/);
      expect(facts.onlyReplayed[0]).toContain(before);
    } finally {
      await rawQuery(app.database, `UPDATE facts SET notes = $1 WHERE id = 'f_BnkEWenniQ'`, [before]);
    }
    expect(different((await replayAndCompare()).tables)).toEqual([]);
  });

  it('a deleted projection row and an extra one: replay reports both sides', async () => {
    const row = (await rawQuery(app.database, `SELECT * FROM page_citations WHERE page_slug = 'sandboxing'`)).rows[0];
    await rawQuery(app.database, `DELETE FROM page_citations WHERE page_slug = 'sandboxing'`);
    await rawQuery(app.database, `INSERT INTO entity_keys (key, entity_id, rank) VALUES ('openai', $1, 3)`, ['mK9pX3rQ7n']);
    try {
      const diffs = different((await replayAndCompare()).tables);
      expect(diffs.map((t) => [t.table, t.live.rows - t.replayed.rows, t.onlyLive.length, t.onlyReplayed.length])).toEqual([
        ['page_citations', -1, 0, 1],
        ['entity_keys', 1, 1, 0],
      ]);
      expect(diffs[0].onlyReplayed[0]).toBe(`(sandboxing,${row.source_id},${row.position})`);
      expect(diffs[1].onlyLive[0]).toBe('(openai,mK9pX3rQ7n,3)');
    } finally {
      await rawQuery(app.database, 'INSERT INTO page_citations (page_slug, source_id, position) VALUES ($1, $2, $3)', [
        row.page_slug,
        row.source_id,
        row.position,
      ]);
      await rawQuery(app.database, `DELETE FROM entity_keys WHERE key = 'openai'`);
    }
  });

  it('an appended event that does not parse: verify names it although its hash is right', async () => {
    // Last, because the log cannot be repaired afterwards: a well-chained event of a type the domain does not know.
    const store = new EventStore(app.database);
    const { lastPosition } = await store.appendMany([
      { stream: 'fact-f_BnkEWenniQ', expectedVersion: 'exists', events: [{ type: 'FactTeleported', data: { id: 'f_BnkEWenniQ' } }] },
    ]);
    const report = await verifyLog(app.db);
    expect(report.firstBad).toEqual({ position: lastPosition, problem: 'does not parse: unknown event type "FactTeleported"' });
    const v2 = await store.appendMany([
      {
        stream: 'fact-f_R59LmVVzcw',
        expectedVersion: 'exists',
        events: [{ type: 'FactCorrected', schemaVersion: 2, data: { id: 'f_R59LmVVzcw', set: {}, unset: [] } }],
      },
    ]);
    expect((await verifyLog(app.db, { from: v2.lastPosition })).firstBad).toEqual({
      position: v2.lastPosition,
      problem: 'does not parse: event type "FactCorrected" has no upcaster from schema version 2 to 1',
    });
  });
});
