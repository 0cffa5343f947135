import { createCliStore, ensureBuilt, gatewayOver, runAudit, type CliStore } from './cli-support';
import { ANTHROPIC_ID, CORRECTED_VALUE, NEW_FACT, runScenario, SEED_VALUES, SOURCE_ID, SOURCE_URL, type Scenario } from './scenario';

// `audit replay --at/--known-at` rebuilds the past from the log alone; it must agree with what the API
// answered (from the live bitemporal tables) about that moment.

const TIMELINE = `query T($p: String) {
  entity(id: "anthropic") { timeline(property: "safety-level", atPosition: $p) { id displayValue version rank } }
}`;
const SOURCE = `query S($p: String) {
  source(id: "${SOURCE_ID}", atPosition: $p) { id version title citedBy(first: 100) { nodes { slug } } facts(first: 100) { nodes { id } } }
}`;

interface CliFact {
  id: string;
  property: string;
  value: string;
  asOf: string | null;
  validEnd: string | null;
  rank: string;
  version: number;
}

// Each CLI run opens the store afresh (several seconds on PGlite under load).
jest.setTimeout(300_000);

let store: CliStore;
let scenario: Scenario;
/** What the API said, captured while the store was open. */
let api: {
  before: { timeline: { id: string; displayValue: string; version: number; rank: string }[]; value: string; source: any };
  now: { timeline: { id: string; displayValue: string; version: number; rank: string }[]; source: any };
};
let P: number;

beforeAll(async () => {
  await ensureBuilt();
  store = await createCliStore();
  await store.with(async (app) => {
    scenario = await runScenario(app.commands, app.db);
    P = scenario.steps.assertRumor.position; // after the rumour, before the correction, retraction, merge and rename
    const g = await gatewayOver(app);
    try {
      const q = async (query: string, variables: Record<string, unknown>) => {
        const r = await g.gql(query, variables);
        expect(r.errors).toBeUndefined();
        return r.data as any;
      };
      const value = await q(
        `query($p: String) { entity(id: "anthropic") { value(property: "safety-level", asOf: "2026-03", atPosition: $p) { displayValue } } }`,
        { p: String(P) },
      );
      api = {
        before: {
          timeline: (await q(TIMELINE, { p: String(P) })).entity.timeline,
          value: value.entity.value.displayValue,
          source: (await q(SOURCE, { p: String(P) })).source,
        },
        now: { timeline: (await q(TIMELINE, {})).entity.timeline, source: (await q(SOURCE, {})).source },
      };
    } finally {
      await g.stop();
    }
  });
}, 300_000);
afterAll(() => store?.dispose());

const replay = async (...args: string[]) => {
  const r = await runAudit(['replay', ...args, '--json'], store.env);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
};
const asApi = (facts: CliFact[]) => facts.map((f) => ({ id: f.id, displayValue: f.value, version: f.version, rank: f.rank }));

it('the API’s answers differ before and after the later changes (so the comparison means something)', () => {
  expect(api.before.timeline).toEqual([
    { id: 'f_BnkEWenniQ', displayValue: SEED_VALUES.f_BnkEWenniQ, version: 1, rank: 'normal' },
    { id: 'f_R59LmVVzcw', displayValue: SEED_VALUES.f_R59LmVVzcw, version: 1, rank: 'normal' },
    { id: NEW_FACT, displayValue: 'ASL-4 (all models)', version: 1, rank: 'normal' },
  ]);
  expect(api.before.value).toBe(SEED_VALUES.f_R59LmVVzcw);
  expect(api.now.timeline).toEqual([
    { id: 'f_BnkEWenniQ', displayValue: SEED_VALUES.f_BnkEWenniQ, version: 3, rank: 'deprecated' },
    { id: 'f_R59LmVVzcw', displayValue: CORRECTED_VALUE, version: 3, rank: 'normal' },
  ]);
});

it('replay --at P --entity reproduces the entity and the facts the API gave at P', async () => {
  const r = await replay('--at', String(P), '--entity', 'anthropic');
  expect(r.position).toBe(P);
  expect(r.events).toBe(P);
  expect(r.tables).toBeUndefined();
  expect(asApi(r.facts)).toEqual(api.before.timeline);
  expect(r.facts.map((f: CliFact) => f.property)).toEqual(['safety-level', 'safety-level', 'safety-level']);
  // The entity as it was then: before the rename, so without the old slug as an alias.
  expect(r.entity).toEqual({
    id: ANTHROPIC_ID,
    version: 1,
    fields: { slug: 'anthropic', name: 'Anthropic', type: 'organization', numericId: 'E22', aliases: ['Anthropic PBC', 'Anthropic AI'] },
  });
  // The stable id names the same entity.
  expect(asApi((await replay('--at', String(P), '--entity', ANTHROPIC_ID)).facts)).toEqual(api.before.timeline);
});

it('replay --known-at the time of P gives the same state as --at P', async () => {
  const at = scenario.steps.assertRumor.recordedAt.toISOString();
  const r = await replay('--known-at', at, '--entity', 'E22');
  expect(r.position).toBe(P);
  expect(r.recordedAt).toBe(at);
  expect(asApi(r.facts)).toEqual(api.before.timeline);
  // One millisecond earlier the rumour was not yet known.
  const earlier = await replay(
    '--known-at',
    new Date(scenario.steps.assertRumor.recordedAt.getTime() - 1).toISOString(),
    '--entity',
    'anthropic',
  );
  expect(earlier.position).toBeLessThan(P);
  expect(earlier.facts.map((f: CliFact) => f.id)).toEqual(['f_BnkEWenniQ', 'f_R59LmVVzcw']);
});

it('replay at the head agrees with the API now, and knows the entity by its new slug', async () => {
  const r = await runAudit(['replay', '--entity', 'anthropic-pbc', '--json'], store.env);
  expect(r.code).toBe(0);
  const report = JSON.parse(r.stdout);
  expect(report.position).toBe(scenario.head);
  expect(report.tables.every((t: { equal: boolean }) => t.equal)).toBe(true);
  expect(asApi(report.facts)).toEqual(api.now.timeline);
  expect(report.entity.fields).toMatchObject({ slug: 'anthropic-pbc', aliases: ['Anthropic PBC', 'Anthropic AI', 'anthropic'] });
  expect(report.entity.version).toBe(2);
});

it('replay --source reproduces the source, the pages citing it and the facts citing it, then and now', async () => {
  const then = await replay('--at', String(P), '--source', SOURCE_URL);
  expect(then.source).toMatchObject({ id: SOURCE_ID, version: api.before.source.version, fields: { title: api.before.source.title } });
  expect(then.source.content).toMatchObject({ length: 13312 });
  expect(then.source.content.text).toBeUndefined();
  expect(then.citedBy).toEqual(api.before.source.citedBy.nodes.map((p: { slug: string }) => p.slug));
  expect(then.citedBy).toHaveLength(6);

  // After the merge the duplicate's citing page counts for the original, as the API says.
  const now = await replay('--source', SOURCE_ID);
  expect(now.source.mergedFrom).toHaveLength(1);
  expect(now.citedBy).toEqual(api.now.source.citedBy.nodes.map((p: { slug: string }) => p.slug));
  expect(now.citedBy).toContain('asl-levels');
  expect(now.citedBy).toHaveLength(7);
});

it('facts citing the source at P match the API (deprecated ones included by the CLI)', async () => {
  const then = await replay('--at', String(P), '--source', SOURCE_ID);
  expect(then.factsCiting.map((f: CliFact) => f.id).sort()).toEqual(api.before.source.facts.nodes.map((f: { id: string }) => f.id).sort());
  const now = await replay('--source', SOURCE_ID);
  // The API leaves deprecated facts out of Source.facts; the audit lists them with their rank.
  expect(
    now.factsCiting
      .filter((f: CliFact) => f.rank !== 'deprecated')
      .map((f: CliFact) => f.id)
      .sort(),
  ).toEqual(api.now.source.facts.nodes.map((f: { id: string }) => f.id).sort());
  expect(now.factsCiting.map((f: CliFact) => [f.id, f.rank])).toEqual(expect.arrayContaining([['f_BnkEWenniQ', 'deprecated']]));
});
