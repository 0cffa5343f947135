/**
 * The projection as it was before it became set-based: every event on its own, four to six statements
 * each (close the open version with UPDATE … RETURNING, insert the next, upsert the current row, rewrite
 * citations and keys). Kept only as the reference the batched projection in src/projections is checked
 * against (tests/projections/batch-replay.test.ts): replaying a log through either must give the same
 * bytes in every read-model table.
 */
import { sql } from 'kysely';
import type { EntityEvent, EntityState } from '../../src/domain/entity';
import { idOf, kindOfEvent, upcast, type DomainEvent, type Kind } from '../../src/domain/events';
import { evolveAny, type AnyState } from '../../src/domain/evolve';
import { evolveFact, type FactEvent, type FactState } from '../../src/domain/fact';
import type { PageEvent, PageState } from '../../src/domain/page';
import type { PropertyState } from '../../src/domain/property';
import type { PublicationState } from '../../src/domain/publication';
import type { SourceEvent, SourceState } from '../../src/domain/source';
import type { StoredEvent } from '../../src/store/event-store';
import type { At } from '../../src/projections/read-model';
import { entityKeyRows, entityRow } from '../../src/projections/read-models/entities';
import { factStateOf, validInstant } from '../../src/projections/read-models/facts';
import { pageRow } from '../../src/projections/read-models/pages';
import { propertyRow } from '../../src/projections/read-models/properties';
import { publicationRow } from '../../src/projections/read-models/publications';
import { targetColumns } from '../../src/projections/read-models/relation-versions';
import { moveCitations } from '../../src/projections/read-models/source-merges';
import {
  sameColumns,
  searchColumns,
  searchIdOf,
  searchTextOf,
  type SearchableState,
} from '../../src/projections/read-models/search-documents';
import { sourceContentRow, sourceRow } from '../../src/projections/read-models/sources';
import type { FactlogTrx } from '../../src/projections/tables';

// The current-view tables: one row per thing, rewritten from the evolved state on each of its events.
// The rows themselves come from the production mappers (src/projections/read-models/*.ts): what this
// reference checks is the order and grouping of the writes, one event at a time, not the mapping.

async function writePublication(trx: FactlogTrx, s: NonNullable<PublicationState>, at: At): Promise<void> {
  const row = publicationRow(s, at);
  await trx
    .insertInto('publications')
    .values(row)
    .onConflict((oc) => oc.column('id').doUpdateSet(row))
    .execute();
}

async function writeSource(trx: FactlogTrx, s: SourceState, at: At, event: SourceEvent): Promise<void> {
  const row = sourceRow(s, at);
  await trx
    .insertInto('sources')
    .values(row)
    .onConflict((oc) => oc.column('id').doUpdateSet(row))
    .execute();
  const content = event.type === 'SourceContentCaptured' ? sourceContentRow(s) : null;
  if (content)
    await trx
      .insertInto('source_content')
      .values(content)
      .onConflict((oc) => oc.column('source_id').doUpdateSet(content))
      .execute();
  if (event.type === 'SourceMergedInto') await moveCitations(trx, event.data.id, event.data.into);
}

async function writePage(trx: FactlogTrx, s: PageState, at: At, event: PageEvent): Promise<void> {
  const row = pageRow(s, at);
  await trx
    .insertInto('pages')
    .values(row)
    .onConflict((oc) => oc.column('slug').doUpdateSet(row))
    .execute();
  if (event.type === 'SourceCited') {
    const sourceId = await canonicalSource(trx, event.data.sourceId);
    await trx
      .insertInto('page_citations')
      .values({ page_slug: s.slug, source_id: sourceId, position: at.position })
      .onConflict((oc) => oc.doNothing())
      .execute();
    await trx
      .insertInto('citation_versions')
      .values({ page_slug: s.slug, source_id: event.data.sourceId, tx_from: at.position, tx_to: null })
      .execute();
  } else if (event.type === 'SourceUncited') {
    const sourceId = await canonicalSource(trx, event.data.sourceId);
    await trx
      .deleteFrom('page_citations')
      .where('page_slug', '=', s.slug)
      .where('source_id', 'in', [event.data.sourceId, sourceId])
      .execute();
    await trx
      .updateTable('citation_versions')
      .set({ tx_to: at.position })
      .where('page_slug', '=', s.slug)
      .where('source_id', '=', event.data.sourceId)
      .where('tx_to', 'is', null)
      .execute();
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
    const rows = await trx
      .selectFrom('sources')
      .select(['id', 'merged_into'])
      .where('id', 'in', pending)
      .where('merged_into', 'is not', null)
      .execute();
    const next = new Map(rows.map((r) => [r.id, r.merged_into!]));
    for (const [from, to] of out) if (next.has(to)) out.set(from, next.get(to)!);
    pending = [...new Set(next.values())];
  }
  return out;
}

async function writeEntity(trx: FactlogTrx, s: NonNullable<EntityState>, at: At, event: EntityEvent): Promise<void> {
  if (event.type === 'EntityRelated' || event.type === 'EntityUnrelated') {
    const { id, relationship, ...rest } = event.data;
    const { target, resolved } = targetColumns('entityId' in rest ? { entityId: rest.entityId } : { unresolvedSlug: rest.unresolvedSlug });
    await trx
      .updateTable('relation_versions')
      .set({ tx_to: at.position })
      .where('from_id', '=', id)
      .where('target', '=', target)
      .where('resolved', '=', resolved)
      .where(sql<boolean>`coalesce(relationship, '') = ${relationship ?? ''}`)
      .where('tx_to', 'is', null)
      .execute();
    if (event.type === 'EntityRelated')
      await trx
        .insertInto('relation_versions')
        .values({
          from_id: id,
          target,
          resolved,
          relationship: relationship ?? null,
          target_type: event.data.type ?? null,
          tx_from: at.position,
          tx_to: null,
        })
        .execute();
  }
  const row = entityRow(s, at);
  await trx
    .insertInto('entities')
    .values(row)
    .onConflict((oc) => oc.column('id').doUpdateSet(row))
    .execute();
  await trx.deleteFrom('entity_keys').where('entity_id', '=', s.id).execute();
  await trx.insertInto('entity_keys').values(entityKeyRows(s)).execute();
}

async function writeProperty(trx: FactlogTrx, s: NonNullable<PropertyState>, at: At): Promise<void> {
  const row = propertyRow(s, at);
  await trx
    .insertInto('properties')
    .values(row)
    .onConflict((oc) => oc.column('id').doUpdateSet(row))
    .execute();
}

/**
 * One fact event: close the version that was believed until now (its transaction range ends at this
 * position) and open the new one, then refresh the current view and its citations.
 */
async function projectFact(trx: FactlogTrx, event: FactEvent, stored: StoredEvent): Promise<void> {
  const id = event.data.id;
  const recordedAt = stored.recordedAt.toISOString();
  // Closing the believed version and reading it back is one statement: this runs for every fact event.
  const previous = await trx
    .updateTable('fact_versions')
    .set({ tx_to: stored.position, recorded_to: recordedAt })
    .where('fact_id', '=', id)
    .where('tx_to', 'is', null)
    .returningAll()
    .executeTakeFirst();
  const prevState: FactState | null = previous ? factStateOf(id, previous) : null;
  const next = evolveFact(prevState, event);
  if (!next) throw new Error(`event ${stored.position} (${stored.type}) has no fact to apply to`);
  const f = next.fields;
  const canonical = await canonicalSources(
    trx,
    (f.citations ?? []).map((c) => c.sourceId),
  );
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
  await trx
    .insertInto('fact_versions')
    .values({
      fact_id: id,
      version: stored.streamVersion,
      ...common,
      valid_from: validInstant(f.asOf),
      valid_to: validInstant(f.validEnd),
      tx_from: stored.position,
      recorded_from: recordedAt,
    })
    .execute();

  const current = { ...common, version: stored.streamVersion, position: stored.position, recorded_at: recordedAt };
  await trx
    .insertInto('facts')
    .values({ id, ...current })
    .onConflict((oc) => oc.column('id').doUpdateSet(current))
    .execute();
  await trx.deleteFrom('fact_citations').where('fact_id', '=', id).execute();
  const sourceIds = [...new Set(citations.map((c) => c.sourceId))];
  if (!next.retracted && sourceIds.length > 0) {
    await trx
      .insertInto('fact_citations')
      .values(sourceIds.map((sourceId) => ({ fact_id: id, source_id: sourceId })))
      .execute();
  }
  await writeSearchDocument(trx, { kind: 'fact', state: next }, stored.position);
}

/** A searchable thing's document after its event: a new version only when its text changed. */
async function writeSearchDocument(trx: FactlogTrx, thing: SearchableState, position: number): Promise<void> {
  const id = searchIdOf(thing);
  const text = searchTextOf(thing);
  const next = text ? searchColumns(text) : null;
  const open = await trx
    .selectFrom('search_documents')
    .select(['title', 'names', 'summary', 'details'])
    .where('kind', '=', thing.kind)
    .where('id', '=', id)
    .where('tx_to', 'is', null)
    .executeTakeFirst();
  if (sameColumns(open ?? null, next)) return;
  if (open)
    await trx
      .updateTable('search_documents')
      .set({ tx_to: position })
      .where('kind', '=', thing.kind)
      .where('id', '=', id)
      .where('tx_to', 'is', null)
      .execute();
  if (next)
    await trx
      .insertInto('search_documents')
      .values({ kind: thing.kind, id, ...next, tx_from: position, tx_to: null })
      .execute();
}

type ThingKind = Exclude<Kind, 'fact'>;

async function projectThing(trx: FactlogTrx, kind: ThingKind, event: DomainEvent, stored: StoredEvent): Promise<void> {
  // Close the current version and read it back in one statement (this runs for every event).
  const previous = await trx
    .updateTable('state_versions')
    .set({ tx_to: stored.position })
    .where('stream', '=', stored.stream)
    .where('tx_to', 'is', null)
    .returning('state')
    .executeTakeFirst();
  const next = evolveAny((previous?.state ?? null) as AnyState, event);
  if (!next) throw new Error(`event ${stored.position} (${stored.type}) has no ${kind} to apply to`);
  await trx
    .insertInto('state_versions')
    .values({
      stream: stored.stream,
      version: stored.streamVersion,
      kind,
      id: idOf(event),
      state: JSON.stringify(next),
      tx_from: stored.position,
      recorded_from: stored.recordedAt.toISOString(),
    })
    .execute();

  const at = { version: stored.streamVersion, position: stored.position };
  if (kind === 'entity' || kind === 'source' || kind === 'page' || kind === 'record')
    await writeSearchDocument(trx, { kind, state: next } as SearchableState, stored.position);
  switch (kind) {
    case 'publication':
      return writePublication(trx, next as NonNullable<PublicationState>, at);
    case 'source':
      return writeSource(trx, next as SourceState, at, event as SourceEvent);
    case 'page':
      return writePage(trx, next as PageState, at, event as PageEvent);
    case 'entity':
      return writeEntity(trx, next as NonNullable<EntityState>, at, event as EntityEvent);
    case 'property':
      return writeProperty(trx, next as NonNullable<PropertyState>, at);
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
