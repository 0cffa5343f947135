import type { SourceState } from '../../domain/source';
import { LastRows, type Row } from '../bulk';
import { atOf, type At, type ReadModel } from '../read-model';

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
  tables: ['sources', 'source_content'],
  kinds: ['source'],
  async open(trx, _events, batch) {
    const rows = new LastRows(trx, 'sources', { key: ['id'], action: 'update' });
    const content = new LastRows(trx, 'source_content', { key: ['source_id'], action: 'update' });
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
      async flush() {
        await rows.flush();
        await content.flush();
      },
    };
  },
};
