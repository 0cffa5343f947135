import { createSeededGateway, type TestGateway } from '../support/gateway';

// Entity.explain: every fact of a property with why it is, or is not, the value; the same choice as
// value and valueWithConflicts, at any (asOf, position).
let g: TestGateway;
const positions: Record<string, string> = {};
const ENTITY = 'explainE01';
const SOURCE = 'https://example.org/explain-source';

beforeAll(async () => {
  g = await createSeededGateway();
  const c = g.app.commands;
  await c.execute({ type: 'RegisterPublication', id: 'explain-pub', fields: { name: 'Explain Pub', credibility: 4 } });
  await c.execute({ type: 'RegisterSource', fields: { url: SOURCE, title: 'Explain source', type: 'web', publicationId: 'explain-pub' } });
  await c.execute({ type: 'DefineProperty', id: 'headcount', fields: { name: 'Headcount', dataType: 'number', temporal: true } });
  await c.execute({ type: 'RegisterEntity', id: ENTITY, fields: { slug: 'explain-e', name: 'Explain E', type: 'organization' } });
  const assert = async (id: string, value: number, asOf: string, more: Record<string, unknown> = {}) => {
    const r = await c.execute({ type: 'AssertFact', id, entity: 'explain-e', property: 'headcount', value, asOf, ...more });
    positions[id] = String(r.position);
  };
  await assert('f_exOld0001', 10, '2024', { citations: [{ source: SOURCE }] });
  await assert('f_exPref001', 20, '2025-10', { rank: 'preferred' });
  await assert('f_exPref002', 21, '2025-10-01', { rank: 'preferred' });
  await assert('f_exNorm001', 22, '2025-10');
  await assert('f_exNext001', 30, '2026');
  await assert('f_exEnded01', 40, '2025-06', { validEnd: '2025-09' });
  await assert('f_exDepr001', 50, '2025-11');
  positions.deprecated = String((await c.execute({ type: 'DeprecateFact', id: 'f_exDepr001' })).position);
  await assert('f_exGone001', 60, '2025-03');
  positions.before = String((await g.app.store.head()).position);
  positions.retracted = String((await c.execute({ type: 'RetractFact', id: 'f_exGone001', reason: 'wrong' })).position);
  await assert('f_exLate001', 70, '2025-05');
});
afterAll(() => g.dispose());

const EXPLAIN = `query($asOf: PartialDate, $atPosition: String, $property: ID!, $entity: ID!) {
  entity(id: $entity) {
    explain(property: $property, asOf: $asOf, atPosition: $atPosition) {
      value { id } conflicts { id }
      candidates { fact { id } outcome reason decidedAt decidedBy { id } sources { url credibility { rating label } } }
    }
    value(property: $property, asOf: $asOf, atPosition: $atPosition) { id }
    valueWithConflicts(property: $property, asOf: $asOf, atPosition: $atPosition) { fact { id } conflicts { id } }
  }
}`;

type Candidate = { fact: { id: string }; outcome: string; reason: string; decidedAt: string[]; decidedBy: { id: string } | null };

async function explain(vars: Record<string, unknown>) {
  const r = await g.gql(EXPLAIN, { entity: ENTITY, property: 'headcount', ...vars });
  expect(r.errors).toBeUndefined();
  const e = r.data.entity;
  // The same decision as value and valueWithConflicts, whatever the times.
  expect(e.explain.value).toEqual(e.value);
  expect({ fact: e.explain.value, conflicts: e.explain.conflicts }).toEqual(e.valueWithConflicts);
  const candidates = e.explain.candidates as (Candidate & { sources: unknown[] })[];
  expect(candidates.filter((c) => c.outcome === 'CHOSEN').map((c) => c.fact)).toEqual(e.value ? [e.value] : []);
  return { ...e.explain, outcomes: Object.fromEntries(candidates.map((c) => [c.fact.id, c.outcome])), candidates };
}

it('says why each fact is or is not the value as of 2025-12 at the head', async () => {
  const x = await explain({ asOf: '2025-12' });
  expect(x.value).toEqual({ id: 'f_exPref001' });
  expect(x.conflicts).toEqual([{ id: 'f_exPref002' }]);
  expect(x.outcomes).toEqual({
    f_exPref001: 'CHOSEN',
    f_exPref002: 'TIED',
    f_exNorm001: 'OUTRANKED',
    f_exOld0001: 'SUPERSEDED',
    f_exNext001: 'NOT_VALID_YET',
    f_exEnded01: 'ENDED',
    f_exDepr001: 'DEPRECATED',
    f_exGone001: 'RETRACTED',
    f_exLate001: 'SUPERSEDED',
  });
  // CHOSEN first, then in the outcome enum's order.
  expect(x.candidates.map((c: Candidate) => c.outcome).slice(0, 4)).toEqual(['CHOSEN', 'TIED', 'OUTRANKED', 'SUPERSEDED']);
  const by = (id: string) => x.candidates.find((c: Candidate) => c.fact.id === id)!;
  expect(by('f_exOld0001')).toMatchObject({
    reason: "asOf 2024 is earlier than f_exPref001's asOf 2025-10",
    decidedAt: [positions.f_exOld0001, positions.f_exPref001],
    decidedBy: { id: 'f_exPref001' },
    sources: [{ url: SOURCE, credibility: { rating: 4, label: 'High' } }],
  });
  expect(by('f_exGone001').decidedAt).toEqual([positions.retracted]);
  expect(by('f_exDepr001').decidedAt).toEqual([positions.deprecated]);
  expect(by('f_exNext001').reason).toBe('asOf 2026 starts after 2025-12');
});

it('at an earlier position, a later retraction is undone and a later assertion is NOT_YET_ASSERTED', async () => {
  const x = await explain({ asOf: '2025-12', atPosition: positions.before });
  expect(x.outcomes.f_exGone001).toBe('SUPERSEDED');
  expect(x.outcomes.f_exLate001).toBe('NOT_YET_ASSERTED');
  const late = x.candidates.find((c: Candidate) => c.fact.id === 'f_exLate001')!;
  expect(late.decidedAt).toEqual([positions.f_exLate001]);
  expect(Number(late.decidedAt[0])).toBeGreaterThan(Number(positions.before));
  // Without asOf ("now", after 2026), the 2026 fact wins.
  expect((await explain({})).value).toEqual({ id: 'f_exNext001' });
  expect((await explain({ asOf: '2023' })).value).toBeNull();
});

it('explains the wiki’s safety levels: the first ended by its validEnd once the second starts', async () => {
  const at = async (asOf: string) => (await explain({ entity: 'anthropic', property: 'safety-level', asOf })).outcomes;
  expect(await at('2026-03')).toEqual({ f_R59LmVVzcw: 'CHOSEN', f_BnkEWenniQ: 'ENDED' });
  expect(await at('2025-12')).toEqual({ f_BnkEWenniQ: 'CHOSEN', f_R59LmVVzcw: 'NOT_VALID_YET' });
});

it('an unknown property is NOT_FOUND, with a hint', async () => {
  const r = await g.gql(`{ entity(id: "${ENTITY}") { explain(property: "headcont") { value { id } } } }`);
  expect(r.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  expect(r.errors?.[0].message).toContain('did you mean "headcount"');
});
