import { readFileSync } from 'node:fs';
import path from 'node:path';
import { clearThingCache } from '../../src/graphql/thing-cache';
import { importLongtermWiki } from '../../src/importers/longterm-wiki';
import { DATA_DIR } from '../importers/longterm-wiki-support';
import { createTestGateway, type TestGateway } from '../support/gateway';

// The README's entity page query, against the real data set: its answer is the README's, and a page
// listing many entities with the same fields costs the statements of one.
const README = readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');

/** The first fenced block of `lang` after the paragraph that starts with `marker`. */
function blockAfter(marker: string, lang: string): string {
  const from = README.indexOf(marker);
  expect(from).toBeGreaterThan(-1);
  const start = README.indexOf('```' + lang + '\n', from) + lang.length + 4;
  return README.slice(start, README.indexOf('\n```', start));
}

let g: TestGateway;
beforeAll(async () => {
  g = await createTestGateway();
  const report = await importLongtermWiki(g.app, DATA_DIR, { actor: 'test', reason: 'entity page test' });
  expect(report.completed).toBe(true);
}, 600_000);
afterAll(() => g?.dispose());

it("answers the README's entity page query with the README's answer", async () => {
  const query = blockAfter('**An entity page.**', 'graphql');
  const { data, errors } = await g.gql(query);
  expect(errors).toBeUndefined();
  expect({ data }).toEqual(JSON.parse(blockAfter('**An entity page.**', 'json')));
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
  expect(many.statements).toBe(few.statements);
  expect(many.statements).toBeLessThanOrEqual(14);
});
