import { sql } from 'kysely';
import { badInput } from '../../domain/errors';
import { SEARCH_KINDS, type SearchKind } from '../read-models/search-documents';
import type { FactlogDb } from '../tables';

/** The longest query accepted, in characters: longer text is no search a reader types. */
export const MAX_SEARCH_LENGTH = 200;

/** Full-text hits below this many also bring the trigram matches of the names (typos). */
export const FEW_HITS = 5;

/** The marks around each matched word in a snippet: guillemets, so no client renders stored text as HTML. */
export const SNIPPET_START = '«';
export const SNIPPET_STOP = '»';

/** The order of kinds among equal scores: what a name most often means first. */
const KIND_ORDER: readonly SearchKind[] = ['entity', 'page', 'source', 'record', 'fact'];

export interface SearchOptions {
  query: string;
  /** Only these kinds (default: every one). */
  kinds?: readonly SearchKind[];
  /** The log position to search at: documents believed then. */
  position: number;
  first: number;
  offset: number;
}

export interface SearchHit {
  kind: SearchKind;
  id: string;
  title: string;
  /** Text around the matched words, each marked «like this». */
  snippet: string;
  score: number;
}

export interface SearchPage {
  hits: SearchHit[];
  hasNextPage: boolean;
  totalCount: number;
}

/** The query's words: letters and digits, whatever separates them. */
const wordsOf = (text: string): string[] => text.match(/[\p{L}\p{N}]+/gu) ?? [];

/**
 * A query as the store searches it: its words ANDed into a tsquery, the last as a prefix (`anthr:*`)
 * for search as you type, and its normalized text for exact-name and trigram matching. Refuses empty
 * or over-long text, and text without a word.
 */
export function parseSearchQuery(query: string): { tsquery: string; text: string } {
  const text = query.trim().replace(/\s+/g, ' ').toLowerCase();
  if (text === '') throw badInput(['query'], 'query: is empty; type a word to search for');
  if (query.length > MAX_SEARCH_LENGTH)
    throw badInput(['query'], `query: is ${query.length} characters long; at most ${MAX_SEARCH_LENGTH} are searched`);
  const words = wordsOf(text);
  if (words.length === 0) throw badInput(['query'], `query: "${query}" has no letter or digit to search for`);
  const tsquery = words.map((w, i) => (i === words.length - 1 ? `${w}:*` : w)).join(' & ');
  return { tsquery, text };
}

/**
 * Search at a log position (docs/api.md, "Search"): full text over the weighted documents (names and
 * titles A, summaries B, details C; English stemming), the last word a prefix; when that finds fewer
 * than FEW_HITS, the documents whose names are within trigram word similarity of the text join them.
 * Score: an exact name (100 for an entity, 50 for another kind); plus, when a name starts with the
 * text, 20 (entity) or 10 times the share of that name typed (search as you type: "anthr" ranks
 * "Anthropic" above "Anthropic IPO"); plus 10 when the title matches; plus ts_rank_cd normalized to
 * [0, 1); plus the trigram similarity of a fuzzy hit. One statement; the
 * snippets are made for the returned page only.
 */
export async function searchAt(db: FactlogDb, options: SearchOptions): Promise<SearchPage> {
  const { tsquery, text } = parseSearchQuery(options.query);
  const kinds = [...(options.kinds && options.kinds.length > 0 ? options.kinds : SEARCH_KINDS)];
  const position = options.position;
  const alive = sql`d.tx_from <= ${position} AND (d.tx_to IS NULL OR d.tx_to > ${position}) AND d.kind = ANY(${sql.val(kinds)}::text[])`;
  const { rows } = await sql<{ kind: SearchKind; id: string; title: string; snippet: string; score: number; total: number }>`
    WITH q AS (SELECT to_tsquery('english', ${tsquery}) AS tsq, ${text}::text AS text),
    fts AS (
      SELECT d.kind, d.id, d.title, d.names, d.summary, d.details, d.document, 0::real AS sim
      FROM ${sql.table('search_documents')} d, q
      WHERE d.document @@ q.tsq AND ${alive}
    ),
    fuzzy AS (
      SELECT d.kind, d.id, d.title, d.names, d.summary, d.details, d.document, public.word_similarity(q.text, d.names) AS sim
      FROM ${sql.table('search_documents')} d, q
      WHERE (SELECT count(*) FROM fts) < ${FEW_HITS} AND q.text OPERATOR(public.<%) d.names AND ${alive}
        AND NOT EXISTS (SELECT 1 FROM fts f WHERE f.kind = d.kind AND f.id = d.id)
    ),
    scored AS (
      SELECT h.kind, h.id, h.title, h.summary, h.details,
        (CASE WHEN q.text = ANY(string_to_array(lower(h.names), E'\\n')) THEN (CASE WHEN h.kind = 'entity' THEN 100 ELSE 50 END) ELSE 0 END)
        + (CASE WHEN h.kind = 'entity' THEN 20 ELSE 10 END) * coalesce((
            SELECT max(length(q.text)::float8 / length(n)) FROM unnest(string_to_array(lower(h.names), E'\n')) n
            WHERE left(n, length(q.text)) = q.text), 0)
        + (CASE WHEN to_tsvector('english', h.title) @@ q.tsq THEN 10 ELSE 0 END)
        + ts_rank_cd(h.document, q.tsq, 32) + h.sim AS score
      FROM (SELECT * FROM fts UNION ALL SELECT * FROM fuzzy) h, q
    ),
    page AS (
      SELECT s.*, count(*) OVER () AS total
      FROM scored s
      ORDER BY s.score DESC, array_position(${sql.val([...KIND_ORDER])}::text[], s.kind), s.id
      LIMIT ${options.first + 1} OFFSET ${options.offset}
    )
    SELECT p.kind, p.id, p.title, p.score::float8 AS score, p.total::int AS total,
      ts_headline('english', replace(concat_ws(' … ', nullif(p.summary, ''), nullif(p.details, ''), p.title), E'\n', ' · '), q.tsq,
        ${`StartSel=${SNIPPET_START}, StopSel=${SNIPPET_STOP}, MaxWords=24, MinWords=8, MaxFragments=2, FragmentDelimiter=" … "`}) AS snippet
    FROM page p, q
    ORDER BY p.score DESC, array_position(${sql.val([...KIND_ORDER])}::text[], p.kind), p.id`.execute(db);
  const hits = rows
    .slice(0, options.first)
    .map((r) => ({ kind: r.kind, id: r.id, title: r.title, snippet: r.snippet, score: Number(r.score) }));
  // A page past the end has no row to carry the count: ask for it alone (rare: a cursor beyond the hits).
  const totalCount = rows.length > 0 ? Number(rows[0].total) : options.offset === 0 ? 0 : await countAt(db, options);
  return { hits, hasNextPage: rows.length > options.first, totalCount };
}

/** The number of hits alone, for a page past the last. */
async function countAt(db: FactlogDb, options: SearchOptions): Promise<number> {
  const all = await searchAt(db, { ...options, offset: 0, first: 0 });
  return all.totalCount;
}
