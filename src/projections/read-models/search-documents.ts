import { sql } from 'kysely';
import type { EntityState } from '../../domain/entity';
import { idOf } from '../../domain/events';
import type { FactState } from '../../domain/fact';
import type { JsonValue } from '../../domain/fact-value';
import type { PageState } from '../../domain/page';
import type { RecordState } from '../../domain/record';
import type { SourceState } from '../../domain/source';
import { chunks, insertRows, tableSpec, unnestColumns, type Row } from '../bulk';
import { startsStream, type ProjectedEvent, type ReadModel } from '../read-model';
import type { FactlogTrx } from '../tables';

/** The kinds search finds (docs/api.md, "Search"); each document's id is the one its kind's own query takes. */
export const SEARCH_KINDS = ['entity', 'source', 'page', 'fact', 'record'] as const;
export type SearchKind = (typeof SEARCH_KINDS)[number];

/** A row of `search_documents`; its weighted `document` tsvector is a generated column (migrations/0010). */
export interface SearchDocumentsTable {
  kind: string;
  id: string;
  title: string;
  names: string;
  summary: string;
  details: string;
  tx_from: number;
  tx_to: number | null;
}

/** The `search_documents` table's written columns with their SQL types (not the generated `document`). */
export const SEARCH_DOCUMENTS = tableSpec('search_documents', {
  kind: 'text',
  id: 'text',
  title: 'text',
  names: 'text',
  summary: 'text',
  details: 'text',
  tx_from: 'bigint',
  tx_to: 'bigint',
});

/** What a thing's document says: its text by weight. */
export interface SearchText {
  title: string;
  /** Exact names (weight A with the title), ranked first on an exact match. */
  names: string[];
  /** Weight B. */
  summary: string[];
  /** Weight C. */
  details: string[];
}

const present = (xs: readonly (string | undefined | null)[]): string[] => [
  ...new Set(xs.filter((x): x is string => typeof x === 'string' && x.trim() !== '')),
];

/**
 * Every string and number inside a JSON value but object keys: what a reader could type of a fact value
 * or record field. Keys are visited in sorted order: a state read back from a jsonb column has its keys
 * in jsonb's order, not the event's, and the document must be the same bytes either way.
 */
function leaves(v: JsonValue | undefined, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v);
  else if (typeof v === 'number') out.push(String(v));
  else if (Array.isArray(v)) for (const x of v) leaves(x, out);
  else if (v && typeof v === 'object') for (const k of Object.keys(v).sort()) if (k !== 'kind') leaves(v[k], out);
  return out;
}

const entityText = (s: NonNullable<EntityState>): SearchText => {
  const f = s.fields;
  return {
    title: f.name,
    names: present([f.name, f.slug, f.numericId, ...(f.aliases ?? []), ...(s.formerSlugs ?? [])]),
    summary: present([f.description]),
    details: present([f.type, ...(f.tags ?? []), ...(f.customFields ?? []).map((c) => `${c.label}: ${c.value}`)]),
  };
};

const sourceText = (s: SourceState): SearchText | null => {
  if (s.mergedInto) return null;
  const f = s.fields;
  return {
    title: f.title ?? f.url,
    names: present([f.title, f.stableId]),
    summary: present([f.summary, f.abstract, ...(f.keyPoints ?? []), f.review]),
    details: present([...(f.authors ?? []), ...(f.tags ?? []), f.url]),
  };
};

const pageText = (s: PageState): SearchText => {
  const f = s.fields;
  return {
    title: f.title,
    names: present([f.title, s.slug, f.numericId]),
    summary: present([f.description]),
    details: present([f.subcategory, ...(f.clusters ?? []), f.pageType]),
  };
};

const factText = (s: FactState): SearchText | null => {
  if (s.retracted) return null;
  const f = s.fields;
  const value = present(leaves(f.value));
  return {
    title: `${f.propertyId}: ${value.join(', ')}`,
    names: [],
    summary: [],
    details: present([...value, f.notes, f.propertyId]),
  };
};

const recordText = (s: RecordState): SearchText | null => {
  if (s.removed) return null;
  return {
    title: `${s.collection} ${s.key}`,
    names: present([s.key]),
    summary: [],
    details: present([...leaves(s.fields), ...leaves(s.unchecked)]),
  };
};

/** A searchable thing's state, by kind. */
export type SearchableState =
  | { kind: 'entity'; state: NonNullable<EntityState> }
  | { kind: 'source'; state: SourceState }
  | { kind: 'page'; state: PageState }
  | { kind: 'fact'; state: FactState }
  | { kind: 'record'; state: RecordState };

/** The document of a thing in a state, or null when it is not to be found (retracted, removed, merged away). */
export function searchTextOf(t: SearchableState): SearchText | null {
  switch (t.kind) {
    case 'entity':
      return entityText(t.state);
    case 'source':
      return sourceText(t.state);
    case 'page':
      return pageText(t.state);
    case 'fact':
      return factText(t.state);
    case 'record':
      return recordText(t.state);
  }
}

/** The id a thing's document is kept under: the one its kind's own query takes. */
export function searchIdOf(t: SearchableState): string {
  return t.kind === 'page' ? t.state.slug : t.state.id;
}

/** The columns a document's text is stored in (lines joined by newlines). */
export type SearchColumns = Pick<SearchDocumentsTable, 'title' | 'names' | 'summary' | 'details'>;

export const searchColumns = (t: SearchText): SearchColumns => ({
  title: t.title,
  names: t.names.join('\n'),
  summary: t.summary.join('\n'),
  details: t.details.join('\n'),
});

export const sameColumns = (a: SearchColumns | null, b: SearchColumns | null): boolean =>
  a === b || (a !== null && b !== null && a.title === b.title && a.names === b.names && a.summary === b.summary && a.details === b.details);

type SearchEvent = ProjectedEvent<SearchKind>;

/**
 * Events that change only what no document reads: a page's citations (evolvePage), a source's cached
 * content and the sources merged into it (evolveSource). The things' documents stay as they were, so
 * these events are not even looked up; in a knowledge base most events are citations, and reading
 * their pages' documents back took 23 s of a 100k replay's database time. A test holds each of these
 * to leaving searchTextOf as it was (tests/projections/search-documents.test.ts).
 */
export const TEXT_UNCHANGED: ReadonlySet<SearchEvent['event']['type']> = new Set([
  'SourceCited',
  'SourceUncited',
  'SourceContentCaptured',
  'SourceMergedFrom',
] as const);

const keyOf = (kind: string, id: string): string => `${kind}\u0000${id}`;

/** The documents open at the batch's start for the things it touches: what a change is compared with. */
async function openDocuments(trx: FactlogTrx, keys: readonly { kind: string; id: string }[]): Promise<Map<string, SearchColumns>> {
  const out = new Map<string, SearchColumns>();
  for (const chunk of chunks(keys)) {
    const { rows } = await sql<SearchColumns & { kind: string; id: string }>`
      SELECT d.kind, d.id, d.title, d.names, d.summary, d.details
      FROM ${sql.table('search_documents')} d
      JOIN ${unnestColumns(
        [
          ['kind', 'text'],
          ['id', 'text'],
        ],
        chunk,
      )} AS x(kind, id) ON d.kind = x.kind AND d.id = x.id
      WHERE d.tx_to IS NULL AND d.id = ANY(${sql.val(chunk.map((k) => k.id))}::text[])`.execute(trx);
    for (const r of rows) out.set(keyOf(r.kind, r.id), { title: r.title, names: r.names, summary: r.summary, details: r.details });
  }
  return out;
}

/**
 * One versioned document per entity, source, page, fact and record, for search at any log position
 * (queries/search.ts). A thing's event opens a new version only when its searchable text changes (a
 * page citing one more source keeps its document), and ends the open one; a thing that can no longer
 * be found (retracted, removed, merged away) keeps no open version. The states are the ones
 * state-versions folded, and the facts' the facts model folded (`batch.facts`).
 */
export const searchDocuments: ReadModel<SearchKind> = {
  name: 'search-documents',
  tables: [SEARCH_DOCUMENTS],
  kinds: [...SEARCH_KINDS],
  async open(trx, events, batch) {
    // Only things that were there before the batch can have an open document (startsStream).
    const keys = new Map<string, { kind: string; id: string } | null>();
    for (const e of events) {
      if (TEXT_UNCHANGED.has(e.event.type)) continue;
      const key = keyOf(e.kind, idOf(e.event));
      if (!keys.has(key)) keys.set(key, startsStream(e.stored) ? null : { kind: e.kind, id: idOf(e.event) });
    }
    const current: Map<string, SearchColumns | null> = await openDocuments(
      trx,
      [...keys.values()].filter((k) => k !== null),
    );
    /** The rows opened in this batch, by thing, while still open: a later change ends them in memory. */
    let opened = new Map<string, Row<'search_documents'>>();
    let rows: Row<'search_documents'>[] = [];
    let closing: { kind: string; id: string; tx_to: number }[] = [];

    const stateOf = (e: SearchEvent): SearchableState => {
      if (e.kind === 'fact') {
        const state = batch.facts.get(e.event.data.id);
        if (!state)
          throw new Error(`projection bug: no state for fact ${e.event.data.id}; facts must come before search-documents in the registry`);
        return { kind: 'fact', state };
      }
      switch (e.kind) {
        case 'entity':
          return { kind: 'entity', state: batch.states.after(e) };
        case 'source':
          return { kind: 'source', state: batch.states.after(e) };
        case 'page':
          return { kind: 'page', state: batch.states.after(e) };
        case 'record':
          return { kind: 'record', state: batch.states.after(e) };
      }
    };

    return {
      apply(e) {
        if (TEXT_UNCHANGED.has(e.event.type)) return;
        const thing = stateOf(e);
        const id = searchIdOf(thing);
        const key = keyOf(e.kind, id);
        const text = searchTextOf(thing);
        const next = text ? searchColumns(text) : null;
        if (sameColumns(current.get(key) ?? null, next)) return;
        const open = opened.get(key);
        if (open) {
          open.tx_to = e.stored.position;
          opened.delete(key);
        } else if (current.get(key)) closing.push({ kind: e.kind, id, tx_to: e.stored.position });
        current.set(key, next);
        if (!next) return;
        const row: Row<'search_documents'> = { kind: e.kind, id, ...next, tx_from: e.stored.position, tx_to: null };
        opened.set(key, row);
        rows.push(row);
      },
      async flush() {
        for (const chunk of chunks(closing)) {
          await sql`
            UPDATE ${sql.table('search_documents')} d SET tx_to = x.tx_to
            FROM ${unnestColumns(
              [
                ['kind', 'text'],
                ['id', 'text'],
                ['tx_to', 'bigint'],
              ],
              chunk,
            )} AS x(kind, id, tx_to)
            WHERE d.kind = x.kind AND d.id = x.id AND d.tx_to IS NULL AND d.id = ANY(${sql.val(chunk.map((c) => c.id))}::text[])`.execute(
            trx,
          );
        }
        await insertRows(trx, SEARCH_DOCUMENTS, rows);
        opened = new Map();
        rows = [];
        closing = [];
      },
    };
  },
};
