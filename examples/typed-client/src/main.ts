import { createClient } from './client';
import { EntityPageQuery, SourcePageQuery, TimelineQuery } from './operations';

/**
 * Prints the example source page, Anthropic's AI Safety Level timeline and its entity page, fetched with typed documents.
 *
 *   node dist/main.js [URL]      (default: $FACTLOG_URL, else http://localhost:4000/graphql)
 */
async function main(): Promise<void> {
  const url = process.argv[2] ?? process.env.FACTLOG_URL ?? 'http://localhost:4000/graphql';
  const apiKey = process.env.FACTLOG_API_KEY;
  const headers: Record<string, string> = apiKey ? { authorization: `Bearer ${apiKey}` } : {};
  const request = createClient(url, headers);
  const out: string[] = [];

  // `data` is typed from the query: a misspelt field is a compile error, not an undefined at run time.
  const page = await request(SourcePageQuery);
  const source = page.data.source;
  if (!source) throw new Error('source YmFkZjUwMz not found: are the seeds loaded?');
  out.push(`# ${source.title ?? '(untitled)'}`);
  out.push(`type: ${source.type ?? '-'}   id: ${source.id}   stable id: ${source.stableId}`);
  if (source.credibility) {
    const c = source.credibility;
    const from = c.inheritedFrom ? ` (inherited from ${c.inheritedFrom.name})` : '';
    out.push(`credibility: ${c.rating} ${c.label}${from}: ${c.description}`);
  }
  if (source.summary) out.push(`summary: ${source.summary}`);
  for (const point of source.keyPoints) out.push(`  • ${point}`);
  out.push(`cited by ${source.citedBy.totalCount} pages:`);
  for (const p of source.citedBy.nodes) out.push(`  ${p.title} | ${p.type ?? '-'} | ${p.quality?.toFixed(1) ?? '-'}`);
  out.push(`${source.facts.totalCount} facts cite this source:`);
  for (const f of source.facts.nodes) {
    out.push(`  ${f.entity.name} | ${f.property.name} | ${f.displayValue} | ${f.asOfLabel ?? '-'}`);
  }
  if (source.cachedContent) out.push(`cached content: ${source.cachedContent.sizeKb} KB`);

  // Variables are typed too: leaving out `property` would not compile.
  const timeline = await request(TimelineQuery, { entity: 'anthropic', property: 'safety-level' });
  const entity = timeline.data.entity;
  if (!entity) throw new Error('entity anthropic not found: are the seeds loaded?');
  out.push(`timeline of safety-level for ${entity.name}:`);
  for (const fact of entity.timeline) out.push(`  ${fact.asOf ?? '(undated)'}  ${fact.displayValue}`);
  const page2 = (await request(EntityPageQuery, { entity: 'anthropic' })).data.entity;
  if (page2) {
    const c = page2.completeness;
    const lacks = c.typeKnown ? [...c.missingRequired, ...c.missingRecommended].join(', ') || 'nothing' : '(type not defined)';
    out.push(
      `entity page of ${page2.name} (${page2.typeLabel}): ${page2.relations.totalCount} relations, ${page2.records.totalCount} records; lacks ${lacks}`,
    );
    for (const r of page2.relations.nodes) out.push(`  ${r.direction} ${r.relationship ?? 'related'} ${r.entity?.name ?? '?'}`);
  }
  if (timeline.basis) out.push(`basis: position ${timeline.basis.position} recorded ${timeline.basis.recordedAt ?? '-'}`);

  process.stdout.write(`${out.join('\n')}\n`);
}

main().catch((err: unknown) => {
  const cause = err instanceof Error && err.cause instanceof Error ? ` (${err.cause.message})` : '';
  process.stderr.write(`typed-client: ${err instanceof Error ? err.message : String(err)}${cause}\n`);
  process.exitCode = 1;
});
