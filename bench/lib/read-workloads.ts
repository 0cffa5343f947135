import type pg from 'pg';
import { asOfInstant, parsePartialDate } from '../../src/domain/partial-date';
import { EXAMPLE_QUERY } from '../../src/playground/example-query';
import { graphql } from './load';

/**
 * The read workloads, each in four equivalent forms over the same database: Factlog's GraphQL, the
 * same answer as direct SQL (Baseline 1), PostGraphile v4 over the read-model tables (Baseline 2), and
 * PostGraphile 5 over the same tables (Baseline 3; Amber's names: `rowId` for `id`, functions named
 * with their schema). Parameters are drawn up front from the store itself, so every side gets the same
 * sequence.
 */

export interface GraphQLRequest {
  query: string;
  variables: Record<string, unknown>;
}

export interface Workload {
  name: string;
  description: string;
  /** Request i (cycled) for each side. */
  factlog(i: number): GraphQLRequest;
  sql(i: number): { text: string; values: unknown[] };
  postgraphile(i: number): GraphQLRequest;
  postgraphile5(i: number): GraphQLRequest;
  size: number;
  /** What must agree between the four sides' answers to request i (checked before measuring). */
  agree: { factlog(data: any): string; sql(rows: any[]): string; postgraphile(data: any): string; postgraphile5(data: any): string };
}
/* eslint-disable @typescript-eslint/no-explicit-any */
const s = (x: unknown): string => JSON.stringify(x ?? null);

// ---- (a) and (b): the point query ----

const FACTLOG_POINT = `query Point($id: ID!, $property: ID!, $asOf: PartialDate) {
  entity(id: $id) { name value(property: $property, asOf: $asOf) { id displayValue asOf } }
}`;
const FACTLOG_POINT_KNOWN = `query PointKnown($id: ID!, $property: ID!, $asOf: PartialDate, $knownAt: DateTime) {
  entity(id: $id, knownAt: $knownAt) { name value(property: $property, asOf: $asOf) { id displayValue asOf } }
}`;

/** docs/domain.md's "value as of a time" at the head, as one statement (the order is Factlog's: rank, then fact id). */
export const SQL_POINT = `
SELECT e.name, f.fact_id, f.value, f.as_of, p.unit, p.display
FROM entities e
LEFT JOIN LATERAL (
  SELECT fv.fact_id, fv.value, fv.as_of FROM fact_versions fv
  WHERE fv.entity_id = e.id AND fv.property_id = $2 AND fv.tx_to IS NULL AND NOT fv.retracted AND fv.rank <> 'deprecated'
    AND (fv.valid_from IS NULL OR fv.valid_from <= $3) AND (fv.valid_to IS NULL OR fv.valid_to > $3)
  ORDER BY fv.valid_from IS NULL, fv.valid_from DESC, (fv.rank = 'preferred') DESC, fv.fact_id
  LIMIT 1) f ON true
LEFT JOIN properties p ON p.id = $2
WHERE e.id = $1`;

/** The same, known at K: K → the last position recorded at or before it, then the versions believed there. */
export const SQL_POINT_KNOWN = `
WITH pos AS (SELECT coalesce((SELECT position FROM events WHERE recorded_at <= $4 ORDER BY recorded_at DESC, position DESC LIMIT 1), 0) AS p)
SELECT sv.state->'fields'->>'name' AS name, f.fact_id, f.value, f.as_of, pr.unit, pr.display
FROM pos
JOIN state_versions sv ON sv.stream = 'entity-' || $1 AND sv.tx_from <= pos.p AND (sv.tx_to IS NULL OR sv.tx_to > pos.p)
LEFT JOIN LATERAL (
  SELECT fv.fact_id, fv.value, fv.as_of FROM fact_versions fv
  WHERE fv.entity_id = $1 AND fv.property_id = $2 AND fv.tx_from <= pos.p AND (fv.tx_to IS NULL OR fv.tx_to > pos.p)
    AND NOT fv.retracted AND fv.rank <> 'deprecated'
    AND (fv.valid_from IS NULL OR fv.valid_from <= $3) AND (fv.valid_to IS NULL OR fv.valid_to > $3)
  ORDER BY fv.valid_from IS NULL, fv.valid_from DESC, (fv.rank = 'preferred') DESC, fv.fact_id
  LIMIT 1) f ON true
LEFT JOIN properties pr ON pr.id = $2`;

/** PostGraphile serves functions as root fields: these two are the point query in its idiom. */
export const POSTGRAPHILE_SETUP = `
CREATE SCHEMA IF NOT EXISTS bench_pgl;
CREATE OR REPLACE FUNCTION bench_pgl.value_at(entity text, property text, t timestamptz) RETURNS SETOF public.fact_versions
LANGUAGE sql STABLE AS $$
  SELECT fv.* FROM public.fact_versions fv
  WHERE fv.entity_id = entity AND fv.property_id = property AND fv.tx_to IS NULL AND NOT fv.retracted AND fv.rank <> 'deprecated'
    AND (fv.valid_from IS NULL OR fv.valid_from <= t) AND (fv.valid_to IS NULL OR fv.valid_to > t)
  ORDER BY fv.valid_from IS NULL, fv.valid_from DESC, (fv.rank = 'preferred') DESC, fv.fact_id
  LIMIT 1 $$;
CREATE OR REPLACE FUNCTION bench_pgl.value_known(entity text, property text, t timestamptz, k timestamptz) RETURNS SETOF public.fact_versions
LANGUAGE sql STABLE AS $$
  WITH pos AS (SELECT coalesce((SELECT position FROM public.events WHERE recorded_at <= k ORDER BY recorded_at DESC, position DESC LIMIT 1), 0) AS p)
  SELECT fv.* FROM public.fact_versions fv, pos
  WHERE fv.entity_id = entity AND fv.property_id = property AND fv.tx_from <= pos.p AND (fv.tx_to IS NULL OR fv.tx_to > pos.p)
    AND NOT fv.retracted AND fv.rank <> 'deprecated'
    AND (fv.valid_from IS NULL OR fv.valid_from <= t) AND (fv.valid_to IS NULL OR fv.valid_to > t)
  ORDER BY fv.valid_from IS NULL, fv.valid_from DESC, (fv.rank = 'preferred') DESC, fv.fact_id
  LIMIT 1 $$;
-- The read models have no foreign keys (projections write them); PostGraphile's smart comments name
-- the relations so it can follow them.
COMMENT ON TABLE public.sources IS E'@foreignKey (publication_id) references publications (id)';
COMMENT ON TABLE public.page_citations IS E'@foreignKey (source_id) references sources (id)\\n@foreignKey (page_slug) references pages (slug)';
COMMENT ON TABLE public.fact_citations IS E'@foreignKey (source_id) references sources (id)\\n@foreignKey (fact_id) references facts (id)';
COMMENT ON TABLE public.facts IS E'@foreignKey (entity_id) references entities (id)\\n@foreignKey (property_id) references properties (id)';
COMMENT ON TABLE public.source_content IS E'@foreignKey (source_id) references sources (id)';
COMMENT ON TABLE public.pages IS E'@foreignKey (entity_id) references entities (id)';
`;

const PGL_POINT = `query Point($e: String!, $p: String!, $t: Datetime!) {
  entityById(id: $e) { name }
  valueAt(entity: $e, property: $p, t: $t) { nodes { factId value asOf } }
  propertyById(id: $p) { unit display }
}`;
const PGL_POINT_KNOWN = `query PointKnown($e: String!, $p: String!, $t: Datetime!, $k: Datetime!) {
  valueKnown(entity: $e, property: $p, t: $t, k: $k) { nodes { factId value asOf } }
  propertyById(id: $p) { unit display }
}`;

const PGL5_POINT = `query Point($e: String!, $p: String!, $t: Datetime!) {
  entityByRowId(rowId: $e) { name }
  benchPglValueAt(entity: $e, property: $p, t: $t) { nodes { factId value asOf } }
  propertyByRowId(rowId: $p) { unit display }
}`;
const PGL5_POINT_KNOWN = `query PointKnown($e: String!, $p: String!, $t: Datetime!, $k: Datetime!) {
  benchPglValueKnown(entity: $e, property: $p, t: $t, k: $k) { nodes { factId value asOf } }
  propertyByRowId(rowId: $p) { unit display }
}`;

interface PointParams {
  entity: string;
  property: string;
  asOf: string;
  t: string;
  knownAt: string;
}

/** `n` random (entity, property, T, K): pairs that have facts, T over the series' years, K over the log's life. */
export async function pointParams(pool: pg.Pool, n: number, seed: number): Promise<PointParams[]> {
  await pool.query('SELECT setseed($1)', [(seed % 1000) / 1000]);
  const pairs = (
    await pool.query<{ entity_id: string; property_id: string }>(
      'SELECT entity_id, property_id FROM (SELECT DISTINCT entity_id, property_id FROM facts) x ORDER BY random() LIMIT $1',
      [n],
    )
  ).rows;
  const span = (await pool.query<{ lo: Date; hi: Date }>('SELECT min(recorded_at) AS lo, max(recorded_at) AS hi FROM events')).rows[0];
  let x = seed >>> 0;
  const random = () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 4294967296;
  };
  return pairs.map((p) => {
    const asOf = `${2014 + Math.floor(random() * 13)}-${String(1 + Math.floor(random() * 12)).padStart(2, '0')}`;
    const parsed = parsePartialDate(asOf, 'asOf');
    if (!parsed.ok) throw new Error(asOf);
    const k = new Date(span.lo.getTime() + random() * (span.hi.getTime() - span.lo.getTime()));
    return { entity: p.entity_id, property: p.property_id, asOf, t: asOfInstant(parsed.value).toISOString(), knownAt: k.toISOString() };
  });
}

export function pointWorkload(params: PointParams[]): Workload {
  return {
    name: 'point',
    description: 'entity(id){ value(property, asOf) } at random (entity, property, T)',
    size: params.length,
    agree: {
      factlog: (d) => s(d.entity?.value?.id),
      sql: (rows) => s(rows[0]?.fact_id),
      postgraphile: (d) => s(d.valueAt.nodes[0]?.factId),
      postgraphile5: (d) => s(d.benchPglValueAt.nodes[0]?.factId),
    },
    factlog: (i) => {
      const p = params[i % params.length];
      return { query: FACTLOG_POINT, variables: { id: p.entity, property: p.property, asOf: p.asOf } };
    },
    sql: (i) => {
      const p = params[i % params.length];
      return { text: SQL_POINT, values: [p.entity, p.property, p.t] };
    },
    postgraphile: (i) => {
      const p = params[i % params.length];
      return { query: PGL_POINT, variables: { e: p.entity, p: p.property, t: p.t } };
    },
    postgraphile5: (i) => {
      const p = params[i % params.length];
      return { query: PGL5_POINT, variables: { e: p.entity, p: p.property, t: p.t } };
    },
  };
}

export function pointKnownWorkload(params: PointParams[]): Workload {
  return {
    name: 'point+knownAt',
    description: 'the same, known at a random instant K of the log',
    size: params.length,
    agree: {
      factlog: (d) => s(d.entity?.value?.id),
      sql: (rows) => s(rows[0]?.fact_id),
      postgraphile: (d) => s(d.valueKnown.nodes[0]?.factId),
      postgraphile5: (d) => s(d.benchPglValueKnown.nodes[0]?.factId),
    },
    factlog: (i) => {
      const p = params[i % params.length];
      return { query: FACTLOG_POINT_KNOWN, variables: { id: p.entity, property: p.property, asOf: p.asOf, knownAt: p.knownAt } };
    },
    sql: (i) => {
      const p = params[i % params.length];
      return { text: SQL_POINT_KNOWN, values: [p.entity, p.property, p.t, p.knownAt] };
    },
    postgraphile: (i) => {
      const p = params[i % params.length];
      return { query: PGL_POINT_KNOWN, variables: { e: p.entity, p: p.property, t: p.t, k: p.knownAt } };
    },
    postgraphile5: (i) => {
      const p = params[i % params.length];
      return { query: PGL5_POINT_KNOWN, variables: { e: p.entity, p: p.property, t: p.t, k: p.knownAt } };
    },
  };
}

// ---- (c) the example page ----

// docs/api.md's example query itself, with the source as a variable so each request can ask for another.
const FACTLOG_PAGE = EXAMPLE_QUERY.replace('query SourcePage {', 'query SourcePage($id: ID!) {').replace(
  'source(id: "YmFkZjUwMz")',
  'source(id: $id)',
);
if (!FACTLOG_PAGE.includes('source(id: $id)')) throw new Error('the example query changed shape: update bench/lib/read-workloads.ts');

const SQL_PAGE = `
SELECT s.id, s.stable_id, s.title, s.type, s.summary, s.key_points, s.credibility_override, pub.name AS publication, pub.credibility,
  (SELECT count(*) FROM page_citations pc WHERE pc.source_id = s.id) AS cited_total,
  (SELECT json_agg(x) FROM (SELECT p.title, p.quality, e.type FROM page_citations pc JOIN pages p ON p.slug = pc.page_slug
     LEFT JOIN entities e ON e.id = p.entity_id WHERE pc.source_id = s.id ORDER BY p.slug LIMIT 50) x) AS cited_by,
  (SELECT json_agg(x) FROM (SELECT e.name AS entity, pr.name AS property, f.value, f.as_of FROM fact_citations fc
     JOIN facts f ON f.id = fc.fact_id AND NOT f.retracted AND f.rank <> 'deprecated'
     JOIN entities e ON e.id = f.entity_id JOIN properties pr ON pr.id = f.property_id WHERE fc.source_id = s.id ORDER BY f.id) x) AS facts,
  left(sc.text, 400) AS preview, sc.length
FROM sources s LEFT JOIN publications pub ON pub.id = s.publication_id LEFT JOIN source_content sc ON sc.source_id = s.id
WHERE s.id = $1`;

const PGL_PAGE = `query SourcePage($id: String!) {
  sourceById(id: $id) {
    id stableId title type summary keyPoints credibilityOverride
    publicationByPublicationId { name credibility }
    pageCitationsBySourceId(first: 50, orderBy: PAGE_SLUG_ASC) { totalCount nodes { pageByPageSlug { title quality entityByEntityId { type } } } }
    factCitationsBySourceId { totalCount nodes { factByFactId { retracted rank value asOf entityByEntityId { name } propertyByPropertyId { name } } } }
    sourceContentBySourceId { text length }
  }
}`;

const PGL5_PAGE = `query SourcePage($id: String!) {
  sourceByRowId(rowId: $id) {
    rowId stableId title type summary keyPoints credibilityOverride
    publicationByPublicationId { name credibility }
    pageCitationsBySourceId(first: 50, orderBy: PAGE_SLUG_ASC) { totalCount nodes { pageByPageSlug { title quality entityByEntityId { type } } } }
    factCitationsBySourceId { totalCount nodes { factByFactId { retracted rank value asOf entityByEntityId { name } propertyByPropertyId { name } } } }
    sourceContentBySourceId { text length }
  }
}`;

/** The facts a source page shows: PostGraphile serves every citation, Factlog leaves out retracted and deprecated facts. */
const shownFacts = (nodes: any[]) =>
  nodes.filter((n: any) => n.factByFactId && !n.factByFactId.retracted && n.factByFactId.rank !== 'deprecated').length;

/** Sources that pages and facts both cite: the ones whose page has something to show. */
export async function pageSourceIds(pool: pg.Pool, n: number): Promise<string[]> {
  const rows = (
    await pool.query<{ source_id: string }>(
      'SELECT source_id FROM (SELECT source_id FROM fact_citations INTERSECT SELECT source_id FROM page_citations) x ORDER BY md5(source_id) LIMIT $1',
      [n],
    )
  ).rows;
  return rows.map((r) => r.source_id);
}

export function pageWorkload(ids: string[]): Workload {
  return {
    name: 'example page',
    description: 'the example-page query (docs/api.md) for sources with citing pages and facts',
    size: ids.length,
    agree: {
      factlog: (d) => `${d.source.citedBy.totalCount}/${d.source.facts.totalCount}`,
      sql: (rows) => `${rows[0].cited_total}/${rows[0].facts?.length ?? 0}`,
      postgraphile: (d) => `${d.sourceById.pageCitationsBySourceId.totalCount}/${shownFacts(d.sourceById.factCitationsBySourceId.nodes)}`,
      postgraphile5: (d) =>
        `${d.sourceByRowId.pageCitationsBySourceId.totalCount}/${shownFacts(d.sourceByRowId.factCitationsBySourceId.nodes)}`,
    },
    factlog: (i) => ({ query: FACTLOG_PAGE, variables: { id: ids[i % ids.length] } }),
    sql: (i) => ({ text: SQL_PAGE, values: [ids[i % ids.length]] }),
    postgraphile: (i) => ({ query: PGL_PAGE, variables: { id: ids[i % ids.length] } }),
    postgraphile5: (i) => ({ query: PGL5_PAGE, variables: { id: ids[i % ids.length] } }),
  };
}

// ---- (d) a page of 20 sources with citing pages and facts ----

const FACTLOG_LIST = `query Sources($after: String) {
  sources(first: 20, after: $after) {
    nodes { id title citedBy(first: 10) { totalCount nodes { slug title } } facts(first: 10) { totalCount nodes { id displayValue } } }
  }
}`;

const SQL_LIST = `
SELECT s.id, s.title,
  (SELECT count(*) FROM page_citations pc WHERE pc.source_id = s.id) AS pages_total,
  (SELECT json_agg(x) FROM (SELECT p.slug, p.title FROM page_citations pc JOIN pages p ON p.slug = pc.page_slug WHERE pc.source_id = s.id ORDER BY p.slug LIMIT 10) x) AS pages,
  (SELECT count(*) FROM fact_citations fc JOIN facts f ON f.id = fc.fact_id AND NOT f.retracted AND f.rank <> 'deprecated' WHERE fc.source_id = s.id) AS facts_total,
  (SELECT json_agg(x) FROM (SELECT f.id, f.value FROM fact_citations fc JOIN facts f ON f.id = fc.fact_id AND NOT f.retracted AND f.rank <> 'deprecated'
     WHERE fc.source_id = s.id ORDER BY f.id LIMIT 10) x) AS facts
FROM sources s WHERE s.merged_into IS NULL AND s.id > $1 ORDER BY s.id LIMIT 20`;

const PGL_LIST = `query Sources($after: Cursor) {
  allSources(first: 20, after: $after, orderBy: PRIMARY_KEY_ASC) {
    nodes { id title
      pageCitationsBySourceId(first: 10, orderBy: PAGE_SLUG_ASC) { totalCount nodes { pageByPageSlug { slug title } } }
      factCitationsBySourceId(first: 10, orderBy: FACT_ID_ASC) { totalCount nodes { factByFactId { id value retracted rank } } } }
  }
}`;

const PGL5_LIST = `query Sources($after: Cursor) {
  allSources(first: 20, after: $after, orderBy: PRIMARY_KEY_ASC) {
    nodes { rowId title
      pageCitationsBySourceId(first: 10, orderBy: PAGE_SLUG_ASC) { totalCount nodes { pageByPageSlug { slug title } } }
      factCitationsBySourceId(first: 10, orderBy: FACT_ID_ASC) { totalCount nodes { factByFactId { rowId value retracted rank } } } }
  }
}`;

/**
 * PostGraphile 5's cursors are base64 JSON of [digest of the order, ...key]; the digest is its own
 * (a hash of the ORDER BY), so it is read from the server: the first cursor of the same order.
 */
export async function postgraphile5CursorDigest(url: string): Promise<string> {
  const r = await graphql(url, { query: '{ allSources(first: 1, orderBy: PRIMARY_KEY_ASC) { edges { cursor } } }', variables: {} });
  const cursor: unknown = (r.data as any)?.allSources?.edges?.[0]?.cursor;
  if (typeof cursor !== 'string') throw new Error(`PostGraphile 5 gave no cursor for allSources: ${JSON.stringify(r)}`);
  const decoded: unknown = JSON.parse(Buffer.from(cursor, 'base64').toString('utf8'));
  if (!Array.isArray(decoded) || typeof decoded[0] !== 'string') throw new Error(`unexpected PostGraphile 5 cursor ${cursor}`);
  return decoded[0];
}

/** Random starting points in the source list (keyset cursors for all three sides). */
export async function listStarts(pool: pg.Pool, n: number): Promise<string[]> {
  return (await pool.query<{ id: string }>("SELECT id FROM sources ORDER BY md5(id || 'start') LIMIT $1", [n])).rows.map((r) => r.id);
}

/** `pgl5Digest`: postgraphile5CursorDigest's answer (only needed when PostGraphile 5 is measured). */
export function listWorkload(starts: string[], pgl5Digest?: string): Workload {
  const factlogCursor = (id: string) => Buffer.from(`k:${id}`, 'utf8').toString('base64url');
  // PostGraphile v4's cursors are base64 JSON of [order, [primary key]].
  const pglCursor = (id: string) => Buffer.from(JSON.stringify(['primary_key_asc', [id]])).toString('base64');
  const pgl5Cursor = (id: string) => {
    if (pgl5Digest === undefined) throw new Error('listWorkload: PostGraphile 5 requests need its cursor digest');
    return Buffer.from(JSON.stringify([pgl5Digest, id])).toString('base64');
  };
  return {
    name: 'sources page',
    description: '20 sources after a random one, each with ≤10 citing pages and ≤10 facts, with counts',
    size: starts.length,
    agree: {
      factlog: (d) => s(d.sources.nodes.map((n: any) => `${n.id}:${n.citedBy.totalCount}`)),
      sql: (rows) => s(rows.map((r) => `${r.id}:${r.pages_total}`)),
      postgraphile: (d) => s(d.allSources.nodes.map((n: any) => `${n.id}:${n.pageCitationsBySourceId.totalCount}`)),
      postgraphile5: (d) => s(d.allSources.nodes.map((n: any) => `${n.rowId}:${n.pageCitationsBySourceId.totalCount}`)),
    },
    factlog: (i) => ({ query: FACTLOG_LIST, variables: { after: factlogCursor(starts[i % starts.length]) } }),
    sql: (i) => ({ text: SQL_LIST, values: [starts[i % starts.length]] }),
    postgraphile: (i) => ({ query: PGL_LIST, variables: { after: pglCursor(starts[i % starts.length]) } }),
    postgraphile5: (i) => ({ query: PGL5_LIST, variables: { after: pgl5Cursor(starts[i % starts.length]) } }),
  };
}

// ---- the floor: what a request costs with (almost) nothing to read ----

/**
 * `{ __typename }`: each side's fixed cost per request (HTTP, GraphQL pipeline; Factlog still reads the
 * log head for `extensions.basis`), against `SELECT 1` for the SQL side.
 */
export function floorWorkload(): Workload {
  const request = { query: '{ __typename }', variables: {} };
  return {
    name: 'floor',
    description: '{ __typename } (SQL: SELECT 1): the fixed cost of a request',
    size: 1,
    agree: {
      factlog: (d) => s(d.__typename),
      sql: () => s('Query'),
      postgraphile: (d) => s(d.__typename),
      postgraphile5: (d) => s(d.__typename),
    },
    factlog: () => request,
    sql: () => ({ text: 'SELECT 1', values: [] }),
    postgraphile: () => request,
    postgraphile5: () => request,
  };
}
