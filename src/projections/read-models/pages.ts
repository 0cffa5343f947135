import { sql, type ColumnType } from 'kysely';
import type { PageEvent, PageState } from '../../domain/page';
import { chunks, insertRows, LastRows, tableSpec, unnestColumns, type Row } from '../bulk';
import { atOf, unhandledEvent, type At, type ReadModel } from '../read-model';
import type { FactlogTrx } from '../tables';

export interface PagesTable {
  slug: string;
  numeric_id: string | null;
  title: string;
  description: string | null;
  // numeric arrives as a string from pg; the query layer converts it.
  quality: ColumnType<string | null, number | null, number | null>;
  entity_id: string | null;
  version: number;
  position: number;
}

/** The `pages` table's columns with their SQL types. */
export const PAGES = tableSpec('pages', {
  slug: 'text',
  numeric_id: 'text',
  title: 'text',
  description: 'text',
  quality: 'numeric',
  entity_id: 'text',
  version: 'integer',
  position: 'bigint',
});

export interface PageCitationsTable {
  page_slug: string;
  source_id: string;
  position: number;
}

/** The `page_citations` table's columns with their SQL types. */
export const PAGE_CITATIONS = tableSpec('page_citations', { page_slug: 'text', source_id: 'text', position: 'bigint' });

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

/** The sources a page event names, whose merges its citation rows depend on. */
function sourcesNamed(event: PageEvent): string[] {
  switch (event.type) {
    case 'SourceCited':
    case 'SourceUncited':
      return [event.data.sourceId];
    case 'PageCreated':
    case 'PageUpdated':
      return [];
    default:
      return unhandledEvent(event);
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

/** What one batch's citing and unciting leaves in `page_citations`, written by `flush`. */
class PageCitations {
  private readonly fates = new Map<string, { slug: string; sourceId: string; fate: CitationFate }>();

  private entry(slug: string, sourceId: string) {
    const key = citationKey(slug, sourceId);
    let entry = this.fates.get(key);
    if (!entry) this.fates.set(key, (entry = { slug, sourceId, fate: { kind: 'keep' } }));
    return entry;
  }

  cite(slug: string, sourceId: string, position: number): void {
    const entry = this.entry(slug, sourceId);
    if (entry.fate.kind === 'keep') entry.fate = { kind: 'keepOr', position };
    else if (entry.fate.kind === 'gone') entry.fate = { kind: 'new', position };
  }

  uncite(slug: string, sourceId: string): void {
    this.entry(slug, sourceId).fate = { kind: 'gone' };
  }

  async flush(trx: FactlogTrx): Promise<void> {
    const citations = [...this.fates.values()];
    const deleted = citations.filter((c) => c.fate.kind === 'gone' || c.fate.kind === 'new');
    for (const chunk of chunks(deleted)) {
      await sql`DELETE FROM ${sql.table('page_citations')} p
        USING ${unnestColumns(
          [
            ['slug', 'text'],
            ['source_id', 'text'],
          ],
          chunk.map((c) => ({ slug: c.slug, source_id: c.sourceId })),
        )} AS x(slug, source_id)
        WHERE p.page_slug = x.slug AND p.source_id = x.source_id AND p.page_slug = ANY(${sql.val(chunk.map((c) => c.slug))}::text[])`.execute(
        trx,
      );
    }
    const inserted: Row<'page_citations'>[] = [];
    for (const c of citations) {
      if (c.fate.kind === 'keepOr' || c.fate.kind === 'new')
        inserted.push({ page_slug: c.slug, source_id: c.sourceId, position: c.fate.position });
    }
    await insertRows(trx, PAGE_CITATIONS, inserted, { key: ['page_slug', 'source_id'], action: 'nothing' });
    this.fates.clear();
  }
}

/**
 * The current row of every page, and the sources it cites (`page_citations`, a merged-away source's
 * citations standing for the source it was merged into).
 */
export const pages: ReadModel<'page'> = {
  name: 'pages',
  tables: [PAGES, PAGE_CITATIONS],
  kinds: ['page'],
  async open(trx, events, batch) {
    for (const e of events) batch.merges.want(sourcesNamed(e.event));
    const rows = new LastRows(trx, PAGES, { key: ['slug'], action: 'update' });
    const citations = new PageCitations();
    return {
      apply(e) {
        const s = batch.states.after(e);
        const at = atOf(e);
        rows.set(s.slug, pageRow(s, at));
        const { event } = e;
        if (event.type === 'SourceCited') {
          citations.cite(s.slug, batch.merges.canonical(event.data.sourceId), at.position);
        } else if (event.type === 'SourceUncited') {
          citations.uncite(s.slug, event.data.sourceId);
          citations.uncite(s.slug, batch.merges.canonical(event.data.sourceId));
        }
      },
      async flush() {
        await rows.flush();
        await citations.flush(trx);
      },
    };
  },
};
