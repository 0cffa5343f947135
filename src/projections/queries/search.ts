import { sql } from 'kysely';
import { badInput } from '../../domain/errors';
import { SEARCH_KINDS, type SearchKind } from '../read-models/search-documents';
import type { FactlogDb } from '../tables';

/** The longest query accepted, in characters: longer text is no search a reader types. */
export const MAX_SEARCH_LENGTH = 200;

/** Full-text hits below this many also bring the trigram matches of the names (typos). */
export const FEW_HITS = 5;

/**
 * The most candidates a search ranks from each tier (names and titles of entities and pages, which a
 * reader typing a name most often means and which are few; names and titles of the other kinds;
 * bodies): a common word matches tens of thousands of documents, and reading and ranking
 * them all cost a second. Past it, which candidates are ranked is the index's order, not a ranking.
 */
export const SEARCH_POOL = 1_000;

/** `totalCount` counts hits up to this many; past it, it says this many and `totalCountExact` is false. */
export const COUNT_LIMIT = 1_000;

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
  /** SEARCH_POOL and COUNT_LIMIT unless given (tests look at the limits with a few documents). */
  limits?: { pool: number; count: number };
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
  /** Every hit, or COUNT_LIMIT when there are more (then `totalCountExact` is false). */
  totalCount: number;
  totalCountExact: boolean;
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

interface SearchRow {
  kind: SearchKind;
  id: string;
  title: string;
  snippet: string;
  score: number;
  total: number;
  exact: boolean;
}

/**
 * The one statement of a search (see searchAt), as a builder: bench/search.ts sends the same SQL
 * straight to the database to measure what the gateway adds.
 */
export function searchStatement(options: SearchOptions) {
  const { tsquery, text } = parseSearchQuery(options.query);
  const kinds: readonly SearchKind[] = options.kinds && options.kinds.length > 0 ? options.kinds : SEARCH_KINDS;
  const position = options.position;
  const { pool, count } = options.limits ?? { pool: SEARCH_POOL, count: COUNT_LIMIT };
  const alive = sql`d.tx_from <= ${position} AND (d.tx_to IS NULL OR d.tx_to > ${position})`;
  const ofKinds = sql`d.kind = ANY(${sql.val([...kinds])}::text[])`;
  // The tsquery and the text are written into each condition rather than joined from a CTE: only a
  // condition on a value known at planning lets the planner probe the GIN indexes (migrations/0010, 0011).
  // The candidates carry only what ranking needs; the page's rows are read again for their text.
  const tsq = sql`to_tsquery('english', ${tsquery})`;
  const typed = sql`${text}::text`;
  // Each tier's kinds are written out as in its partial index (migrations/0011), so the planner can use it.
  // A tier none of whose kinds is asked for is a constant false, which the planner does not scan for.
  const named = (tier: 'first' | 'others') => {
    const asked = kinds.some((k) => (k === 'entity' || k === 'page') === (tier === 'first'));
    return sql`
      SELECT d.kind, d.id, d.tx_from, d.names, d.document, true AS in_names, 0::real AS sim
      FROM ${sql.table('search_documents')} d
      WHERE ${asked ? sql`true` : sql`false`} AND d.names_document @@ ${tsq}
        AND d.kind ${tier === 'first' ? sql`IN` : sql`NOT IN`} ('entity', 'page') AND ${alive} AND ${ofKinds}
      LIMIT ${pool}`;
  };
  const need = Math.max(options.offset + options.first + 1, FEW_HITS);
  const order = sql`array_position(${sql.val([...KIND_ORDER])}::text[], kind)`;
  return sql<SearchRow>`
    WITH named AS (
      (${named('first')}) UNION ALL (${named('others')})
    ),
    body AS (
      SELECT d.kind, d.id, d.tx_from, d.names, d.document, false AS in_names, 0::real AS sim
      FROM ${sql.table('search_documents')} d
      WHERE (SELECT count(*) FROM named) < ${need} AND d.document @@ ${tsq} AND NOT (d.names_document @@ ${tsq}) AND ${alive} AND ${ofKinds}
      LIMIT ${pool}
    ),
    fts AS (SELECT * FROM named UNION ALL SELECT * FROM body),
    fuzzy AS (
      SELECT d.kind, d.id, d.tx_from, d.names, d.document, false AS in_names, public.word_similarity(${typed}, d.names) AS sim
      FROM ${sql.table('search_documents')} d
      WHERE (SELECT count(*) FROM fts) < ${FEW_HITS} AND d.kind IN ('entity', 'page') AND ${typed} OPERATOR(public.<%) d.names AND ${alive}
        AND ${ofKinds} AND NOT EXISTS (SELECT 1 FROM fts f WHERE f.kind = d.kind AND f.id = d.id)
    ),
    counted AS (
      SELECT count(*) AS n FROM (
        SELECT 1 FROM ${sql.table('search_documents')} d WHERE d.document @@ ${tsq} AND ${alive} AND ${ofKinds} LIMIT ${count + 1}
      ) c
    ),
    scored AS (
      SELECT h.kind, h.id, h.tx_from,
        (CASE WHEN ${typed} = ANY(string_to_array(lower(h.names), E'\\n')) THEN (CASE WHEN h.kind = 'entity' THEN 100 ELSE 50 END) ELSE 0 END)
        + (CASE WHEN h.kind = 'entity' THEN 20 ELSE 10 END) * coalesce((
            SELECT max(length(${typed})::float8 / length(n)) FROM unnest(string_to_array(lower(h.names), E'\\n')) n
            WHERE left(n, length(${typed})) = ${typed}), 0)
        + (CASE WHEN h.in_names THEN 10 ELSE 0 END)
        + ts_rank_cd(h.document, ${tsq}, 32) + h.sim AS score
      FROM (SELECT * FROM fts UNION ALL SELECT * FROM fuzzy) h
    ),
    page AS (
      SELECT s.* FROM scored s
      ORDER BY s.score DESC, ${order}, s.id
      LIMIT ${options.first + 1} OFFSET ${options.offset}
    )
    SELECT p.kind, p.id, d.title, p.score::float8 AS score,
      (SELECT least(n, ${count}) FROM counted)::int + (SELECT count(*) FROM fuzzy)::int AS total,
      (SELECT n <= ${count} FROM counted) AS exact,
      ts_headline('english', replace(concat_ws(' … ', nullif(d.summary, ''), nullif(d.details, ''), d.title), E'\\n', ' · '), ${tsq},
        ${`StartSel=${SNIPPET_START}, StopSel=${SNIPPET_STOP}, MaxWords=24, MinWords=8`}) AS snippet
    FROM page p JOIN ${sql.table('search_documents')} d ON d.kind = p.kind AND d.id = p.id AND d.tx_from = p.tx_from
    ORDER BY p.score DESC, array_position(${sql.val([...KIND_ORDER])}::text[], p.kind), p.id`;
}

/**
 * Search at a log position (docs/api.md, "Search"): full text over the weighted documents (names and
 * titles A, summaries B, details C; English stemming), the last word a prefix. Candidates come in
 * tiers, each at most SEARCH_POOL: the entities and pages whose names or title hold the words, then the
 * other kinds' (migrations/0011), and only when those are too few for the page, the documents holding
 * the words in their bodies alone. When all of that finds fewer than FEW_HITS, the entities and pages
 * whose names are within trigram word similarity of the text (pg_trgm's word_similarity_threshold, 0.6
 * by default) join them.
 * Score: an exact name (100 for an entity, 50 for another kind); plus, when a name starts with the
 * text, 20 (entity) or 10 times the share of that name typed (search as you type: "anthr" ranks
 * "Anthropic" above "Anthropic IPO"); plus 10 when the words are in its names or title; plus ts_rank_cd
 * normalized to [0, 1); plus the trigram similarity of a fuzzy hit. A body-only hit therefore never
 * outranks a names hit, which is what lets the bodies wait. One statement; the snippets are made for
 * the returned page only.
 */
export async function searchAt(db: FactlogDb, options: SearchOptions): Promise<SearchPage> {
  const { rows } = await searchStatement(options).execute(db);
  const hits = rows
    .slice(0, options.first)
    .map((r) => ({ kind: r.kind, id: r.id, title: r.title, snippet: r.snippet, score: Number(r.score) }));
  const hasNextPage = rows.length > options.first;
  if (rows.length > 0) return { hits, hasNextPage, totalCount: Number(rows[0].total), totalCountExact: rows[0].exact };
  // A page past the end has no row to carry the count: ask for it alone (rare: a cursor beyond the hits).
  if (options.offset === 0) return { hits, hasNextPage, totalCount: 0, totalCountExact: true };
  const { totalCount, totalCountExact } = await searchAt(db, { ...options, offset: 0, first: 0 });
  return { hits, hasNextPage, totalCount, totalCountExact };
}
