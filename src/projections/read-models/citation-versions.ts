import { sql } from 'kysely';
import { chunks, insertRows, tableSpec, unnestColumns, type Row } from '../bulk';
import { unhandledEvent, type ReadModel } from '../read-model';
import type { FactlogTrx } from '../tables';

export interface CitationVersionsTable {
  page_slug: string;
  source_id: string;
  tx_from: number;
  tx_to: number | null;
}

/** The `citation_versions` table's columns with their SQL types. */
export const CITATION_VERSIONS = tableSpec('citation_versions', {
  page_slug: 'text',
  source_id: 'text',
  tx_from: 'bigint',
  tx_to: 'bigint',
});

const key = (slug: string, sourceId: string): string => `${slug}\u0000${sourceId}`;

/** Ends the open span of each (page, source) pair at the given position: one statement per chunk. */
async function closeSpans(trx: FactlogTrx, closing: readonly { page_slug: string; source_id: string; tx_to: number }[]): Promise<void> {
  for (const chunk of chunks(closing)) {
    await sql`
      UPDATE ${sql.table('citation_versions')} v SET tx_to = x.tx_to
      FROM ${unnestColumns(
        [
          ['page_slug', 'text'],
          ['source_id', 'text'],
          ['tx_to', 'bigint'],
        ],
        chunk,
      )} AS x(page_slug, source_id, tx_to)
      WHERE v.page_slug = x.page_slug AND v.source_id = x.source_id AND v.tx_to IS NULL`.execute(trx);
  }
}

/**
 * Each span of log positions `[tx_from, tx_to)` in which a page cited a source, so that "which pages
 * cite this source at P" is an index probe (queries/things.ts, `pagesCitingAt`) rather than a scan of
 * page states. Spans name the source as cited; a merge is followed by the reader, which asks for the
 * merged-away ids too.
 */
export const citationVersions: ReadModel<'page'> = {
  name: 'citation-versions',
  tables: [CITATION_VERSIONS],
  kinds: ['page'],
  async open(trx) {
    // Spans opened in this batch, by pair, until flushed; spans opened earlier are closed by UPDATE.
    let opened = new Map<string, Row<'citation_versions'>>();
    let openedInOrder: Row<'citation_versions'>[] = [];
    let closing: { page_slug: string; source_id: string; tx_to: number }[] = [];
    return {
      apply({ event, stored }) {
        switch (event.type) {
          case 'SourceCited': {
            const row = { page_slug: event.data.slug, source_id: event.data.sourceId, tx_from: stored.position, tx_to: null };
            opened.set(key(row.page_slug, row.source_id), row);
            openedInOrder.push(row);
            return;
          }
          case 'SourceUncited': {
            const k = key(event.data.slug, event.data.sourceId);
            const span = opened.get(k);
            if (span) {
              span.tx_to = stored.position;
              opened.delete(k);
            } else closing.push({ page_slug: event.data.slug, source_id: event.data.sourceId, tx_to: stored.position });
            return;
          }
          case 'PageCreated':
          case 'PageUpdated':
            return;
          default:
            return unhandledEvent(event);
        }
      },
      async flush() {
        await closeSpans(trx, closing);
        await insertRows(trx, CITATION_VERSIONS, openedInOrder);
        opened = new Map();
        openedInOrder = [];
        closing = [];
      },
    };
  },
};
