import { rawQuery } from '../support/test-database';
import { createCliStore, ensureBuilt, runAudit, type CliStore } from './cli-support';
import { runScenario, type Scenario } from './scenario';
import { READ_MODEL_TABLES } from '../../src/projections/tables';

// The built `factlog audit verify|replay` on a store of its own (PGlite folder or a fresh PostgreSQL database).

// Each CLI run opens the store afresh (several seconds on PGlite under load).
jest.setTimeout(300_000);

let store: CliStore;
let scenario: Scenario;
const audit = (...args: string[]) => runAudit(args, store.env);
const sql = (text: string, params: unknown[] = []) => store.with((app) => rawQuery(app.database, text, params));

beforeAll(async () => {
  await ensureBuilt();
  store = await createCliStore();
  scenario = await store.with((app) => runScenario(app.commands, app.db));
  await sql('ALTER TABLE events DISABLE TRIGGER USER');
}, 300_000);
afterAll(() => store?.dispose());

describe('on an untouched log', () => {
  it('verify passes and prints events checked and events/s', async () => {
    const r = await audit('verify');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(`^ok: ${scenario.head} events checked \\(positions 1–${scenario.head}\\) in \\d+\\.\\d s, \\d+ events/s\\n$`),
    );
  });

  it('verify --json reports the same, and --from/--to check a range', async () => {
    const r = await audit('verify', '--json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ ok: true, checked: scenario.head, firstPosition: 1, lastPosition: scenario.head, firstBad: null });
    expect(report.eventsPerSecond).toBeGreaterThan(0);
    expect(typeof report.seconds).toBe('number');

    const range = await audit('verify', '--from', '10', '--to', '20', '--json');
    expect(range.code).toBe(0);
    expect(JSON.parse(range.stdout)).toMatchObject({ ok: true, checked: 11, firstPosition: 10, lastPosition: 20 });
    const tail = await audit('verify', '--from', String(scenario.head - 2));
    expect(tail.code).toBe(0);
    expect(tail.stdout).toMatch(new RegExp(`^ok: 3 events checked \\(positions ${scenario.head - 2}–${scenario.head}\\)`));
  });

  it('verify refuses a malformed range with exit code 2', async () => {
    const r = await audit('verify', '--from', 'x');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--from must be a whole number/);
    expect((await audit('verify', 'extra')).code).toBe(2);
    expect((await audit('frobnicate')).code).toBe(2);
    // Past the end of the log is a mistake in the range, not a missing event.
    const past = await audit('verify', '--from', String(scenario.head + 5));
    expect(past.code).toBe(2);
    expect(past.stderr).toBe(`factlog: --from ${scenario.head + 5} is past the end of the log (last position ${scenario.head})\n`);
    expect(past.stdout).toBe('');
  });

  it('verify --from 0 means from the start', async () => {
    const r = await audit('verify', '--from', '0');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^ok: ${scenario.head} events checked \\(positions 1–${scenario.head}\\)`));
  });

  it('replay compares every read model with the live one and passes', async () => {
    const r = await audit('replay');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`replayed ${scenario.head} events up to position ${scenario.head}`);
    const tables = lines.slice(1, -1);
    expect(tables).toHaveLength(READ_MODEL_TABLES.length);
    for (const line of tables) expect(line).toMatch(/^ {2}equal {5}\w+ +live (\d+) rows, replayed \1 rows$/);
    expect(tables.find((l) => l.includes(' facts '))).toMatch(/live 3 rows, replayed 3 rows/);
    expect(lines.at(-1)).toBe('every live read model equals a replay of the log');
  });

  it('replay --json lists every table as equal', async () => {
    const r = await audit('replay', '--json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ position: scenario.head, events: scenario.head });
    expect(report.tables).toHaveLength(READ_MODEL_TABLES.length);
    expect(report.tables.filter((t: { equal: boolean }) => !t.equal)).toEqual([]);
  });
});

describe('after tampering (each case is undone before the next)', () => {
  it('an edited event makes verify fail at its position', async () => {
    const at = scenario.steps.correctNotes.position;
    await sql(`CREATE TABLE saved_event AS SELECT * FROM events WHERE position = ${at}`);
    try {
      await sql(`UPDATE events SET data = jsonb_set(data, '{set,notes}', '"Definitely ASL-4"') WHERE position = $1`, [at]);
      const r = await audit('verify');
      expect(r.code).toBe(1);
      expect(r.stdout).toBe(
        `FAILED at position ${at}: content does not match its hash (the event was changed)\n(${at - 1} events before it were intact)\n`,
      );
      const json = await audit('verify', '--json');
      expect(json.code).toBe(1);
      expect(JSON.parse(json.stdout)).toMatchObject({
        ok: false,
        checked: at - 1,
        firstBad: { position: at, problem: expect.stringMatching(/content does not match/) },
      });
      // A range that stops before the edit still verifies.
      expect((await audit('verify', '--to', String(at - 1))).code).toBe(0);
    } finally {
      await sql(`UPDATE events SET data = (SELECT data FROM saved_event) WHERE position = ${at}; DROP TABLE saved_event`);
    }
    expect((await audit('verify')).code).toBe(0);
  });

  it('a deleted event makes verify fail at the hole', async () => {
    const at = scenario.steps.mergeSources.positions[0];
    await sql(`CREATE TABLE saved_event AS SELECT * FROM events WHERE position = ${at}; DELETE FROM events WHERE position = ${at}`);
    try {
      const r = await audit('verify');
      expect(r.code).toBe(1);
      expect(r.stdout).toBe(
        `FAILED at position ${at}: event ${at} is missing (next is ${at + 1})\n(${at - 1} events before it were intact)\n`,
      );
      const range = await audit('verify', '--from', String(at + 1));
      expect(range.code).toBe(1);
      expect(range.stdout).toMatch(new RegExp(`^FAILED at position ${at}: event ${at} \\(the one before --from\\) is missing`));
    } finally {
      await sql('INSERT INTO events SELECT * FROM saved_event; DROP TABLE saved_event');
    }
    expect((await audit('verify')).code).toBe(0);
  });

  it('a changed projection row makes replay fail, naming the table and the differing row', async () => {
    await sql(`UPDATE pages SET title = 'Anthropic (forged)' WHERE slug = 'anthropic'`);
    try {
      expect((await audit('verify')).code).toBe(0);
      const r = await audit('replay');
      expect(r.code).toBe(1);
      const lines = r.stdout.trimEnd().split('\n');
      expect(lines.filter((l) => l.includes('DIFFERENT'))).toEqual(['  DIFFERENT pages             live 7 rows, replayed 7 rows']);
      const at = lines.findIndex((l) => l.includes('DIFFERENT'));
      expect(lines[at + 1]).toMatch(
        /^ {6}only live: {5}\(anthropic,,"Anthropic \(forged\)","AI safety company",80\.0,mK9pX3rQ7n,\d+,\d+\)$/,
      );
      expect(lines[at + 2]).toMatch(/^ {6}only replayed: \(anthropic,,Anthropic,"AI safety company",80\.0,mK9pX3rQ7n,\d+,\d+\)$/);
      expect(lines.at(-1)).toBe('the live read models differ from a replay of the log');

      const json = await audit('replay', '--json');
      expect(json.code).toBe(1);
      const differing = JSON.parse(json.stdout).tables.filter((t: { equal: boolean }) => !t.equal);
      expect(differing).toEqual([
        expect.objectContaining({
          table: 'pages',
          onlyLive: [expect.stringContaining('forged')],
          onlyReplayed: [expect.stringContaining('(anthropic,')],
        }),
      ]);
    } finally {
      await sql(`UPDATE pages SET title = 'Anthropic' WHERE slug = 'anthropic'`);
    }
    expect((await audit('replay')).code).toBe(0);
  });

  it('a row missing from a projection makes replay fail and shows the row only the replay has', async () => {
    await sql(
      `CREATE TABLE saved_row AS SELECT * FROM fact_citations WHERE fact_id = 'f_R59LmVVzcw'; DELETE FROM fact_citations WHERE fact_id = 'f_R59LmVVzcw'`,
    );
    try {
      const r = await audit('replay');
      expect(r.code).toBe(1);
      expect(r.stdout).toContain(
        '  DIFFERENT fact_citations    live 1 rows, replayed 2 rows\n      only replayed: (f_R59LmVVzcw,7512ddb574f82249)\n',
      );
    } finally {
      await sql('INSERT INTO fact_citations SELECT * FROM saved_row; DROP TABLE saved_row');
    }
  });
});
