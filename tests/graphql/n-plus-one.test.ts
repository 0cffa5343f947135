import { clearThingCache } from '../../src/graphql/thing-cache';
import { createTestGateway, type TestGateway } from '../support/gateway';

// Relations go through per-request DataLoaders: the statement count of a query must not grow with
// the number of rows it returns.
let g: TestGateway;

beforeAll(async () => {
  g = await createTestGateway();
  const c = g.app.commands;
  await c.execute({ type: 'RegisterPublication', id: 'pub', fields: { name: 'Pub', credibility: 3 } });
  await c.execute({
    type: 'DefineProperty',
    id: 'score',
    fields: { name: 'Score', dataType: 'number', temporal: true, stalenessDays: 365 },
  });
  for (let e = 0; e < 5; e++) {
    await c.execute({
      type: 'RegisterEntity',
      id: `ent00000${e}x`.slice(0, 10),
      fields: { slug: `e${e}`, name: `Entity ${e}`, type: 'organization' },
    });
    await c.execute({
      type: 'CreatePage',
      slug: `page-${e}`,
      fields: { title: `Page ${e}`, quality: 50 + e, entityId: `ent00000${e}x`.slice(0, 10) },
    });
  }
  for (let i = 0; i < 100; i++) {
    const url = `https://example.org/doc/${String(i).padStart(3, '0')}`;
    await c.execute({ type: 'RegisterSource', fields: { url, title: `Doc ${i}`, type: 'paper', publicationId: 'pub' } });
    await c.execute({ type: 'CiteSource', page: `page-${i % 5}`, source: url });
    await c.execute({
      type: 'AssertFact',
      entity: `e${i % 5}`,
      property: 'score',
      value: i,
      asOf: String(2000 + (i % 20)),
      citations: [{ source: url }],
    });
  }
});
afterAll(() => g.dispose());

const QUERY = `query($n: Int) {
  sources(first: $n) {
    totalCount
    nodes {
      id title credibility { rating inheritedFrom { name } } publication { name }
      citedBy(first: 5) { totalCount nodes { title type quality entity { name } } }
      facts { totalCount nodes { displayValue asOfLabel entity { name } property { name } sources { id } } }
    }
  }
}`;

it('100 sources with citing pages and facts cost the same few statements as 10', async () => {
  // Both cold: states cached by the first request must not hide statements from the second.
  clearThingCache(g.app.db);
  const ten = await g.counted(QUERY, { n: 10 });
  clearThingCache(g.app.db);
  const hundred = await g.counted(QUERY, { n: 100 });
  expect(ten.result.errors).toBeUndefined();
  expect(hundred.result.errors).toBeUndefined();
  expect(hundred.result.data.sources.nodes).toHaveLength(100);
  const doc42 = hundred.result.data.sources.nodes.find((s: { title: string }) => s.title === 'Doc 42');
  expect(doc42.citedBy).toMatchObject({ totalCount: 1, nodes: [{ title: 'Page 2', quality: 52, entity: { name: 'Entity 2' } }] });
  expect(doc42.facts.nodes).toMatchObject([
    { displayValue: '42', asOfLabel: '2002', entity: { name: 'Entity 2' }, property: { name: 'Score' } },
  ]);
  expect(hundred.statements).toBe(ten.statements);
  expect(hundred.statements).toBeLessThanOrEqual(15);
});

const EXPLAIN = `query($n: Int) {
  entities(first: $n) {
    nodes {
      name
      explain(property: "score", asOf: "2010") {
        value { id displayValue }
        candidates { outcome reason decidedAt fact { id } sources { title credibility { rating } } }
      }
    }
  }
}`;

it('explain on 5 entities costs the same statements as on 2', async () => {
  clearThingCache(g.app.db);
  const two = await g.counted(EXPLAIN, { n: 2 });
  clearThingCache(g.app.db);
  const five = await g.counted(EXPLAIN, { n: 5 });
  expect(two.result.errors).toBeUndefined();
  expect(five.result.errors).toBeUndefined();
  const nodes = five.result.data.entities.nodes as { explain: { value: { displayValue: string }; candidates: { outcome: string }[] } }[];
  expect(nodes).toHaveLength(5);
  // Entity 0 has 20 scores, five each dated 2000, 2005, 2010 and 2015: as of 2010 the five of 2010 tie.
  const counts = (outcomes: { outcome: string }[]) =>
    outcomes.reduce<Record<string, number>>((acc, c) => ({ ...acc, [c.outcome]: (acc[c.outcome] ?? 0) + 1 }), {});
  expect(counts(nodes[0].explain.candidates)).toEqual({ CHOSEN: 1, TIED: 4, SUPERSEDED: 10, NOT_VALID_YET: 5 });
  for (const n of nodes) expect(n.explain.candidates).toHaveLength(20);
  expect(five.statements).toBe(two.statements);
});

const FRESHNESS = `query($n: Int) {
  facts(first: $n) { nodes { id entity { slug } freshness { since dueAt overdue } } }
  stalePages { totalCount }
}`;

it('freshness of 100 facts costs the same statements as of 10', async () => {
  clearThingCache(g.app.db);
  const ten = await g.counted(FRESHNESS, { n: 10 });
  clearThingCache(g.app.db);
  const hundred = await g.counted(FRESHNESS, { n: 100 });
  expect(hundred.result.errors).toBeUndefined();
  const nodes = hundred.result.data.facts.nodes as { entity: { slug: string }; freshness: { since: string; overdue: boolean } }[];
  expect(nodes).toHaveLength(100);
  // Entity k's scores are dated 2000 + (i % 20) for i ≡ k (mod 5): its series' latest asOf is 2015 + k.
  for (const f of nodes) expect(f.freshness.since).toBe(String(2015 + Number(f.entity.slug.slice(1))));
  expect(nodes.every((f) => f.freshness.overdue)).toBe(true);
  expect(hundred.statements).toBe(ten.statements);
});

const VERIFICATION = `query($n: Int) {
  facts(first: $n) { nodes { id verification { verdict needsRecheck evidence { checkedBy source { title } } } } }
}`;
const SUMMARY = `query($n: Int) { entities(first: $n) { nodes { verificationSummary { confirmed unchecked needsRecheck } } } }`;

it('verification of 100 facts costs the same statements as of 10', async () => {
  const all = await g.gql(`{ facts(first: 100) { nodes { id citations { source { id } } } } }`);
  const facts = all.data.facts.nodes as { id: string; citations: { source: { id: string } }[] }[];
  // Every other fact confirmed by its own cited source (no captured content, so no hash needed).
  for (const f of facts.filter((_, i) => i % 2 === 0)) {
    await g.app.commands.execute({
      type: 'RecordEvidence',
      target: `fact:${f.id}`,
      source: f.citations[0]!.source.id,
      evidence: { verdict: 'confirmed', confidence: 0.8, checkedBy: 'bot' },
    });
  }
  clearThingCache(g.app.db);
  const ten = await g.counted(VERIFICATION, { n: 10 });
  clearThingCache(g.app.db);
  const hundred = await g.counted(VERIFICATION, { n: 100 });
  expect(hundred.result.errors).toBeUndefined();
  const nodes = hundred.result.data.facts.nodes as { verification: { verdict: string; evidence: { source: { title: string } }[] } }[];
  expect(nodes.filter((n) => n.verification.verdict === 'CONFIRMED')).toHaveLength(50);
  expect(nodes.filter((n) => n.verification.verdict === 'UNCHECKED')).toHaveLength(50);
  expect(hundred.statements).toBe(ten.statements);

  clearThingCache(g.app.db);
  const one = await g.counted(SUMMARY, { n: 1 });
  clearThingCache(g.app.db);
  const five = await g.counted(SUMMARY, { n: 5 });
  expect(five.statements).toBe(one.statements);
  const summaries = (five.result.data.entities.nodes as { verificationSummary: { confirmed: number; unchecked: number } }[]).map(
    (e) => e.verificationSummary.confirmed + e.verificationSummary.unchecked,
  );
  // Only facts valid now count: each entity's latest asOf (2015 + k) holds 5 of its 20 scores.
  expect(summaries).toEqual([5, 5, 5, 5, 5]);
});
