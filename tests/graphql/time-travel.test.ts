import { createSeededGateway, type TestGateway } from '../support/gateway';

const FIRST = 'ASL-3 (Opus 4+), ASL-2 (Sonnet/Haiku)';
const SECOND = 'ASL-3 (Opus 4, Opus 4.5, Opus 4.6), ASL-2 (Sonnet, Haiku)';
const VALUE = `query V($asOf: PartialDate, $knownAt: DateTime, $atPosition: String) {
  entity(id: "anthropic") { value(property: "safety-level", asOf: $asOf, knownAt: $knownAt, atPosition: $atPosition) { id displayValue asOfLabel version } }
}`;

let g: TestGateway;
beforeAll(async () => {
  g = await createSeededGateway();
});
afterAll(() => g.dispose());

const valueOf = async (vars: Record<string, unknown>) => {
  const r = await g.gql(VALUE, vars);
  expect(r.errors).toBeUndefined();
  return r.data.entity.value as { id: string; displayValue: string; asOfLabel: string; version: number } | null;
};

it('answers the value as of a valid time', async () => {
  expect((await valueOf({ asOf: '2025-12' }))?.displayValue).toBe(FIRST);
  expect((await valueOf({ asOf: '2026-03' }))?.displayValue).toBe(SECOND);
  expect(await valueOf({ asOf: '2024' })).toBeNull();
  expect((await valueOf({ asOf: '2025' }))?.asOfLabel).toBe('May 2025');
});

it('inherits pins from the parent field unless the field sets its own', async () => {
  const r = await g.gql(`{
    entity(id: "E22", asOf: "2025-12") {
      inherited: value(property: "safety-level") { displayValue }
      own: value(property: "safety-level", asOf: "2026-03") { displayValue }
    }
  }`);
  expect(r.errors).toBeUndefined();
  expect(r.data.entity.inherited.displayValue).toBe(FIRST);
  expect(r.data.entity.own.displayValue).toBe(SECOND);
});

it('keeps the old value for knownAt and atPosition from before a correction, and rejects a stale version', async () => {
  const before = await g.gql('{ fact(id: "f_R59LmVVzcw") { version position recordedAt } }');
  const { version, recordedAt } = before.data.fact;
  const basisBefore = before.extensions!.basis!.position;
  await new Promise((r) => setTimeout(r, 5));

  const corrected = await g.gql(
    `mutation C($v: Int!) {
    correctFact(input: { id: "f_R59LmVVzcw", expectedVersion: $v, set: { value: "ASL-3 (all models)" }, reason: "test" }) {
      position fact { version displayValue }
    }
  }`,
    { v: version },
  );
  expect(corrected.errors).toBeUndefined();
  expect(corrected.data.correctFact.fact).toEqual({ version: version + 1, displayValue: 'ASL-3 (all models)' });
  expect(Number(corrected.data.correctFact.position)).toBeGreaterThan(Number(basisBefore));

  expect((await valueOf({ asOf: '2026-03' }))?.displayValue).toBe('ASL-3 (all models)');
  expect((await valueOf({ asOf: '2026-03', knownAt: recordedAt }))?.displayValue).toBe(SECOND);
  expect((await valueOf({ asOf: '2026-03', atPosition: basisBefore }))?.displayValue).toBe(SECOND);
  const pinned = await g.gql(
    `query($p: String) { entity(id: "anthropic", atPosition: $p) { value(property: "safety-level", asOf: "2026-03") { displayValue } } }`,
    { p: basisBefore },
  );
  expect(pinned.data.entity.value.displayValue).toBe(SECOND);
  expect(pinned.extensions!.basis!.position).toBe(basisBefore);

  const headBefore = (await g.app.store.head()).position;
  const stale = await g.gql(
    `mutation { correctFact(input: { id: "f_R59LmVVzcw", expectedVersion: ${version}, set: { notes: "x" } }) { position } }`,
  );
  expect(stale.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', expectedVersion: version, actualVersion: version + 1 });
  expect((await g.app.store.head()).position).toBe(headBefore);

  // The fact's history shows each version with who, when and why.
  const history = await g.gql('{ fact(id: "f_R59LmVVzcw") { history { type version actor reason } } }');
  expect(history.data.fact.history).toEqual([
    { type: 'FactAsserted', version: 1, actor: 'seed', reason: 'seed source-page-example' },
    { type: 'FactCorrected', version: 2, actor: 'tester', reason: 'test' },
  ]);
});

it('lists the changes between two transaction times', async () => {
  const start = new Date(Date.now() - 60_000).toISOString();
  const r = await g.gql(`query($from: DateTime!) { changes(fromKnownAt: $from) { totalCount nodes { kind actor fact { id } } } }`, {
    from: start,
  });
  expect(r.errors).toBeUndefined();
  const kinds = r.data.changes.nodes.map((c: { kind: string; fact: { id: string } }) => `${c.kind}:${c.fact.id}`);
  expect(kinds).toEqual(['ASSERTED:f_BnkEWenniQ', 'ASSERTED:f_R59LmVVzcw', 'CORRECTED:f_R59LmVVzcw']);
  expect(r.data.changes.totalCount).toBe(3);
});
