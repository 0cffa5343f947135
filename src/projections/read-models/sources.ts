import type { SourceState } from '../../domain/source';
import { LastRows, tableSpec, type Row } from '../bulk';
import { atOf, flushInOrder, type At, type ReadModel } from '../read-model';
import type { Json, NullableTimestamp } from '../tables';

export interface SourcesTable {
  id: string;
  stable_id: string;
  url: string;
  title: string | null;
  type: string | null;
  authors: Json<string[]>;
  published_date: string | null;
  publication_id: string | null;
  credibility_override: number | null;
  abstract: string | null;
  summary: string | null;
  review: string | null;
  key_points: Json<string[]>;
  tags: Json<string[]>;
  merged_into: string | null;
  version: number;
  position: number;
}

/** The `sources` table's columns with their SQL types. */
export const SOURCES = tableSpec('sources', {
  id: 'text',
  stable_id: 'text',
  url: 'text',
  title: 'text',
  type: 'text',
  authors: 'jsonb',
  published_date: 'text',
  publication_id: 'text',
  credibility_override: 'integer',
  abstract: 'text',
  summary: 'text',
  review: 'text',
  key_points: 'jsonb',
  tags: 'jsonb',
  merged_into: 'text',
  version: 'integer',
  position: 'bigint',
});

export interface SourceContentTable {
  source_id: string;
  text: string;
  length: number;
  content_hash: string;
  fetched_at: NullableTimestamp;
  http_status: number | null;
  content_type: string | null;
}

/** The `source_content` table's columns with their SQL types. */
export const SOURCE_CONTENT = tableSpec('source_content', {
  source_id: 'text',
  text: 'text',
  length: 'integer',
  content_hash: 'text',
  fetched_at: 'timestamptz',
  http_status: 'integer',
  content_type: 'text',
});

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

/** The current row of every source, and its captured content (`source_content`). */
export const sources: ReadModel<'source'> = {
  name: 'sources',
  tables: [SOURCES, SOURCE_CONTENT],
  kinds: ['source'],
  async open(trx, _events, batch) {
    const rows = new LastRows(trx, SOURCES, { key: ['id'], action: 'update' });
    const content = new LastRows(trx, SOURCE_CONTENT, { key: ['source_id'], action: 'update' });
    return {
      apply(e) {
        const s = batch.states.after(e);
        rows.set(s.id, sourceRow(s, atOf(e)));
        // The content row changes only when content is captured, so a later event cannot have a newer one.
        if (e.event.type === 'SourceContentCaptured') {
          const row = sourceContentRow(s);
          if (row) content.set(s.id, row);
        }
      },
      flush: flushInOrder(rows, content),
    };
  },
};
