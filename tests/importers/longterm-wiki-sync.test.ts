import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { runImport, EXIT_ANOMALIES, type ImportIo } from '../../src/cli/import';
import { UsageError } from '../../src/cli/command';
import { ImportFailed, importLongtermWiki, type ImportReport } from '../../src/importers/longterm-wiki';
import { resolveBasis } from '../../src/projections/queries/basis';
import { rebuildReadModels } from '../../src/projections/rebuild';
import { createTestFactlog, type TestFactlog } from '../support/factlog';
import { createTestGateway, type TestGateway } from '../support/gateway';
import {
  buildFixture,
  currentThing,
  entitySlugs,
  eventCount,
  eventsOfRun,
  normalizedFacts,
  propertyTypes,
  registryFor,
  removeFixtures,
  sourceUrls,
  thingAt,
} from './longterm-wiki-support';

/**
 * Sync behaviour on small fixtures built from the real data: the publications, properties and entity
 * registry of the data set, plus a handful of things files, some at older versions from the wiki's
 * real edit history (history/things-history.jsonl).
 */

const SHARED = ['publications.yaml', 'properties.yaml', 'entities'];
/** The same, with only the registry entries the things files need (faster fixtures). */
const small = (things: Record<string, string>) => ({
  link: ['publications.yaml', 'properties.yaml'],
  things,
  files: {
    'entities/needed.yaml': registryFor(Object.values(things).filter((t) => !t.includes('name: [unclosed') && t.includes('thing:'))),
  },
});

/** Older versions of four files (real commits), and two files that did not change. */
const OLDER: Record<string, string> = {
  'anthropic.yaml': '419bd74727', // revenue 8.5e9 → 9e9, citations and notes changed, 49 facts added, 3 gone
  'openai.yaml': '9cc68c5a66', // 8 facts gone (retracted), 9 added; one only lost a redundant sourceResource
  'dario-amodei.yaml': '7a938b7ebd', // older layout (numericId: 3); "anthropic" later written as !ref mK9pX3rQ7n
  'coefficient-giving.yaml': 'a7783b62a3',
};
const UNCHANGED = ['sam-altman.yaml', 'chris-olah.yaml'];

const olderThings = () => ({
  ...Object.fromEntries(Object.entries(OLDER).map(([f, c]) => [f, thingAt(f, c)])),
  ...Object.fromEntries(UNCHANGED.map((f) => [f, currentThing(f)])),
});
const currentThings = () => Object.fromEntries([...Object.keys(OLDER), ...UNCHANGED].map((f) => [f, currentThing(f)]));

afterAll(() => removeFixtures());

describe('a real later version from the history', () => {
  let g: TestGateway;
  let older: ImportReport;
  let later: ImportReport;
  let before: { position: number; recordedAt: Date | null };

  beforeAll(async () => {
    g = await createTestGateway();
    const oldDir = await buildFixture({ link: SHARED, things: olderThings() });
    const newDir = await buildFixture({ link: SHARED, things: currentThings() });
    older = await importLongtermWiki(g.app, oldDir, { reason: 'older version' });
    before = await resolveBasis(g.app.db);
    await new Promise((r) => setTimeout(r, 5)); // a distinct recorded millisecond for knownAt
    later = await importLongtermWiki(g.app, newDir, { reason: 'later version' });
  }, 300_000);
  afterAll(() => g?.dispose());

  it('appends exactly the changed facts: corrected, retracted, asserted', async () => {
    expect(older.completed && later.completed).toBe(true);
    const slugs = entitySlugs();
    const types = propertyTypes();
    const want = { FactAsserted: new Set<string>(), FactCorrected: new Set<string>(), FactRetracted: new Set<string>() };
    const newUrls = new Set<string>();
    const oldUrls = new Set<string>();
    for (const [file, commit] of Object.entries(OLDER)) {
      const oldFacts = normalizedFacts(thingAt(file, commit), slugs, types);
      const newFacts = normalizedFacts(currentThing(file), slugs, types);
      for (const [id, f] of newFacts) {
        if (!oldFacts.has(id)) want.FactAsserted.add(id);
        else if (oldFacts.get(id) !== f) want.FactCorrected.add(id);
      }
      for (const id of oldFacts.keys()) if (!newFacts.has(id)) want.FactRetracted.add(id);
      for (const u of sourceUrls(thingAt(file, commit))) oldUrls.add(u);
      for (const u of sourceUrls(currentThing(file))) newUrls.add(u);
    }
    for (const f of UNCHANGED) for (const u of sourceUrls(currentThing(f))) oldUrls.add(u);
    const registered = [...newUrls].filter((u) => !oldUrls.has(u));
    // The versions were chosen to exercise every kind of change.
    expect(want.FactCorrected.size).toBeGreaterThan(3);
    expect(want.FactRetracted.size).toBeGreaterThan(5);
    expect(want.FactAsserted.size).toBeGreaterThan(50);

    // Records are checked in tests/importers/longterm-wiki-history-records.test.ts; these fixtures have no schemas.
    const events = (await eventsOfRun(g.app.db, later.run.correlationId)).filter((e) => !e.type.startsWith('Record'));
    const idsOf = (type: string) => new Set(events.filter((e) => e.type === type).map((e) => e.data.id as string));
    expect(idsOf('FactAsserted')).toEqual(want.FactAsserted);
    expect(idsOf('FactCorrected')).toEqual(want.FactCorrected);
    expect(idsOf('FactRetracted')).toEqual(want.FactRetracted);
    // Besides facts, only the sources newly cited by URL were registered: no entity, property or publication event.
    const others = events.filter((e) => !e.type.startsWith('Fact'));
    expect(others.every((e) => e.type === 'SourceRegistered')).toBe(true);
    expect(new Set(others.map((e) => e.data.url))).toEqual(new Set(registered));
    expect(events).toHaveLength(want.FactAsserted.size + want.FactCorrected.size + want.FactRetracted.size + registered.length);
    // Every event carries the run's actor, reason and correlation id.
    expect(events.every((e) => e.metadata.reason === 'later version' && e.metadata.actor === 'longterm-wiki-importer')).toBe(true);
  });

  it('corrects only the fields that changed', async () => {
    const events = await eventsOfRun(g.app.db, later.run.correlationId);
    const revenue = events.find((e) => e.type === 'FactCorrected' && e.data.id === 'f_tG6nH1yS3b')!;
    expect(Object.keys((revenue.data as { set: object }).set).sort()).toEqual(['citations', 'notes', 'value']);
    expect(revenue.data).toMatchObject({ set: { value: { kind: 'number', value: 9e9, unit: 'USD' } }, unset: [] });
    const notesOnly = events.find((e) => e.type === 'FactCorrected' && e.data.id === 'f_sQ2kP9nZ4r')!;
    expect(Object.keys((notesOnly.data as { set: object }).set)).toEqual(['notes']);
    // A bare slug that became `!ref id`, and a dropped redundant sourceResource, are no change at all.
    expect(events.some((e) => e.data.id === 'f_aE3mK7pQ9x' || e.data.id === 'f_HfB3WmNDFQ')).toBe(false);
  });

  it('still answers the old values for knownAt before the second import', async () => {
    const VALUE = `query V($knownAt: DateTime) {
      entity(id: "anthropic") { value(property: "revenue", asOf: "2025-12", knownAt: $knownAt) { id displayValue } }
    }`;
    const now = await g.gql(VALUE);
    expect(now.errors).toBeUndefined();
    expect(now.data.entity.value).toEqual({ id: 'f_tG6nH1yS3b', displayValue: '$9.0B' });
    const then = await g.gql(VALUE, { knownAt: before.recordedAt!.toISOString() });
    expect(then.errors).toBeUndefined();
    expect(then.data.entity.value).toEqual({ id: 'f_tG6nH1yS3b', displayValue: '$8.5B' });

    const FACT = `query F($id: ID!, $knownAt: DateTime) { fact(id: $id, knownAt: $knownAt) { retracted notes } }`;
    const gone = [...(await eventsOfRun(g.app.db, later.run.correlationId))].find((e) => e.type === 'FactRetracted')!.data.id as string;
    expect((await g.gql(FACT, { id: gone })).data.fact.retracted).toBe(true);
    expect((await g.gql(FACT, { id: gone, knownAt: before.recordedAt!.toISOString() })).data.fact.retracted).toBe(false);
  });

  it('appends nothing on a third run over the later files', async () => {
    const head = await eventCount(g.app.db);
    const again = await importLongtermWiki(g.app, await buildFixture({ link: SHARED, things: currentThings() }));
    expect(again.eventsAppended).toBe(0);
    expect(again.commands).toBe(0);
    expect(await eventCount(g.app.db)).toBe(head);
  }, 120_000);
});

describe('messy input', () => {
  let app: TestFactlog;
  beforeAll(async () => {
    app = await createTestFactlog();
  });
  afterAll(() => app?.dispose());

  it('reports a malformed file as an anomaly with its line, and keeps what that file imported before', async () => {
    const good = await importLongtermWiki(app, await buildFixture(small({ 'anthropic.yaml': currentThing('anthropic.yaml') })));
    const facts = Number(
      (
        await app.db
          .selectFrom('facts')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('retracted', '=', false)
          .executeTakeFirstOrThrow()
      ).n,
    );
    expect(facts).toBeGreaterThan(50);
    expect(good.completed).toBe(true);

    // A real broken version from the history (a map key written twice), and a file that is not YAML at all.
    const dir = await buildFixture({
      ...small({ 'anthropic.yaml': currentThing('anthropic.yaml') }),
      things: {
        'anthropic.yaml': thingAt('anthropic.yaml', 'fc128b3a64'),
        'broken.yaml': 'thing:\n  id: broken\n  name: [unclosed\nfacts: {\n',
        'no-header.yaml': 'facts:\n  - id: f_orphan\n    property: revenue\n    value: 1\n',
      },
    });
    const report = await importLongtermWiki(app, dir);
    expect(report.completed).toBe(true);
    const parse = report.anomalies.filter((a) => a.kind === 'parse-error');
    expect(parse).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ file: 'things/anthropic.yaml', line: 1149, message: expect.stringContaining('DUPLICATE_KEY') }),
        expect.objectContaining({ file: 'things/broken.yaml', line: expect.any(Number) }),
        expect.objectContaining({ file: 'things/no-header.yaml', message: expect.stringContaining('thing:') }),
      ]),
    );
    // The unreadable file's facts are not "gone": nothing is retracted.
    expect(report.phases.facts.applied.retract ?? 0).toBe(0);
    expect(report.eventsAppended).toBe(0);
  }, 180_000);

  it('turns a value that does not fit its property into an anomaly, converting what is unambiguous', async () => {
    const thing = [
      'thing:',
      '  id: anthropic',
      '  stableId: mK9pX3rQ7n',
      '  type: organization',
      '  name: Anthropic',
      '  numericId: "E22"',
      'facts:',
      '  - id: f_t_range',
      '    property: headcount',
      '    value: [300, 400]',
      '    asOf: 2024-06',
      '  - id: f_t_string',
      '    property: headcount',
      '    value: "1200"',
      '    asOf: "2025"',
      '  - id: f_t_words',
      '    property: headcount',
      '    value: about a thousand',
      '  - id: f_t_date',
      '    property: founded-date',
      '    value: 2021',
      '    asOf: !date 2021-01',
      '  - id: f_t_badasof',
      '    property: revenue',
      '    value: 1e9',
      '    asOf: 2024-13',
      '  - id: f_t_noprop',
      '    property: no-such-property',
      '    value: 1',
      '  - property: revenue',
      '    value: 2',
    ].join('\n');
    const report = await importLongtermWiki(
      app,
      await buildFixture({ ...small({ 'anthropic.yaml': currentThing('anthropic.yaml') }), things: { 'anthropic.yaml': thing } }),
    );
    const byAt = (at: string) => report.anomalies.filter((a) => a.at?.startsWith(at)).map((a) => a.kind);
    expect(byAt('f_t_words')).toEqual(['unparsable-value']);
    // A month that does not exist keeps the fact, at the year its date still says.
    expect(byAt('f_t_badasof')).toEqual(['imprecise-date']);
    expect(byAt('f_t_noprop')).toEqual(['unknown-property']);
    expect(byAt('f_t_date')).toEqual(['bare-year-date']);
    expect(report.anomalies.some((a) => a.kind === 'invalid-record' && a.message.includes('fact id is missing'))).toBe(true);
    expect(report.conversions).toMatchObject({ 'range-from-list': 1, 'number-from-string': 1 });
    const value = async (id: string) =>
      (await app.db.selectFrom('facts').select('value').where('id', '=', id).executeTakeFirstOrThrow()).value;
    expect(await value('f_t_range')).toEqual({ kind: 'range', low: 300, high: 400, unit: 'employees' });
    expect(await value('f_t_string')).toEqual({ kind: 'number', value: 1200, unit: 'employees' });
    expect(await value('f_t_date')).toEqual({ kind: 'date', value: { value: '2021', precision: 'year' } });
    expect(await app.db.selectFrom('facts').select('as_of').where('id', '=', 'f_t_badasof').executeTakeFirstOrThrow()).toEqual({
      as_of: '2024',
    });
    // The facts anthropic.yaml had before (previous test) and no longer has are retracted; skipped ones are not.
    expect(await app.db.selectFrom('facts').select('id').where('id', '=', 'f_t_words').executeTakeFirst()).toBeUndefined();
  }, 180_000);
});

describe('nothing dropped for a bad value', () => {
  let app: TestFactlog;
  beforeAll(async () => {
    app = await createTestFactlog();
  });
  afterAll(() => app?.dispose());

  const URL = 'https://example.org/undated';
  const files = (publishedDate: string) => ({
    'resources/misc.yaml': [
      `- id: ${createHash('sha256').update(URL).digest('hex').slice(0, 16)}`,
      `  url: ${URL}`,
      '  title: An undated report',
      `  published_date: ${publishedDate}`,
      '  authors: [Ann, Bob, Ann]',
      '  fetched_at: 2025-12-28 03:52:37',
      '  archive_note: kept as written',
      '  cited_by: [a-page]',
    ].join('\n'),
    'pages.yaml': [
      '- slug: a-page',
      '  title: A page',
      '  quality: 250',
      '  readerImportance: 72.5',
      '  update_frequency: 21',
      '  ratings: { rigor: 6, novelty: 3.5 }',
      '  lastEdited: "2026-02-10"',
      '  clusters: [ai-safety]',
      '  draftOwner: { name: Ann }',
    ].join('\n'),
  });
  const stateOf = async (kind: string, id: string) => {
    const row = await app.db
      .selectFrom('state_versions')
      .select('state')
      .where('kind', '=', kind)
      .where('id', '=', id)
      .where('tx_to', 'is', null)
      .executeTakeFirstOrThrow();
    return (typeof row.state === 'string' ? JSON.parse(row.state) : row.state) as { fields: Record<string, unknown> };
  };
  const sourceId = createHash('sha256').update(URL).digest('hex').slice(0, 16);

  it('a value a typed field refuses is reported and kept verbatim in attributes, beside the untyped keys', async () => {
    const report = await importLongtermWiki(app, await buildFixture({ files: files('sometime') }));
    expect(report.completed).toBe(true);
    const kinds = (file: string) => report.anomalies.filter((a) => a.file === file).map((a) => `${a.kind} ${a.at}`);
    expect(kinds('resources/misc.yaml')).toEqual([`duplicate-item ${sourceId}.authors`, `invalid-field ${sourceId}.published_date`]);
    expect(kinds('pages.yaml')).toEqual(['invalid-field a-page.quality']);
    expect(report.unmapped).toEqual({});
    expect(report.untyped).toEqual({ 'pages.draftOwner': 1, 'resources.archive_note': 1 });

    const source = (await stateOf('source', sourceId)).fields;
    expect(source).not.toHaveProperty('publishedDate');
    expect(source.authors).toEqual(['Ann', 'Bob']);
    expect(source.fetchedAt).toBe('2025-12-28T03:52:37.000Z');
    // The refused value, and the whole list a repeat was dropped from, as written.
    expect(source.attributes).toEqual({ published_date: 'sometime', authors: ['Ann', 'Bob', 'Ann'], archive_note: 'kept as written' });
    const page = (await stateOf('page', 'a-page')).fields;
    expect(page).toMatchObject({
      readerImportance: 72.5,
      updateFrequency: 21,
      ratings: { rigor: 6, novelty: 3.5 },
      lastEdited: '2026-02-10',
      clusters: ['ai-safety'],
      attributes: { quality: 250, draftOwner: { name: 'Ann' } },
    });
    expect(page).not.toHaveProperty('quality');
  }, 120_000);

  it('the same files again append nothing; a value that now reads moves from attributes to its field', async () => {
    const head = await eventCount(app.db);
    const again = await importLongtermWiki(app, await buildFixture({ files: files('sometime') }));
    expect(again.eventsAppended).toBe(0);
    expect(await eventCount(app.db)).toBe(head);

    const fixed = await importLongtermWiki(app, await buildFixture({ files: files('"2024-05"') }));
    const events = await eventsOfRun(app.db, fixed.run.correlationId);
    expect(events.map((e) => ({ type: e.type, data: e.data }))).toEqual([
      { type: 'SourceUpdated', data: { id: sourceId, set: { publishedDate: '2024-05' }, unset: ['attributes.published_date'] } },
    ]);
    expect((await stateOf('source', sourceId)).fields.attributes).toEqual({
      authors: ['Ann', 'Bob', 'Ann'],
      archive_note: 'kept as written',
    });
  }, 120_000);
});

describe('the command line', () => {
  let app: TestFactlog;
  let dir: string;
  beforeAll(async () => {
    app = await createTestFactlog();
    dir = await buildFixture(small({ 'dario-amodei.yaml': thingAt('dario-amodei.yaml', '7a938b7ebd') }));
  });
  afterAll(() => app?.dispose());

  const io = (out: string[]): ImportIo => ({
    open: async () => ({ target: app, close: async () => undefined }),
    stdout: (t) => out.push(t),
    stderr: Object.assign(new Writable({ write: (_c, _e, cb) => cb() }), { isTTY: false }),
    env: {},
  });

  it('--strict exits non-zero when there are anomalies, and the summary counts them per kind', async () => {
    const out: string[] = [];
    expect(await runImport({ strict: true }, ['longterm-wiki', dir], io(out))).toBe(EXIT_ANOMALIES);
    const text = out.join('');
    expect(text).toContain('Anomalies (');
    expect(text).toMatch(/missing-input \(\d+\)/); // no resources, pages or snapshot in this fixture
    expect(text).toMatch(/invalid-field \(\d+\)/);
    // One line per kind: the anomalies themselves are behind --verbose (and --json).
    expect(text).toContain('--verbose or --json lists each');
    expect(text).not.toMatch(/things\/dario-amodei\.yaml:\d+/);
    // Without --strict the same anomalies are reported and the exit is 0.
    expect(await runImport({}, ['longterm-wiki', dir], io([]))).toBe(0);
  }, 120_000);

  it('--verbose lists every anomaly under its kind', async () => {
    const out: string[] = [];
    expect(await runImport({ verbose: true, 'dry-run': true }, ['longterm-wiki', dir], io(out))).toBe(0);
    const text = out.join('');
    expect(text).toMatch(/invalid-field \(\d+\)/);
    expect(text).toMatch(/things\/dario-amodei\.yaml:\d+ \(dario-amodei\.numericId\)/); // numericId: 3 in the older layout
    expect(text).not.toContain('--verbose or --json lists each');
  }, 60_000);

  it('--json prints the whole report for machines', async () => {
    const out: string[] = [];
    expect(await runImport({ json: true, 'dry-run': true }, ['longterm-wiki', dir], io(out))).toBe(0);
    const report = JSON.parse(out.join('')) as ImportReport;
    expect(report.run.dryRun).toBe(true);
    expect(report.anomalies.length).toBe(Object.values(report.anomalyCounts).reduce((a, b) => a + b, 0));
    expect(report.anomalies[0]).toEqual(
      expect.objectContaining({ kind: expect.any(String), file: expect.any(String), message: expect.any(String) }),
    );
  }, 60_000);

  it('refuses a wrong invocation with a usage error', async () => {
    await expect(runImport({}, [], io([]))).rejects.toThrow(UsageError);
    await expect(runImport({}, ['wikipedia', dir], io([]))).rejects.toThrow(/unknown source/);
    await expect(runImport({}, ['longterm-wiki', `${dir}/nope`], io([]))).rejects.toThrow(/not a folder/);
    await expect(runImport({ 'batch-size': '0' }, ['longterm-wiki', dir], io([]))).rejects.toThrow(/--batch-size/);
  });
});

describe('batches', () => {
  it('a crash mid-run leaves whole batches, and running again finishes the job', async () => {
    const app = await createTestFactlog();
    try {
      const dir = await buildFixture(small(currentThings()));
      const crash = importLongtermWiki(app, dir, {
        batchSize: 50,
        afterCommand: (step, index) => {
          if (index === 135) throw new Error(`simulated crash at ${step.label}`);
        },
      });
      await expect(crash).rejects.toThrow(ImportFailed);
      const failed = await crash.catch((e: ImportFailed) => e.report);
      // 79 publications + 51 properties committed in batches of 50; the first entity batch (from 130) rolled back.
      expect(failed.phases.entities.inFiles).toBeGreaterThan(5);
      expect(failed.completed).toBe(false);
      expect(failed.eventsAppended).toBe(130);
      expect(await eventCount(app.db)).toBe(130);
      expect(await app.db.selectFrom('entities').select('id').executeTakeFirst()).toBeUndefined();

      const finished = await importLongtermWiki(app, dir, { batchSize: 50 });
      expect(finished.completed).toBe(true);
      expect(finished.phases.publications.unchanged).toBe(79);
      // Together the two runs wrote one event per thing in the files, as a single clean run would.
      const things = Object.values(finished.phases).reduce((n, p) => n + p.inFiles, 0);
      expect(130 + finished.eventsAppended).toBe(things);
      expect((await importLongtermWiki(app, dir)).eventsAppended).toBe(0);
    } finally {
      await app.dispose();
    }
  }, 300_000);

  it('the batched writer stores exactly what the CommandHandler path stores', async () => {
    const dir = await buildFixture(small(currentThings()));
    const batched = await createTestFactlog();
    const handler = await createTestFactlog();
    try {
      const a = await importLongtermWiki(batched, dir);
      const b = await importLongtermWiki(handler, dir, { writer: 'handler', batchSize: 200 });
      expect(a.eventsAppended).toBe(b.eventsAppended);
      expect(a.anomalies).toEqual(b.anomalies);
      // Generated stable ids (sources cited only by URL) differ run to run; everything else is equal.
      const snapshot = async (app: TestFactlog) => {
        const states = await app.db
          .selectFrom('state_versions')
          .select(['stream', 'version', 'state'])
          .where('tx_to', 'is', null)
          .orderBy('stream')
          .execute();
        const facts = await app.db
          .selectFrom('fact_versions')
          .select([
            'fact_id',
            'version',
            'entity_id',
            'property_id',
            'value',
            'as_of',
            'valid_end',
            'citations',
            'notes',
            'rank',
            'retracted',
          ])
          .orderBy('fact_id')
          .orderBy('version')
          .execute();
        return {
          states: states.map((s) => ({
            ...s,
            state: JSON.parse(JSON.stringify(s.state).replace(/"stableId":"[A-Za-z0-9]{10}"/g, '"stableId":"…"')),
          })),
          facts,
        };
      };
      expect(await snapshot(batched)).toEqual(await snapshot(handler));
      // And the read models are what the log implies.
      expect((await rebuildReadModels(batched.db, { dryRun: true })).equal).toBe(true);
    } finally {
      await batched.dispose();
      await handler.dispose();
    }
  }, 300_000);
});
