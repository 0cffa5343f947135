import { sql } from 'kysely';
import type { EntityState } from '../domain/entity';
import type { PageEvent, PageState } from '../domain/page';
import type { PropertyState } from '../domain/property';
import type { PublicationState } from '../domain/publication';
import type { SourceEvent, SourceState } from '../domain/source';
import { chunks, insertRows, unnestColumns, type Row } from './bulk';
import type { FactlogTrx } from './tables';

/** Where a state came from in the log: the stream version and position of its last event. */
export interface At {
  version: number;
  position: number;
}

// The current-view tables hold one row per thing, computed from its evolved state. Within a batch only
// the state after a thing's last event reaches the table, so each table gets one upsert per batch.

export function publicationRow(s: NonNullable<PublicationState>, at: At): Row<'publications'> {
  return {
    id: s.id,
    name: s.fields.name,
    domains: JSON.stringify(s.fields.domains ?? []),
    type: s.fields.type ?? null,
    credibility: s.fields.credibility ?? null,
    peer_reviewed: s.fields.peerReviewed ?? null,
    description: s.fields.description ?? null,
    ...at,
  };
}

export function sourceRow(s: SourceState, at: At): Row<'sources'> {
  const f = s.fields;
  return {
    id: s.id,
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
}

export function sourceContentRow(s: SourceState): Row<'source_content'> | null {
  const c = s.content;
  if (!c) return null;
  return {
    source_id: s.id,
    text: c.text,
    length: c.length,
    content_hash: c.contentHash,
    fetched_at: c.fetchedAt ?? null,
    http_status: c.httpStatus ?? null,
    content_type: c.contentType ?? null,
  };
}

export function pageRow(s: PageState, at: At): Row<'pages'> {
  return {
    slug: s.slug,
    numeric_id: s.fields.numericId ?? null,
    title: s.fields.title,
    description: s.fields.description ?? null,
    quality: s.fields.quality ?? null,
    entity_id: s.fields.entityId ?? null,
    ...at,
  };
}

export function entityRow(s: NonNullable<EntityState>, at: At): Row<'entities'> {
  const f = s.fields;
  return { id: s.id, slug: f.slug, name: f.name, type: f.type, numeric_id: f.numericId ?? null, aliases: JSON.stringify(f.aliases ?? []), ...at };
}

/** Every name the entity answers to, each with the rank of its strongest claim (slug, numeric id, alias). */
export function entityKeyRows(s: NonNullable<EntityState>): Row<'entity_keys'>[] {
  const f = s.fields;
  const keys = new Map<string, number>([[f.slug, 1]]);
  if (f.numericId && !keys.has(f.numericId)) keys.set(f.numericId, 2);
  for (const alias of [...(s.formerSlugs ?? []), ...(f.aliases ?? [])]) if (!keys.has(alias)) keys.set(alias, 3);
  return [...keys].map(([key, rank]) => ({ key, entity_id: s.id, rank }));
}

export function propertyRow(s: NonNullable<PropertyState>, at: At): Row<'properties'> {
  const f = s.fields;
  return {
    id: s.id,
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
}

/**
 * Which source each source id stands for now: a merged-away source's citations count for the one it
 * was merged into (following chains of merges, up to 16 hops). Loaded once per batch for every source
 * id the batch can mention, then kept up to date in memory as the batch's own merges are folded, so the
 * answer at each event is what the `sources` table would have said at that point of the log.
 */
export class SourceMerges {
  private readonly known = new Set<string>();
  private readonly mergedInto = new Map<string, string>();

  /** Loads the merges of `ids` and of every source they were merged into, one statement per hop. */
  static async load(trx: FactlogTrx, ids: Iterable<string>): Promise<SourceMerges> {
    const merges = new SourceMerges();
    let pending = [...new Set(ids)];
    for (let hops = 0; hops <= 16 && pending.length > 0; hops++) {
      for (const id of pending) merges.known.add(id);
      const next: string[] = [];
      for (const chunk of chunks(pending)) {
        const { rows } = await sql<{ id: string; merged_into: string }>`
          SELECT id, merged_into FROM ${sql.table('sources')} WHERE id = ANY(${sql.val(chunk)}::text[]) AND merged_into IS NOT NULL`.execute(trx);
        for (const r of rows) {
          merges.mergedInto.set(r.id, r.merged_into);
          if (!merges.known.has(r.merged_into)) next.push(r.merged_into);
        }
      }
      pending = [...new Set(next)];
    }
    return merges;
  }

  /** Mirrors a source's `merged_into` column after one of its events. */
  record(s: SourceState): void {
    this.known.add(s.id);
    if (s.mergedInto) {
      this.mergedInto.set(s.id, s.mergedInto);
    } else {
      this.mergedInto.delete(s.id);
    }
  }

  canonical(id: string): string {
    // An id missing here was never loaded: answering "not merged" could be wrong, so fail loudly.
    if (!this.known.has(id)) throw new Error(`projection bug: source ${id} was not loaded before its citation was projected`);
    let out = id;
    for (let hops = 0; hops < 16; hops++) {
      const next = this.mergedInto.get(out);
      if (next === undefined) break;
      out = next;
    }
    return out;
  }
}

/**
 * A page citation's fate within a batch, as the per-event INSERT … ON CONFLICT DO NOTHING and DELETE
 * statements would have left it: `keep` (untouched: whatever the table holds), `keepOr` (insert
 * unless the table already has it, keeping the older position), `gone` (deleted), `new` (deleted,
 * then inserted again at that position).
 */
type CitationFate = { kind: 'keep' } | { kind: 'keepOr'; position: number } | { kind: 'gone' } | { kind: 'new'; position: number };

const citationKey = (slug: string, sourceId: string): string => `${slug}\u0000${sourceId}`;

/** Everything the current-view tables receive from one run of events, written by `flush`. */
export class CurrentWrites {
  private publications = new Map<string, Row<'publications'>>();
  private sources = new Map<string, Row<'sources'>>();
  private sourceContent = new Map<string, Row<'source_content'>>();
  private pages = new Map<string, Row<'pages'>>();
  private entities = new Map<string, Row<'entities'>>();
  private entityKeys = new Map<string, Row<'entity_keys'>[]>();
  private properties = new Map<string, Row<'properties'>>();
  private pageCitations = new Map<string, { slug: string; sourceId: string; fate: CitationFate }>();

  publication(s: NonNullable<PublicationState>, at: At): void {
    this.publications.set(s.id, publicationRow(s, at));
  }

  source(s: SourceState, at: At, event: SourceEvent): void {
    this.sources.set(s.id, sourceRow(s, at));
    // The content row changes only when content is captured, so a later event cannot have a newer one.
    if (event.type === 'SourceContentCaptured') {
      const content = sourceContentRow(s);
      if (content) this.sourceContent.set(s.id, content);
    }
  }

  page(s: PageState, at: At, event: PageEvent, merges: SourceMerges): void {
    this.pages.set(s.slug, pageRow(s, at));
    if (event.type === 'SourceCited') {
      this.cite(s.slug, merges.canonical(event.data.sourceId), at.position);
    } else if (event.type === 'SourceUncited') {
      this.uncite(s.slug, event.data.sourceId);
      this.uncite(s.slug, merges.canonical(event.data.sourceId));
    }
  }

  entity(s: NonNullable<EntityState>, at: At): void {
    this.entities.set(s.id, entityRow(s, at));
    this.entityKeys.set(s.id, entityKeyRows(s));
  }

  property(s: NonNullable<PropertyState>, at: At): void {
    this.properties.set(s.id, propertyRow(s, at));
  }

  private fate(slug: string, sourceId: string) {
    const key = citationKey(slug, sourceId);
    let entry = this.pageCitations.get(key);
    if (!entry) this.pageCitations.set(key, (entry = { slug, sourceId, fate: { kind: 'keep' } }));
    return entry;
  }

  private cite(slug: string, sourceId: string, position: number): void {
    const entry = this.fate(slug, sourceId);
    if (entry.fate.kind === 'keep') entry.fate = { kind: 'keepOr', position };
    else if (entry.fate.kind === 'gone') entry.fate = { kind: 'new', position };
  }

  private uncite(slug: string, sourceId: string): void {
    this.fate(slug, sourceId).fate = { kind: 'gone' };
  }

  async flush(trx: FactlogTrx): Promise<void> {
    const byId = { key: ['id'], action: 'update' } as const;
    await insertRows(trx, 'publications', [...this.publications.values()], byId);
    await insertRows(trx, 'sources', [...this.sources.values()], byId);
    await insertRows(trx, 'source_content', [...this.sourceContent.values()], { key: ['source_id'], action: 'update' });
    await insertRows(trx, 'pages', [...this.pages.values()], { key: ['slug'], action: 'update' });
    await insertRows(trx, 'entities', [...this.entities.values()], byId);
    await insertRows(trx, 'properties', [...this.properties.values()], byId);

    if (this.entityKeys.size > 0) {
      for (const ids of chunks([...this.entityKeys.keys()])) {
        await sql`DELETE FROM ${sql.table('entity_keys')} WHERE entity_id = ANY(${sql.val(ids)}::text[])`.execute(trx);
      }
      await insertRows(trx, 'entity_keys', [...this.entityKeys.values()].flat());
    }

    const citations = [...this.pageCitations.values()];
    const deleted = citations.filter((c) => c.fate.kind === 'gone' || c.fate.kind === 'new');
    for (const chunk of chunks(deleted)) {
      await sql`DELETE FROM ${sql.table('page_citations')} p
        USING ${unnestColumns([['slug', 'text'], ['source_id', 'text']], chunk.map((c) => ({ slug: c.slug, source_id: c.sourceId })))} AS x(slug, source_id)
        WHERE p.page_slug = x.slug AND p.source_id = x.source_id AND p.page_slug = ANY(${sql.val(chunk.map((c) => c.slug))}::text[])`.execute(trx);
    }
    const inserted: Row<'page_citations'>[] = [];
    for (const c of citations) {
      if (c.fate.kind === 'keepOr' || c.fate.kind === 'new') inserted.push({ page_slug: c.slug, source_id: c.sourceId, position: c.fate.position });
    }
    await insertRows(trx, 'page_citations', inserted, { key: ['page_slug', 'source_id'], action: 'nothing' });

    this.publications.clear();
    this.sources.clear();
    this.sourceContent.clear();
    this.pages.clear();
    this.entities.clear();
    this.entityKeys.clear();
    this.properties.clear();
    this.pageCitations.clear();
  }
}

/**
 * After a merge, citations of the merged-away source count for the one it was merged into. These
 * statements touch rows of pages and facts the batch may never mention, so they run against the
 * tables (after everything before the merge was written), as rare as merges are.
 */
export async function moveCitations(trx: FactlogTrx, from: string, into: string): Promise<void> {
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
