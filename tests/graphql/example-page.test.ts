import { readFileSync } from 'node:fs';
import path from 'node:path';
import { EXAMPLE_QUERY } from '../../src/playground/example-query';
import { loadSeeds } from '../../src/seed';
import { createSeededGateway, type TestGateway } from '../support/gateway';

// The example query of docs/api.md, against the seeds, must show what ../shared/reference/source-page-example.txt shows.
const REFERENCE = readFileSync(path.resolve(__dirname, '../../../shared/reference/source-page-example.txt'), 'utf8');

let g: TestGateway;
beforeAll(async () => {
  g = await createSeededGateway();
});
afterAll(() => g.dispose());

/** The reference page's table rows: `| a | b | c |` → ['a', 'b', 'c']. */
function tableAfter(heading: RegExp): string[][] {
  const lines = REFERENCE.split('\n');
  const start = lines.findIndex((l) => heading.test(l));
  const rows: string[][] = [];
  for (const line of lines.slice(start + 3)) {
    if (!line.startsWith('|')) break;
    rows.push(
      line
        .split('|')
        .slice(1, -1)
        .map((c) => c.trim()),
    );
  }
  return rows;
}

it('returns exactly what the example page shows', async () => {
  const { data, errors } = await g.gql(EXAMPLE_QUERY);
  expect(errors).toBeUndefined();
  const s = data.source;
  expect(s.id).toBe('7512ddb574f82249');
  expect(s.stableId).toBe('YmFkZjUwMz');
  expect(REFERENCE).toContain(`${s.id} | Stable ID: ${s.stableId}`);
  expect(REFERENCE.startsWith(`${s.title}\n${s.type}Credibility Rating`)).toBe(true);
  expect(s.credibility).toEqual({
    rating: 4,
    label: 'High',
    description: 'High quality. Established institution or organization with editorial oversight and accountability.',
    inheritedFrom: { name: 'Anthropic' },
  });
  expect(REFERENCE).toContain(`${s.credibility.description}\nRating inherited from publication venue: ${s.credibility.inheritedFrom.name}`);
  expect(REFERENCE).toContain(`Summary\n${s.summary}\nKey Points`);
  expect(s.keyPoints).toHaveLength(5);
  for (const point of s.keyPoints) expect(REFERENCE).toContain(`•${point}\n`);

  const pages = tableAfter(/^Cited by 6 pages$/);
  expect(s.citedBy.totalCount).toBe(6);
  expect(REFERENCE).toContain(`Cited by ${s.citedBy.totalCount} pages`);
  const shown = s.citedBy.nodes.map((p: { title: string; type: string; quality: number }) => [p.title, p.type, p.quality.toFixed(1)]);
  expect(shown.sort()).toEqual(pages.sort());

  const facts = tableAfter(/FactBase facts citing this source$/);
  expect(s.facts.totalCount).toBe(2);
  expect(REFERENCE).toContain(`${s.facts.totalCount} FactBase facts citing this source`);
  expect(
    s.facts.nodes.map((f: { entity: { name: string }; property: { name: string }; displayValue: string; asOfLabel: string }) => [
      f.entity.name,
      f.property.name,
      f.displayValue,
      f.asOfLabel,
    ]),
  ).toEqual(facts);

  expect(s.cachedContent.sizeKb).toBe(13);
  expect(REFERENCE).toContain(`(truncated, ${s.cachedContent.sizeKb} KB total)`);
  // At most 400 characters, cut where a word ends and marked with an ellipsis.
  const preview: string = s.cachedContent.preview;
  expect(preview.length).toBeLessThanOrEqual(400);
  expect(preview.length).toBeGreaterThan(380);
  expect(preview.endsWith('…')).toBe(true);
  const previewed = `Cached Content Preview\n${preview.slice(0, -1)}`;
  const at = REFERENCE.indexOf(previewed);
  expect(at).toBeGreaterThan(0);
  expect(REFERENCE[at + previewed.length]).toMatch(/\s/);
});

it('reports the basis it answered at', async () => {
  const { extensions } = await g.gql('{ source(id: "7512ddb574f82249") { id } }');
  const head = await g.app.store.head();
  expect(extensions?.basis).toEqual({ position: String(head.position), recordedAt: head.recordedAt!.toISOString() });
});

it('serves the same source by URL and by hex id, and seeding again changes nothing', async () => {
  const byUrl = await g.gql('{ source(id: "https://www.anthropic.com/news/activating-asl3-protections") { stableId version } }');
  expect(byUrl.data.source.stableId).toBe('YmFkZjUwMz');
  const head = await g.app.store.head();
  const again = await loadSeeds(g.app.commands);
  expect(again.applied).toBe(0);
  expect((await g.app.store.head()).position).toBe(head.position);
});

it('costs a small bounded number of SQL statements', async () => {
  const { result, statements } = await g.counted(EXAMPLE_QUERY);
  expect(result.errors).toBeUndefined();
  // basis (1) + source lookup (1) + source (1) + publication (1) + citing pages (1) + pages (1)
  // + entities (1) + facts (1) + property (1) + entity (0–1): a fixed cost, not one per row.
  expect(statements).toBeLessThanOrEqual(12);
});
