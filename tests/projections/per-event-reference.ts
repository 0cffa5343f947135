/**
 * The projection as it was before it became set-based: every event on its own, four to six statements
 * each (close the open version with UPDATE … RETURNING, insert the next, upsert the current row, rewrite
 * citations and keys). Kept only as the reference the batched projection in src/projections is checked
 * against (tests/projections/batch-replay.test.ts): replaying a log through either must give the same
 * bytes in every read-model table.
 */
import type { EntityState } from '../../src/domain/entity';
import { idOf, kindOfEvent, upcast, type DomainEvent, type Kind } from '../../src/domain/events';
import { evolveAny, type AnyState } from '../../src/domain/evolve';
import { evolveFact, type FactEvent, type FactState, type Rank } from '../../src/domain/fact';
import type { PageEvent, PageState } from '../../src/domain/page';
import { parsePartialDate, periodStart } from '../../src/domain/partial-date';
import type { PropertyState } from '../../src/domain/property';
import type { PublicationState } from '../../src/domain/publication';
import type { SourceEvent, SourceState } from '../../src/domain/source';
import type { StoredEvent } from '../../src/store/event-store';
import type { FactlogTrx } from '../../src/projections/tables';

/** Where a state came from in the log: the stream version and position of its last event. */
interface At {
  version: number;
  position: number;
}

// The current-view tables: one row per thing, rewritten from the evolved state on each of its events.

async function writePublication(trx: FactlogTrx, s: NonNullable<PublicationState>, at: At): Promise<void> {
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

async function writeSource(trx: FactlogTrx, s: SourceState, at: At, event: SourceEvent): Promise<void> {
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

async function writePage(trx: FactlogTrx, s: PageState, at: At, event: PageEvent): Promise<void> {
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
async function canonicalSource(trx: FactlogTrx, id: string): Promise<string> {
  return (await canonicalSources(trx, [id])).get(id) ?? id;
}

/**
 * The surviving source for each id, in one statement per hop: merges are rare, so this is usually a
 * single lookup that finds nothing merged.
 */
async function canonicalSources(trx: FactlogTrx, ids: readonly string[]): Promise<Map<string, string>> {
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

async function writeEntity(trx: FactlogTrx, s: NonNullable<EntityState>, at: At): Promise<void> {
  const f = s.fields;
  const row = { slug: f.slug, name: f.name, type: f.type, numeric_id: f.numericId ?? null, aliases: JSON.stringify(f.aliases ?? []), ...at };
  await trx.insertInto('entities').values({ id: s.id, ...row }).onConflict((oc) => oc.column('id').doUpdateSet(row)).execute();
  await trx.deleteFrom('entity_keys').where('entity_id', '=', s.id).execute();
  const keys = new Map<string, number>([[f.slug, 1]]);
  if (f.numericId && !keys.has(f.numericId)) keys.set(f.numericId, 2);
  for (const alias of [...(s.formerSlugs ?? []), ...(f.aliases ?? [])]) if (!keys.has(alias)) keys.set(alias, 3);
  await trx.insertInto('entity_keys').values([...keys].map(([key, rank]) => ({ key, entity_id: s.id, rank }))).execute();
}

async function writeProperty(trx: FactlogTrx, s: NonNullable<PropertyState>, at: At): Promise<void> {
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


/** The instant a partial date's period starts: where a fact's valid range begins or ends. */
function validInstant(date: string | undefined): string | null {
  if (!date) return null;
  const parsed = parsePartialDate(date, 'date');
  if (!parsed.ok) throw new Error(`stored date "${date}" is not a partial date`);
  return periodStart(parsed.value).toISOString();
}

/**
 * One fact event: close the version that was believed until now (its transaction range ends at this
 * position) and open the new one, then refresh the current view and its citations.
 */
async function projectFact(trx: FactlogTrx, event: FactEvent, stored: StoredEvent): Promise<void> {
  const id = event.data.id;
  const recordedAt = stored.recordedAt.toISOString();
  // Closing the believed version and reading it back is one statement: this runs for every fact event.
  const previous = await trx.updateTable('fact_versions').set({ tx_to: stored.position, recorded_to: recordedAt })
    .where('fact_id', '=', id).where('tx_to', 'is', null).returningAll().executeTakeFirst();
  const prevState: FactState | null = previous ? {
    id,
    retracted: previous.retracted,
    fields: {
      entityId: previous.entity_id,
      propertyId: previous.property_id,
      value: previous.value as FactState['fields']['value'],
      ...(previous.as_of ? { asOf: previous.as_of } : {}),
      ...(previous.valid_end ? { validEnd: previous.valid_end } : {}),
      citations: previous.citations as FactState['fields']['citations'],
      ...(previous.notes ? { notes: previous.notes } : {}),
      rank: previous.rank as Rank,
    },
  } : null;
  const next = evolveFact(prevState, event);
  if (!next) throw new Error(`event ${stored.position} (${stored.type}) has no fact to apply to`);
  const f = next.fields;
  const canonical = await canonicalSources(trx, (f.citations ?? []).map((c) => c.sourceId));
  const citations = (f.citations ?? []).map((c) => ({ ...c, sourceId: canonical.get(c.sourceId) ?? c.sourceId }));
  const common = {
    entity_id: f.entityId,
    property_id: f.propertyId,
    value: JSON.stringify(f.value),
    as_of: f.asOf ?? null,
    valid_end: f.validEnd ?? null,
    citations: JSON.stringify(citations),
    notes: f.notes ?? null,
    rank: f.rank ?? 'normal',
    retracted: next.retracted,
  };
  await trx.insertInto('fact_versions').values({
    fact_id: id,
    version: stored.streamVersion,
    ...common,
    valid_from: validInstant(f.asOf),
    valid_to: validInstant(f.validEnd),
    tx_from: stored.position,
    recorded_from: recordedAt,
  }).execute();

  const current = { ...common, version: stored.streamVersion, position: stored.position, recorded_at: recordedAt };
  await trx.insertInto('facts').values({ id, ...current }).onConflict((oc) => oc.column('id').doUpdateSet(current)).execute();
  await trx.deleteFrom('fact_citations').where('fact_id', '=', id).execute();
  const sourceIds = [...new Set(citations.map((c) => c.sourceId))];
  if (!next.retracted && sourceIds.length > 0) {
    await trx.insertInto('fact_citations').values(sourceIds.map((sourceId) => ({ fact_id: id, source_id: sourceId }))).execute();
  }
}


type ThingKind = Exclude<Kind, 'fact'>;

async function projectThing(trx: FactlogTrx, kind: ThingKind, event: DomainEvent, stored: StoredEvent): Promise<void> {
  // Close the current version and read it back in one statement (this runs for every event).
  const previous = await trx.updateTable('state_versions').set({ tx_to: stored.position })
    .where('stream', '=', stored.stream).where('tx_to', 'is', null).returning('state').executeTakeFirst();
  const next = evolveAny((previous?.state ?? null) as AnyState, event);
  if (!next) throw new Error(`event ${stored.position} (${stored.type}) has no ${kind} to apply to`);
  await trx.insertInto('state_versions').values({
    stream: stored.stream,
    version: stored.streamVersion,
    kind,
    id: idOf(event),
    state: JSON.stringify(next),
    tx_from: stored.position,
    recorded_from: stored.recordedAt.toISOString(),
  }).execute();

  const at = { version: stored.streamVersion, position: stored.position };
  switch (kind) {
    case 'publication': return writePublication(trx, next as NonNullable<PublicationState>, at);
    case 'source': return writeSource(trx, next as SourceState, at, event as SourceEvent);
    case 'page': return writePage(trx, next as PageState, at, event as PageEvent);
    case 'entity': return writeEntity(trx, next as NonNullable<EntityState>, at);
    case 'property': return writeProperty(trx, next as NonNullable<PropertyState>, at);
  }
}

/** Applies stored events to every read model, inside the caller's transaction. */
export async function projectEventsOneByOne(trx: FactlogTrx, events: readonly StoredEvent[]): Promise<void> {
  for (const stored of events) {
    const event = upcast(stored.type, stored.schemaVersion, stored.data);
    const kind = kindOfEvent(event.type);
    if (kind === 'fact') await projectFact(trx, event as FactEvent, stored);
    else await projectThing(trx, kind, event, stored);
  }
}

