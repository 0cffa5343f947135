import { sql, type SqlBool, type Expression } from 'kysely';
import type { Citation, Rank } from '../../domain/fact';
import type { StoredFactValue } from '../../domain/fact';
import type { FactlogDb } from '../tables';
import { prepared } from './prepared';
import { chooseValue, type CandidateStatus, type ValueCandidate } from '../../domain/value-choice';

/** One version of a fact, as believed over a stretch of the log. */
export interface FactVersion {
  id: string;
  version: number;
  entityId: string;
  propertyId: string;
  value: StoredFactValue;
  asOf: string | null;
  validEnd: string | null;
  rank: Rank;
  citations: Citation[];
  notes: string | null;
  retracted: boolean;
  /** Position and time of the event that produced this version. */
  position: number;
  recordedAt: Date;
}

export type FactRow = {
  fact_id: string;
  version: number;
  entity_id: string;
  property_id: string;
  value: unknown;
  as_of: string | null;
  valid_end: string | null;
  rank: string;
  citations: unknown;
  notes: string | null;
  retracted: boolean;
  tx_from: number;
  recorded_from: Date;
};

export const FACT_COLUMNS = [
  'fact_id',
  'version',
  'entity_id',
  'property_id',
  'value',
  'as_of',
  'valid_end',
  'valid_from',
  'rank',
  'citations',
  'notes',
  'retracted',
  'tx_from',
  'recorded_from',
] as const;

export function toFact(r: FactRow): FactVersion {
  return {
    id: r.fact_id,
    version: r.version,
    entityId: r.entity_id,
    propertyId: r.property_id,
    value: r.value as StoredFactValue,
    asOf: r.as_of,
    validEnd: r.valid_end,
    rank: r.rank as Rank,
    citations: r.citations as Citation[],
    notes: r.notes,
    retracted: r.retracted,
    position: Number(r.tx_from),
    recordedAt: r.recorded_from,
  };
}

/** The version of a fact believed at log position P: tx_from ≤ P < tx_to. */
const believedAt = (position: number) => sql<SqlBool>`fv.tx_from <= ${position} AND (fv.tx_to IS NULL OR fv.tx_to > ${position})`;

/** Facts by id as believed at P, retracted ones included (a retracted fact still answers `fact(id)`). */
export async function factsByIdAt(db: FactlogDb, ids: readonly string[], position: number): Promise<Map<string, FactVersion>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('fact_versions as fv')
    .select(FACT_COLUMNS.map((c) => `fv.${c}` as const))
    .where('fv.fact_id', 'in', ids)
    .where(believedAt(position))
    .execute();
  return new Map(rows.map((r) => [r.fact_id, toFact(r as FactRow)]));
}

export interface FactFilter {
  entityIds?: readonly string[];
  propertyId?: string;
  /** Facts citing any of these sources (a source and the ones merged into it). */
  sourceIds?: readonly string[];
  /** Facts whose value (ref or refs) names any of these entities: the inverse side of a reference. */
  referencing?: readonly string[];
}

export interface FactQuery {
  position: number;
  /** Valid time: with it, only the facts that are the value of their (entity, property) at T. */
  validAt?: Date;
  includeDeprecated?: boolean;
}

function filterConditions(filter: FactFilter): Expression<SqlBool>[] {
  const out: Expression<SqlBool>[] = [];
  if (filter.entityIds !== undefined) {
    out.push(filter.entityIds.length ? sql<SqlBool>`fv.entity_id IN (${sql.join(filter.entityIds)})` : sql<SqlBool>`false`);
  }
  if (filter.propertyId !== undefined) out.push(sql<SqlBool>`fv.property_id = ${filter.propertyId}`);
  if (filter.sourceIds !== undefined) {
    const any = filter.sourceIds.map((id) => sql<SqlBool>`fv.citations @> ${JSON.stringify([{ sourceId: id }])}::jsonb`);
    out.push(any.length ? sql<SqlBool>`(${sql.join(any, sql` OR `)})` : sql<SqlBool>`false`);
  }
  if (filter.referencing !== undefined) {
    // The kind test matches the predicate of fact_versions_refs_idx (0007), so the planner can use it.
    const any = filter.referencing.flatMap((id) => [
      sql<SqlBool>`fv.value @> ${JSON.stringify({ kind: 'ref', entity: id })}::jsonb`,
      sql<SqlBool>`fv.value @> ${JSON.stringify({ kind: 'refs', entities: [id] })}::jsonb`,
    ]);
    out.push(any.length ? sql<SqlBool>`(fv.value->>'kind' IN ('ref', 'refs') AND (${sql.join(any, sql` OR `)}))` : sql<SqlBool>`false`);
  }
  return out;
}

/**
 * The facts matching a filter at (T, P), as one SQL expression to page over.
 * Without T: every fact believed at P. With T: docs/domain.md's rule per (entity, property): among facts
 * not deprecated whose valid range holds T, the latest asOf wins, preferred beats normal on ties,
 * timeless facts only when no dated fact covers T; equal winners are kept side by side (a conflict).
 */
function factsAtQuery(db: FactlogDb, filter: FactFilter, q: FactQuery) {
  return factsAtStatement(db, filter, { position: q.position, validAt: q.validAt?.toISOString(), includeDeprecated: q.includeDeprecated });
}

/** factsAtQuery with T already an ISO string, so that a prepared statement can pass it as a value. */
function factsAtStatement(db: FactlogDb, filter: FactFilter, q: { position: number; validAt?: string; includeDeprecated?: boolean }) {
  const conditions = filterConditions(filter);
  const base = db.selectFrom('fact_versions as fv').where(believedAt(q.position)).where('fv.retracted', '=', false);
  if (q.validAt === undefined) {
    let query = base.select(FACT_COLUMNS.map((c) => `fv.${c}` as const));
    if (!q.includeDeprecated) query = query.where('fv.rank', '<>', 'deprecated');
    for (const c of conditions) query = query.where(c);
    return query;
  }
  const t = q.validAt;
  // Rank within each (entity, property) over *all* its facts, then filter: a source's fact that a
  // later fact superseded is not valid at T even though it cites the source.
  const groups =
    filter.sourceIds !== undefined
      ? sql<SqlBool>`(fv.entity_id, fv.property_id) IN (SELECT g.entity_id, g.property_id FROM fact_versions g WHERE g.tx_from <= ${q.position} AND (g.tx_to IS NULL OR g.tx_to > ${q.position}) AND (${sql.join(
          filter.sourceIds.map((id) => sql`g.citations @> ${JSON.stringify([{ sourceId: id }])}::jsonb`),
          sql` OR `,
        )}))`
      : sql<SqlBool>`true`;
  let ranked = base
    .select([
      ...FACT_COLUMNS.map((c) => `fv.${c}` as const),
      sql<number>`rank() OVER (PARTITION BY fv.entity_id, fv.property_id ORDER BY (fv.valid_from IS NULL), fv.valid_from DESC, (fv.rank = 'preferred') DESC)`.as(
        'winner',
      ),
    ])
    .where('fv.rank', '<>', 'deprecated')
    .where(sql<SqlBool>`(fv.valid_from IS NULL OR fv.valid_from <= ${t}) AND (fv.valid_to IS NULL OR fv.valid_to > ${t})`)
    .where(groups);
  for (const c of conditions.filter((_, i) => !(filter.sourceIds !== undefined && i === conditions.length - 1))) ranked = ranked.where(c);
  let outer = db
    .selectFrom(ranked.as('fv'))
    .select(FACT_COLUMNS.map((c) => `fv.${c}` as const))
    .where('fv.winner', '=', 1);
  if (filter.sourceIds !== undefined) outer = outer.where(conditions[conditions.length - 1]);
  return outer;
}

export interface FactPage {
  items: FactVersion[];
  hasNextPage: boolean;
  totalCount: () => Promise<number>;
}

/** A page of facts, ordered by valid time (timeless first) then id; `offset` is the cursor. */
export async function factsAt(db: FactlogDb, filter: FactFilter, q: FactQuery, page: { first: number; offset: number }): Promise<FactPage> {
  const query = factsAtQuery(db, filter, q);
  const rows = await orderedFacts(db, query)
    .offset(page.offset)
    .limit(page.first + 1)
    .execute();
  return {
    items: rows.slice(0, page.first).map((r) => toFact(r as FactRow)),
    hasNextPage: rows.length > page.first,
    totalCount: async () =>
      Number(
        (
          await db
            .selectFrom(query.as('f'))
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      ),
  };
}

/** Every matching fact (for DataLoader batches, which page per parent in memory). */
export async function allFactsAt(db: FactlogDb, filter: FactFilter, q: FactQuery): Promise<FactVersion[]> {
  const rows = await orderedFacts(db, factsAtQuery(db, filter, q)).execute();
  return rows.map((r) => toFact(r as FactRow));
}

function orderedFacts(db: FactlogDb, query: ReturnType<typeof factsAtQuery>) {
  return db
    .selectFrom(query.as('f'))
    .selectAll()
    .orderBy(sql`f.valid_from IS NOT NULL`)
    .orderBy(sql`f.valid_from`)
    .orderBy('f.as_of')
    .orderBy('f.fact_id');
}

export interface ValueAt {
  /** The value as of T, or null when nothing holds then. */
  fact: FactVersion | null;
  /** Other facts that hold equally at T: a disagreement to show, not to hide. */
  conflicts: FactVersion[];
}

/** The point query's statement: every fact of (entity, property) as believed at P, retracted ones included. */
const candidatesAtStatement = prepared((db, entityId: string, propertyId: string, position: number) =>
  db
    .selectFrom('fact_versions as fv')
    .select(FACT_COLUMNS.map((c) => `fv.${c}` as const))
    .where('fv.entity_id', '=', entityId)
    .where('fv.property_id', '=', propertyId)
    .where(believedAt(position)),
);

/** A fact version as a candidate of the value choice (src/domain/value-choice.ts). */
export type FactCandidate = FactVersion & ValueCandidate;

export const asCandidate = (f: FactVersion, status: CandidateStatus = f.retracted ? 'retracted' : 'asserted'): FactCandidate => ({
  ...f,
  status,
});

/** docs/domain.md's "value as of a time" for one (entity, property), known at P: chooseValue over its facts. */
export async function valueAt(db: FactlogDb, entityId: string, propertyId: string, validAt: Date, position: number): Promise<ValueAt> {
  const rows = await candidatesAtStatement(db, entityId, propertyId, position);
  const choice = chooseValue(
    rows.map((r) => asCandidate(toFact(r as FactRow))),
    validAt,
  );
  return { fact: choice.value && versionOf(choice.value), conflicts: choice.conflicts.map(versionOf) };
}

/** The fact version a candidate was made from. */
export const versionOf = ({ status: _status, ...f }: FactCandidate): FactVersion => f;

/** Every fact of (entity, property) believed at P, in valid-time order: the series a chart draws. */
export async function timelineAt(
  db: FactlogDb,
  entityId: string,
  propertyId: string,
  position: number,
  includeDeprecated = true,
): Promise<FactVersion[]> {
  let q = db
    .selectFrom('fact_versions as fv')
    .select(FACT_COLUMNS.map((c) => `fv.${c}` as const))
    .where('fv.entity_id', '=', entityId)
    .where('fv.property_id', '=', propertyId)
    .where(believedAt(position))
    .where('fv.retracted', '=', false);
  if (!includeDeprecated) q = q.where('fv.rank', '<>', 'deprecated');
  // The same order as every other fact list: timeless first, then by valid time, coarser dates first.
  const rows = await q
    .orderBy(sql`fv.valid_from IS NOT NULL`)
    .orderBy('fv.valid_from')
    .orderBy('fv.as_of')
    .orderBy('fv.fact_id')
    .execute();
  return rows.map((r) => toFact(r as FactRow));
}

/** What a fact is about: its entity and property, which no event ever changes. */
export interface FactSubject {
  entityId: string;
  propertyId: string;
}

/** The subjects of the given facts, from any of their versions (ids the log never asserted are absent). */
export async function factSubjects(db: FactlogDb, ids: readonly string[]): Promise<Map<string, FactSubject>> {
  const out = new Map<string, FactSubject>();
  if (!ids.length) return out;
  const rows = await db
    .selectFrom('fact_versions')
    .select(['fact_id', 'entity_id', 'property_id'])
    .distinct()
    .where('fact_id', 'in', ids)
    .execute();
  for (const r of rows) out.set(r.fact_id, { entityId: r.entity_id, propertyId: r.property_id });
  return out;
}

/**
 * Every fact of (entity, property) for the given entities as the value choice sees it at P: the
 * version believed at P (retracted ones as RETRACTED), or, for a fact first asserted after P, its
 * first version marked not yet asserted. One statement for all the entities.
 */
export async function candidatesAt(
  db: FactlogDb,
  entityIds: readonly string[],
  propertyId: string,
  position: number,
): Promise<Map<string, FactCandidate[]>> {
  const out = new Map<string, FactCandidate[]>();
  if (entityIds.length === 0) return out;
  const rows = await db
    .selectFrom('fact_versions as fv')
    .select([...FACT_COLUMNS.map((c) => `fv.${c}` as const), 'fv.tx_to'])
    .where('fv.entity_id', 'in', entityIds)
    .where('fv.property_id', '=', propertyId)
    .orderBy('fv.fact_id')
    .orderBy('fv.version')
    .execute();
  const byFact = new Map<string, (typeof rows)[number][]>();
  for (const r of rows) {
    const list = byFact.get(r.fact_id);
    if (list) list.push(r);
    else byFact.set(r.fact_id, [r]);
  }
  for (const versions of byFact.values()) {
    const believed = versions.find((v) => Number(v.tx_from) <= position && (v.tx_to === null || Number(v.tx_to) > position));
    const candidate = believed ? asCandidate(toFact(believed as FactRow)) : asCandidate(toFact(versions[0] as FactRow), 'notYetAsserted');
    // A fact with no version at P that was asserted before P cannot happen (a retraction is a version).
    if (!believed && Number(versions[0].tx_from) <= position) continue;
    const list = out.get(candidate.entityId);
    if (list) list.push(candidate);
    else out.set(candidate.entityId, [candidate]);
  }
  return out;
}
