import { asOfInstant, parsePartialDate } from '../../src/domain/partial-date';
import { resolveEntityId } from '../../src/projections/lookup';
import { resolveBasis } from '../../src/projections/queries/basis';
import { factsAt, timelineAt, valueAt } from '../../src/projections/queries/facts';
import { rebuildReadModels } from '../../src/projections/rebuild';
import { createTestFactlog, type TestFactlog } from '../support/factlog';

const URL = 'https://www.anthropic.com/news/activating-asl3-protections';
const FIRST = 'ASL-3 (Opus 4+), ASL-2 (Sonnet/Haiku)';
const SECOND = 'ASL-3 (Opus 4, Opus 4.5, Opus 4.6), ASL-2 (Sonnet, Haiku)';

let app: TestFactlog;
const T = (d: string): Date => {
  const p = parsePartialDate(d, 'asOf');
  if (!p.ok) throw p.error;
  return asOfInstant(p.value);
};

beforeAll(async () => {
  app = await createTestFactlog();
  const c = app.commands;
  await c.execute({
    type: 'RegisterPublication',
    id: 'anthropic',
    fields: { name: 'Anthropic', credibility: 4, type: 'company_blog', domains: ['anthropic.com'] },
  });
  await c.execute({
    type: 'RegisterSource',
    fields: {
      url: URL,
      stableId: 'YmFkZjUwMz',
      title: 'Activating AI Safety Level 3 protections',
      type: 'blog',
      publicationId: 'anthropic',
    },
  });
  await c.execute({ type: 'DefineProperty', id: 'safety-level', fields: { name: 'AI Safety Level', dataType: 'text', temporal: true } });
  await c.execute({
    type: 'RegisterEntity',
    id: 'mK9pX3rQ7n',
    fields: { slug: 'anthropic', name: 'Anthropic', type: 'organization', numericId: 'E22' },
  });
  await c.execute({
    type: 'AssertFact',
    id: 'f_asl_2025',
    entity: 'anthropic',
    property: 'safety-level',
    value: FIRST,
    asOf: '2025-05',
    validEnd: '2026-02',
    citations: [{ source: 'YmFkZjUwMz' }],
  });
  await c.execute({
    type: 'AssertFact',
    id: 'f_asl_2026',
    entity: 'E22',
    property: 'safety-level',
    value: SECOND,
    asOf: '2026-02',
    citations: [{ source: URL }],
  });
});
afterAll(() => app.dispose());

const text = (v: { value: Record<string, unknown> } | null) => (v ? v.value.value : null);

it('answers the value as of a valid time', async () => {
  const head = (await resolveBasis(app.db)).position;
  expect(text((await valueAt(app.db, 'mK9pX3rQ7n', 'safety-level', T('2025-12'), head)).fact)).toBe(FIRST);
  expect(text((await valueAt(app.db, 'mK9pX3rQ7n', 'safety-level', T('2026-03'), head)).fact)).toBe(SECOND);
  expect((await valueAt(app.db, 'mK9pX3rQ7n', 'safety-level', T('2024'), head)).fact).toBeNull();
  // "as of 2025" means the end of 2025, so May 2025's value is seen.
  expect(text((await valueAt(app.db, 'mK9pX3rQ7n', 'safety-level', T('2025'), head)).fact)).toBe(FIRST);
  // validEnd is exclusive: from Feb 2026 the first fact no longer holds, the second does.
  expect(text((await valueAt(app.db, 'mK9pX3rQ7n', 'safety-level', T('2026-02-01'), head)).fact)).toBe(SECOND);
});

it('lists the facts citing the source, resolved through its stable id and URL', async () => {
  const head = (await resolveBasis(app.db)).position;
  const all = await factsAt(app.db, { sourceIds: ['7512ddb574f82249'] }, { position: head }, { first: 20, offset: 0 });
  expect(all.items.map((f) => f.id)).toEqual(['f_asl_2025', 'f_asl_2026']);
  expect(await all.totalCount()).toBe(2);
  const valid = await factsAt(
    app.db,
    { sourceIds: ['7512ddb574f82249'] },
    { position: head, validAt: T('2025-12') },
    { first: 20, offset: 0 },
  );
  expect(valid.items.map((f) => f.id)).toEqual(['f_asl_2025']);
});

it('keeps what was known before a correction', async () => {
  const before = await resolveBasis(app.db);
  const fact = await app.db.selectFrom('facts').select('version').where('id', '=', 'f_asl_2026').executeTakeFirstOrThrow();
  await new Promise((r) => setTimeout(r, 5)); // a distinct recorded millisecond for knownAt
  const corrected = await app.commands.execute(
    { type: 'CorrectFact', id: 'f_asl_2026', set: { value: 'ASL-3 (all current models)' } },
    { expectedVersion: fact.version, reason: 'policy update' },
  );
  expect(corrected.changed).toBe(true);
  const now = (await resolveBasis(app.db)).position;
  expect(text((await valueAt(app.db, 'mK9pX3rQ7n', 'safety-level', T('2026-03'), now)).fact)).toBe('ASL-3 (all current models)');
  expect(text((await valueAt(app.db, 'mK9pX3rQ7n', 'safety-level', T('2026-03'), before.position)).fact)).toBe(SECOND);
  const byTime = await resolveBasis(app.db, { knownAt: before.recordedAt! });
  expect(byTime.position).toBe(before.position);
  expect(text((await valueAt(app.db, 'mK9pX3rQ7n', 'safety-level', T('2026-03'), byTime.position)).fact)).toBe(SECOND);
  // The timeline at either time has both facts in valid-time order.
  expect((await timelineAt(app.db, 'mK9pX3rQ7n', 'safety-level', before.position)).map((f) => f.asOf)).toEqual(['2025-05', '2026-02']);
});

it('rejects a stale expected version with CONFLICT and changes nothing', async () => {
  const head = (await resolveBasis(app.db)).position;
  await expect(
    app.commands.execute({ type: 'CorrectFact', id: 'f_asl_2026', set: { notes: 'x' } }, { expectedVersion: 1 }),
  ).rejects.toMatchObject({ code: 'CONFLICT', details: { expectedVersion: 1, actualVersion: 2 } });
  expect((await resolveBasis(app.db)).position).toBe(head);
});

it('rebuilds every read model from the log to the same rows', async () => {
  const report = await rebuildReadModels(app.db);
  expect(report.events).toBeGreaterThan(6);
  expect(report.tables.filter((t) => !t.equal)).toEqual([]);
  expect(report.equal).toBe(true);
  // And it notices a read model that drifted from the log.
  await app.db.updateTable('facts').set({ notes: 'edited behind the log' }).where('id', '=', 'f_asl_2025').execute();
  const drifted = await rebuildReadModels(app.db, { dryRun: true });
  expect(drifted.equal).toBe(false);
  expect(drifted.tables.filter((t) => !t.equal).map((t) => t.table)).toEqual(['facts']);
  // A real rebuild repairs it.
  expect((await rebuildReadModels(app.db)).equal).toBe(false);
  expect((await rebuildReadModels(app.db, { dryRun: true })).equal).toBe(true);
});

it('keeps an old slug resolving after a rename, even when the aliases are later cleared', async () => {
  await app.commands.execute({ type: 'RenameEntity', entity: 'anthropic', newSlug: 'anthropic-pbc' });
  await app.commands.execute({ type: 'UpdateEntity', entity: 'anthropic-pbc', unset: ['aliases'] });
  expect(await resolveEntityId(app.db, 'anthropic')).toBe('mK9pX3rQ7n');
  expect(await resolveEntityId(app.db, 'anthropic-pbc')).toBe('mK9pX3rQ7n');
  expect((await rebuildReadModels(app.db, { dryRun: true })).equal).toBe(true);
});
