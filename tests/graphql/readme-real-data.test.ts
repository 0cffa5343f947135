import { readFileSync } from 'node:fs';
import path from 'node:path';
import { clearThingCache } from '../../src/graphql/thing-cache';
import { importLongtermWiki } from '../../src/importers/longterm-wiki';
import { DATA_DIR } from '../importers/longterm-wiki-support';
import { createTestGateway, type TestGateway } from '../support/gateway';

// The README's walk-throughs on the real data set: the entity page query and the trust questions
// (why this value, who checked it, what leans on its source) answer what the README shows, and a
// page listing many entities with the same fields costs the statements of one.
const README = readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');

/** The fenced blocks of `lang` after the paragraph that starts with `marker`, up to the next bold paragraph. */
function blocksAfter(marker: string, lang: string): string[] {
  const from = README.indexOf(marker);
  expect(from).toBeGreaterThan(-1);
  const next = README.indexOf('\n**', from + marker.length);
  const section = README.slice(from, next === -1 ? undefined : next);
  return [...section.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)\\n```', 'g'))].map((m) => m[1]);
}

/** Runs the section's GraphQL blocks in order; each answer must be the JSON block that follows it. */
async function expectReadmeAnswers(marker: string): Promise<number> {
  const queries = blocksAfter(marker, 'graphql');
  const answers = blocksAfter(marker, 'json');
  expect(queries.length).toBe(answers.length);
  for (const [i, query] of queries.entries()) {
    const { data, errors } = await g.gql(query);
    expect(errors).toBeUndefined();
    expect({ data }).toEqual(JSON.parse(answers[i]));
  }
  return queries.length;
}

let g: TestGateway;
beforeAll(async () => {
  g = await createTestGateway();
  const report = await importLongtermWiki(g.app, DATA_DIR, { actor: 'test', reason: 'entity page test' });
  expect(report.completed).toBe(true);
}, 600_000);
afterAll(() => g?.dispose());

it("answers the README's entity page query with the README's answer", async () => {
  expect(await expectReadmeAnswers('**An entity page.**')).toBe(1);
});

it("answers the README's trust walk-through: why $9B as of 2025-12, who checked it, what its source carries", async () => {
  const head = (await g.app.store.head()).position;
  expect(await expectReadmeAnswers('**Why this value, who checked it')).toBe(4);
  // Only the content and the evidence were written: explain and impact read.
  expect((await g.app.store.head()).position).toBe(head + 2);
  const fact = await g.gql(`{ fact(id: "f_tG6nH1yS3b") { verification { verdict evidence { checkedBy } } } }`);
  expect(fact.data.fact.verification).toEqual({ verdict: 'CONFIRMED', evidence: [{ checkedBy: 'alice' }] });
  // A new version of the source's content makes the check stale by itself.
  await g.app.commands.execute({
    type: 'CaptureSourceContent',
    source: 'https://uk.finance.yahoo.com/news/anthropic-arr-surges-19-billion-151210607.html',
    content: { text: 'A later version of the article.' },
  });
  const stale = await g.gql(`{ fact(id: "f_tG6nH1yS3b") { verification { verdict needsRecheck } } }`);
  expect(stale.data.fact.verification).toEqual({ verdict: 'CONFIRMED', needsRecheck: true });
});

it('serves entity pages in a fixed number of statements, however many entities are listed', async () => {
  const page = `query($n: Int) {
    entities(filter: { type: "organization" }, first: $n) {
      nodes {
        name description entityType { name }
        completeness { missingRequired missingRecommended }
        relations(first: 3) { totalCount nodes { direction relationship entity { name } } }
        records(first: 3) { totalCount nodes { key fields { name value entity { name } } endpoints { name entity { name } } } }
      }
    }
  }`;
  clearThingCache(g.app.db);
  const few = await g.counted(page, { n: 15 });
  clearThingCache(g.app.db);
  const many = await g.counted(page, { n: 40 });
  expect(few.result.errors).toBeUndefined();
  expect(many.result.errors).toBeUndefined();
  expect(many.result.data.entities.nodes).toHaveLength(40);
  // Both pages say something on every part they ask for, so both pay for every level of the query.
  for (const nodes of [few.result.data.entities.nodes, many.result.data.entities.nodes] as {
    completeness: { missingRecommended: string[] };
    relations: { totalCount: number };
    records: { totalCount: number };
  }[][]) {
    expect(nodes.some((n) => n.completeness.missingRecommended.length > 0)).toBe(true);
    expect(nodes.some((n) => n.relations.totalCount > 0)).toBe(true);
    expect(nodes.some((n) => n.records.totalCount > 0)).toBe(true);
  }
  // Relations' other ends, ref fields and endpoints are all entity loads at one position: they land
  // in one batch or in up to three, by which parent statement returns first (timing, on PostgreSQL).
  // An N+1 would cost 25 more for the 25 more entities.
  expect(many.statements).toBeLessThanOrEqual(few.statements + 2);
  expect(Math.max(few.statements, many.statements)).toBeLessThanOrEqual(14);
});
