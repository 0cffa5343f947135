import type { EntityState } from '../domain/entity';
import type { PageEvent, PageState } from '../domain/page';
import type { PropertyState } from '../domain/property';
import type { PublicationState } from '../domain/publication';
import type { SourceEvent, SourceState } from '../domain/source';
import type { FactlogTrx } from './tables';

/** Where a state came from in the log: the stream version and position of its last event. */
export interface At {
  version: number;
  position: number;
}

// The current-view tables: one row per thing, rewritten from the evolved state on each of its events.

export async function writePublication(trx: FactlogTrx, s: NonNullable<PublicationState>, at: At): Promise<void> {
  const row = {
    name: s.fields.name,
    domains: JSON.stringify(s.fields.domains ?? []),
    type: s.fields.type ?? null,
    credibility: s.fields.credibility ?? null,
    peer_reviewed: s.fields.peerReviewed ?? null,
    description: s.fields.description ?? null,
    ...at,
  };
  await trx.insertInto('publications').values({ id: s.id, ...row }).onConflict((oc) => oc.column('id').doUpdateSet(row)).execute();
}

export async function writeSource(trx: FactlogTrx, s: SourceState, at: At, event: SourceEvent): Promise<void> {
  const f = s.fields;
  const row = {
    stable_id: f.stableId,
    url: f.url,
    title: f.title ?? null,
    type: f.type ?? null,
    authors: JSON.stringify(f.authors ?? []),
    published_date: f.publishedDate ?? null,
    publication_id: f.publicationId ?? null,
    credibility_override: f.credibilityOverride ?? null,
    abstract: f.abstract ?? null,
    summary: f.summary ?? null,
    review: f.review ?? null,
    key_points: JSON.stringify(f.keyPoints ?? []),
    tags: JSON.stringify(f.tags ?? []),
    merged_into: s.mergedInto,
    ...at,
  };
  await trx.insertInto('sources').values({ id: s.id, ...row }).onConflict((oc) => oc.column('id').doUpdateSet(row)).execute();

  if (event.type === 'SourceContentCaptured' && s.content) {
    const c = s.content;
    const content = {
      text: c.text,
      length: c.length,
      content_hash: c.contentHash,
      fetched_at: c.fetchedAt ?? null,
      http_status: c.httpStatus ?? null,
      content_type: c.contentType ?? null,
    };
    await trx.insertInto('source_content').values({ source_id: s.id, ...content })
      .onConflict((oc) => oc.column('source_id').doUpdateSet(content)).execute();
  }
  if (event.type === 'SourceMergedInto') {
    // Citations of the merged-away source now count for the one it was merged into.
    const { id: from, into } = event.data;
    await trx.insertInto('page_citations')
      .columns(['page_slug', 'source_id', 'position'])
      .expression((eb) => eb.selectFrom('page_citations').select(['page_slug', eb.val(into).as('source_id'), 'position']).where('source_id', '=', from))
      .onConflict((oc) => oc.doNothing()).execute();
    await trx.deleteFrom('page_citations').where('source_id', '=', from).execute();
    await trx.insertInto('fact_citations')
      .columns(['fact_id', 'source_id'])
      .expression((eb) => eb.selectFrom('fact_citations').select(['fact_id', eb.val(into).as('source_id')]).where('source_id', '=', from))
      .onConflict((oc) => oc.doNothing()).execute();
    await trx.deleteFrom('fact_citations').where('source_id', '=', from).execute();
  }
}

export async function writePage(trx: FactlogTrx, s: PageState, at: At, event: PageEvent): Promise<void> {
  const row = {
    numeric_id: s.fields.numericId ?? null,
    title: s.fields.title,
    description: s.fields.description ?? null,
    quality: s.fields.quality ?? null,
    entity_id: s.fields.entityId ?? null,
    ...at,
  };
  await trx.insertInto('pages').values({ slug: s.slug, ...row }).onConflict((oc) => oc.column('slug').doUpdateSet(row)).execute();
  if (event.type === 'SourceCited') {
    const sourceId = await canonicalSource(trx, event.data.sourceId);
    await trx.insertInto('page_citations').values({ page_slug: s.slug, source_id: sourceId, position: at.position })
      .onConflict((oc) => oc.doNothing()).execute();
  } else if (event.type === 'SourceUncited') {
    const sourceId = await canonicalSource(trx, event.data.sourceId);
    await trx.deleteFrom('page_citations').where('page_slug', '=', s.slug).where('source_id', 'in', [event.data.sourceId, sourceId]).execute();
  }
}

/** A merged-away source's citations live on the source it was merged into. */
export async function canonicalSource(trx: FactlogTrx, id: string): Promise<string> {
  return (await canonicalSources(trx, [id])).get(id) ?? id;
}

/**
 * The surviving source for each id, in one statement per hop: merges are rare, so this is usually a
 * single lookup that finds nothing merged.
 */
export async function canonicalSources(trx: FactlogTrx, ids: readonly string[]): Promise<Map<string, string>> {
  const out = new Map(ids.map((id) => [id, id]));
  let pending = [...new Set(ids)];
  for (let hops = 0; hops < 16 && pending.length > 0; hops++) {
    const rows = await trx.selectFrom('sources').select(['id', 'merged_into']).where('id', 'in', pending).where('merged_into', 'is not', null).execute();
    const next = new Map(rows.map((r) => [r.id, r.merged_into!]));
    for (const [from, to] of out) if (next.has(to)) out.set(from, next.get(to)!);
    pending = [...new Set(next.values())];
  }
  return out;
}

export async function writeEntity(trx: FactlogTrx, s: NonNullable<EntityState>, at: At): Promise<void> {
  const f = s.fields;
  const row = { slug: f.slug, name: f.name, type: f.type, numeric_id: f.numericId ?? null, aliases: JSON.stringify(f.aliases ?? []), ...at };
  await trx.insertInto('entities').values({ id: s.id, ...row }).onConflict((oc) => oc.column('id').doUpdateSet(row)).execute();
  await trx.deleteFrom('entity_keys').where('entity_id', '=', s.id).execute();
  const keys = new Map<string, number>([[f.slug, 1]]);
  if (f.numericId && !keys.has(f.numericId)) keys.set(f.numericId, 2);
  for (const alias of [...(s.formerSlugs ?? []), ...(f.aliases ?? [])]) if (!keys.has(alias)) keys.set(alias, 3);
  await trx.insertInto('entity_keys').values([...keys].map(([key, rank]) => ({ key, entity_id: s.id, rank }))).execute();
}

export async function writeProperty(trx: FactlogTrx, s: NonNullable<PropertyState>, at: At): Promise<void> {
  const f = s.fields;
  const row = {
    name: f.name,
    description: f.description ?? null,
    data_type: f.dataType,
    unit: f.unit ?? null,
    category: f.category ?? null,
    temporal: f.temporal ?? false,
    applies_to: JSON.stringify(f.appliesTo ?? []),
    display: JSON.stringify(f.display ?? null),
    inverse_id: f.inverseId ?? null,
    staleness_days: f.stalenessDays ?? null,
    ...at,
  };
  await trx.insertInto('properties').values({ id: s.id, ...row }).onConflict((oc) => oc.column('id').doUpdateSet(row)).execute();
}
