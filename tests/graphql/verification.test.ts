import { createHash } from 'node:crypto';
import { createTestGateway, type TestGateway } from '../support/gateway';

// Verification through GraphQL (docs/domain.md, "Verification"): evidence recorded per (fact, source),
// the fact's verdict at any position, needsRecheck turning on by itself when a checked source's
// content changes or the fact's citations change, and the entity's summary and facts filters.
let g: TestGateway;
let factId = '';
const URL_A = 'https://example.org/anthropic-revenue';
const URL_B = 'https://example.org/anthropic-10k';
const TEXT_1 = 'Anthropic reached a $9B revenue run rate in December 2025.';
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

const head = async () => String((await g.app.store.head()).position);

const VERIFICATION = `query($at: String) {
  entity(id: "anthropic", atPosition: $at) {
    facts(property: "revenue") { nodes { id verification { target verdict confidence needsRecheck
      evidence { source { id title } verdict quote locator confidence reasoning checkedBy checkedAt contentHash } } } }
    verificationSummary { confirmed contradicted unverifiable outdated partial unchecked needsRecheck }
  }
}`;
const factAt = async (at?: string) => {
  const r = await g.gql(VERIFICATION, at === undefined ? {} : { at });
  expect(r.errors).toBeUndefined();
  return r.data.entity as {
    facts: { nodes: { verification: Record<string, unknown> & { evidence: unknown[] } }[] };
    verificationSummary: Record<string, number>;
  };
};

const record = (fields: string) =>
  g.gql(
    `mutation { recordEvidence(input: { target: "fact:${factId}", ${fields} }) { position verification { verdict confidence needsRecheck } } }`,
  );

beforeAll(async () => {
  g = await createTestGateway();
  const c = g.app.commands;
  await c.execute({ type: 'RegisterEntity', fields: { slug: 'anthropic', name: 'Anthropic', type: 'organization' } });
  await c.execute({ type: 'DefineProperty', id: 'revenue', fields: { name: 'Revenue', dataType: 'number', unit: 'USD' } });
  await c.execute({ type: 'RegisterSource', fields: { url: URL_A, title: 'Revenue report', type: 'web' } });
  await c.execute({ type: 'RegisterSource', fields: { url: URL_B, title: '10-K', type: 'report' } });
  await c.execute({ type: 'CaptureSourceContent', source: URL_A, content: { text: TEXT_1 } });
  const asserted = await c.execute({
    type: 'AssertFact',
    entity: 'anthropic',
    property: 'revenue',
    value: 9e9,
    asOf: '2025-12',
    citations: [{ source: URL_A }],
  });
  factId = asserted.id;
});
afterAll(() => g?.dispose());

it('a fact without evidence is unchecked and needs no recheck', async () => {
  const e = await factAt();
  expect(e.facts.nodes[0]!.verification).toEqual({
    target: `fact:${factId}`,
    verdict: 'UNCHECKED',
    confidence: null,
    needsRecheck: false,
    evidence: [],
  });
  expect(e.verificationSummary).toEqual({
    confirmed: 0,
    contradicted: 0,
    unverifiable: 0,
    outdated: 0,
    partial: 0,
    unchecked: 1,
    needsRecheck: 0,
  });
});

let beforeEvidence = '';
let afterEvidence = '';

it('records evidence; the verdict and who checked which version show at the fact, and before it the fact is unchecked', async () => {
  beforeEvidence = await head();
  const r = await record(
    `source: "${URL_A}", verdict: CONFIRMED, confidence: 0.9, checkedBy: "claude-opus-4", quote: "$9B revenue run rate", locator: "para 1", reasoning: "states it", contentHash: "${sha(TEXT_1)}", checkedAt: "2026-01-02T03:04:05Z"`,
  );
  expect(r.errors).toBeUndefined();
  expect(r.data.recordEvidence.verification).toEqual({ verdict: 'CONFIRMED', confidence: 0.9, needsRecheck: false });
  afterEvidence = r.data.recordEvidence.position;

  const e = await factAt();
  expect(e.facts.nodes[0]!.verification.evidence).toEqual([
    {
      source: { id: expect.any(String), title: 'Revenue report' },
      verdict: 'CONFIRMED',
      quote: '$9B revenue run rate',
      locator: 'para 1',
      confidence: 0.9,
      reasoning: 'states it',
      checkedBy: 'claude-opus-4',
      checkedAt: '2026-01-02T03:04:05.000Z',
      contentHash: sha(TEXT_1),
    },
  ]);
  expect(e.verificationSummary).toMatchObject({ confirmed: 1, unchecked: 0, needsRecheck: 0 });
  const then = await factAt(beforeEvidence);
  expect(then.facts.nodes[0]!.verification).toMatchObject({ verdict: 'UNCHECKED', evidence: [] });

  const confirmed = await g.gql(
    `{ entity(id: "anthropic") { facts(verdict: CONFIRMED) { totalCount } unchecked: facts(verdict: UNCHECKED) { totalCount } } }`,
  );
  expect(confirmed.data.entity).toEqual({ facts: { totalCount: 1 }, unchecked: { totalCount: 0 } });
});

it('new content for the checked source turns needsRecheck on; the position before keeps its answer', async () => {
  await g.app.commands.execute({ type: 'CaptureSourceContent', source: URL_A, content: { text: `${TEXT_1} (updated)` } });
  const e = await factAt();
  expect(e.facts.nodes[0]!.verification).toMatchObject({ verdict: 'CONFIRMED', needsRecheck: true });
  expect(e.verificationSummary.needsRecheck).toBe(1);
  expect((await factAt(afterEvidence)).facts.nodes[0]!.verification.needsRecheck).toBe(false);
  const filtered = await g.gql(
    `{ entity(id: "anthropic") { facts(needsRecheck: true) { nodes { id } } fresh: facts(needsRecheck: false) { totalCount } } }`,
  );
  expect(filtered.data.entity).toEqual({ facts: { nodes: [{ id: factId }] }, fresh: { totalCount: 0 } });

  // Checking again against the new version clears it.
  const again = await record(
    `source: "${URL_A}", verdict: CONFIRMED, confidence: 0.9, checkedBy: "claude-opus-4", contentHash: "${sha(`${TEXT_1} (updated)`)}"`,
  );
  expect(again.data.recordEvidence.verification).toEqual({ verdict: 'CONFIRMED', confidence: 0.9, needsRecheck: false });
});

it('a citation added after the check turns needsRecheck on; evidence from the new source decides the verdict', async () => {
  await g.app.commands.execute({ type: 'AddFactCitation', id: factId, citation: { source: URL_B } });
  expect((await factAt()).facts.nodes[0]!.verification).toMatchObject({ needsRecheck: true });
  const r = await record(`source: "${URL_B}", verdict: CONTRADICTED, confidence: 0.95, checkedBy: "alice"`);
  expect(r.errors).toBeUndefined();
  expect(r.data.recordEvidence.verification).toEqual({ verdict: 'CONTRADICTED', confidence: 0.95, needsRecheck: false });
  const summary = (await factAt()).verificationSummary;
  expect(summary).toMatchObject({ confirmed: 0, contradicted: 1, needsRecheck: 0 });

  const withdrawn = await g.gql(
    `mutation { withdrawEvidence(input: { target: "fact:${factId}", source: "${URL_B}" }) { verification { verdict needsRecheck evidence { checkedBy } } } }`,
  );
  expect(withdrawn.errors).toBeUndefined();
  expect(withdrawn.data.withdrawEvidence.verification).toEqual({
    verdict: 'CONFIRMED',
    needsRecheck: true,
    evidence: [{ checkedBy: 'claude-opus-4' }],
  });
});

it('bad input and unknown targets or sources change nothing, with a code and a path', async () => {
  const before = await head();
  const cases: [string, string, string][] = [
    [
      `source: "${URL_A}", verdict: CONFIRMED, confidence: 1.5, checkedBy: "x", contentHash: "${sha('x')}"`,
      'BAD_USER_INPUT',
      'evidence.confidence',
    ],
    [
      `source: "${URL_A}", verdict: UNCHECKED, confidence: 0.5, checkedBy: "x", contentHash: "${sha('x')}"`,
      'BAD_USER_INPUT',
      'evidence.verdict',
    ],
    [`source: "${URL_A}", verdict: CONFIRMED, confidence: 0.5, checkedBy: "x"`, 'BAD_USER_INPUT', 'evidence.contentHash'],
    [`source: "https://nowhere.example", verdict: CONFIRMED, confidence: 0.5, checkedBy: "x"`, 'NOT_FOUND', 'source'],
  ];
  for (const [fields, code, path] of cases) {
    const r = await record(fields);
    expect({
      code: r.errors?.[0]?.extensions?.code,
      path: (r.errors?.[0]?.extensions?.path as string[] | undefined)?.join('.') ?? r.errors?.[0]?.message,
    }).toMatchObject({ code });
    expect(r.errors?.[0]?.message).toContain(path);
  }
  const unknownFact = await g.gql(
    `mutation { recordEvidence(input: { target: "fact:f_nope", source: "${URL_B}", verdict: CONFIRMED, confidence: 0.5, checkedBy: "x" }) { position } }`,
  );
  expect(unknownFact.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  const badTarget = await g.gql(
    `mutation { recordEvidence(input: { target: "page:intro", source: "${URL_B}", verdict: CONFIRMED, confidence: 0.5, checkedBy: "x" }) { position } }`,
  );
  expect(badTarget.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  const notThere = await g.gql(`mutation { withdrawEvidence(input: { target: "fact:${factId}", source: "${URL_B}" }) { position } }`);
  expect(notThere.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  expect(await head()).toBe(before);
});

it('verifies a record field the same way; a field the record does not hold is NOT_FOUND', async () => {
  const c = g.app.commands;
  await c.execute({
    type: 'RegisterRecordSchema',
    id: 'funding-round',
    fields: {
      name: 'Funding round',
      collectionName: 'funding-rounds',
      endpoints: {},
      fields: { amount: { type: 'number' }, date: { type: 'date' } },
    },
  });
  const rec = await c.execute({
    type: 'CreateRecord',
    entity: 'anthropic',
    collection: 'funding-rounds',
    key: 'series-f',
    fields: { amount: 13e9 },
  });
  const target = `record:${rec.id}@amount`;
  const r = await g.gql(
    `mutation { recordEvidence(input: { target: "${target}", source: "${URL_B}", verdict: OUTDATED, confidence: 0.6, checkedBy: "alice" }) {
      verification { target verdict confidence needsRecheck evidence { source { title } } } } }`,
  );
  expect(r.errors).toBeUndefined();
  expect(r.data.recordEvidence.verification).toEqual({
    target,
    verdict: 'OUTDATED',
    confidence: 0.6,
    needsRecheck: false,
    evidence: [{ source: { title: '10-K' } }],
  });
  const before = await head();
  const missing = await g.gql(
    `mutation { recordEvidence(input: { target: "record:${rec.id}@date", source: "${URL_B}", verdict: CONFIRMED, confidence: 0.6, checkedBy: "alice" }) { position } }`,
  );
  expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  expect(await head()).toBe(before);

  // Read back on the record itself, field by field.
  const read = await g.gql(`{ entity(id: "anthropic") { records(collection: "funding-rounds") { nodes {
    amount: verification(field: "amount") { verdict evidence { checkedBy } }
  } } } }`);
  expect(read.errors).toBeUndefined();
  expect(read.data.entity.records.nodes).toEqual([{ amount: { verdict: 'OUTDATED', evidence: [{ checkedBy: 'alice' }] } }]);
  const noField = await g.gql(
    `{ entity(id: "anthropic") { records(collection: "funding-rounds") { nodes { verification(field: "date") { verdict } } } } }`,
  );
  expect(noField.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
});
