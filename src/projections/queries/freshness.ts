import { sql, type RawBuilder } from 'kysely';
import type { PageState } from '../../domain/page';
import type { FactlogDb } from '../tables';
import { FACT_COLUMNS, toFact, type FactRow, type FactVersion } from './facts';
import type { Versioned } from './things';

/**
 * docs/domain.md, "Freshness", in SQL: which fact series and pages are past due at "today", most
 * overdue first. src/domain/freshness.ts computes the same dueAt for one fact or page; both count from
 * the start of the date's period.
 */

const alive = (alias: string, position: number) =>
  sql`${sql.ref(`${alias}.tx_from`)} <= ${position} AND (${sql.ref(`${alias}.tx_to`)} IS NULL OR ${sql.ref(`${alias}.tx_to`)} > ${position})`;

/** A series' latest fact: the newest asOf start at or before today, then preferred, then the smallest id. */
const LATEST_ORDER = sql`fv.valid_from DESC, (fv.rank = 'preferred') DESC, fv.fact_id`;

/** The facts a series can count from at P and today: believed, not retracted or deprecated, dated by today. */
const countable = (position: number, today: string) =>
  sql`${alive('fv', position)} AND NOT fv.retracted AND fv.rank <> 'deprecated' AND fv.valid_from IS NOT NULL AND fv.valid_from <= ${today}::timestamptz`;

/** For each (entity, property) key, the asOf its freshness counts from at P and today. */
export async function seriesLatestAt(
  db: FactlogDb,
  keys: readonly { entityId: string; propertyId: string }[],
  position: number,
  today: Date,
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (keys.length === 0) return out;
  const pairs = sql.join(keys.map((k) => sql`(${k.entityId}, ${k.propertyId})`));
  const { rows } = await sql<{ entity_id: string; property_id: string; as_of: string }>`
    SELECT DISTINCT ON (fv.entity_id, fv.property_id) fv.entity_id, fv.property_id, fv.as_of
    FROM fact_versions fv
    WHERE (fv.entity_id, fv.property_id) IN (${pairs}) AND ${countable(position, today.toISOString())}
    ORDER BY fv.entity_id, fv.property_id, ${LATEST_ORDER}`.execute(db);
  for (const r of rows) out.set(seriesKey(r.entity_id, r.property_id), r.as_of);
  return out;
}

export const seriesKey = (entityId: string, propertyId: string): string => `${entityId}\u0000${propertyId}`;

export const seriesOfKey = (key: string): { entityId: string; propertyId: string } => {
  const [entityId, propertyId] = key.split('\u0000');
  return { entityId, propertyId };
};

export interface StaleQuery {
  position: number;
  today: Date;
}

export interface StalePage<T> {
  items: T[];
  hasNextPage: boolean;
  totalCount: () => Promise<number>;
}

async function paged<R, T>(
  db: FactlogDb,
  query: RawBuilder<R>,
  page: { first: number; offset: number },
  map: (r: R) => T,
): Promise<StalePage<T>> {
  const { rows } = await sql<R>`${query} LIMIT ${page.first + 1} OFFSET ${page.offset}`.execute(db);
  return {
    items: rows.slice(0, page.first).map(map),
    hasNextPage: rows.length > page.first,
    totalCount: async () => Number((await sql<{ n: number }>`SELECT count(*) AS n FROM (${query}) q`.execute(db)).rows[0].n),
  };
}

/**
 * The latest fact of every overdue series whose property has a stalenessDays at P, most overdue
 * first (then entity and property id), optionally of one property and of entities of one type.
 */
export function staleFactsAt(
  db: FactlogDb,
  q: StaleQuery & { propertyId?: string; entityType?: string },
  page: { first: number; offset: number },
): Promise<StalePage<FactVersion>> {
  const today = q.today.toISOString();
  const conditions = [countable(q.position, today)];
  if (q.propertyId !== undefined) conditions.push(sql`fv.property_id = ${q.propertyId}`);
  if (q.entityType !== undefined) {
    conditions.push(
      sql`fv.entity_id IN (SELECT e.id FROM state_versions e WHERE e.kind = 'entity' AND ${alive('e', q.position)} AND e.state->'fields'->>'type' = ${q.entityType})`,
    );
  }
  const columns = sql.join(FACT_COLUMNS.map((c) => sql.ref(`s.${c}`)));
  const query = sql<FactRow & { due_at: Date }>`
    WITH props AS (
      SELECT p.id, (p.state->'fields'->>'stalenessDays')::int AS days
      FROM state_versions p
      WHERE p.kind = 'property' AND ${alive('p', q.position)} AND p.state->'fields'->>'stalenessDays' IS NOT NULL
    ), series AS (
      SELECT fv.*, props.days,
        row_number() OVER (PARTITION BY fv.entity_id, fv.property_id ORDER BY ${LATEST_ORDER}) AS n
      FROM fact_versions fv JOIN props ON props.id = fv.property_id
      WHERE ${sql.join(conditions, sql` AND `)}
    )
    SELECT ${columns}, s.valid_from + s.days * interval '1 day' AS due_at
    FROM series s
    WHERE s.n = 1 AND s.valid_from + s.days * interval '1 day' < ${today}::timestamptz
    ORDER BY due_at, s.entity_id, s.property_id`;
  return paged(db, query, page, (r) => toFact(r));
}

/** The instant a stored partial date ("2026", "2026-02", "2026-02-10") starts, in SQL. */
const periodStartSql = (text: RawBuilder<string>) =>
  sql`((CASE length(${text}) WHEN 4 THEN ${text} || '-01-01' WHEN 7 THEN ${text} || '-01' ELSE ${text} END)::timestamp AT TIME ZONE 'UTC')`;

type PageRow = { id: string; state: PageState; version: number; tx_from: number; recorded_from: Date; due_at: Date };

/** Pages with a lastEdited and an updateFrequency at P that are past due at today, most overdue first, then by slug. */
export function stalePagesAt(
  db: FactlogDb,
  q: StaleQuery,
  page: { first: number; offset: number },
): Promise<StalePage<Versioned<PageState>>> {
  const due = sql`${periodStartSql(sql<string>`sv.state->'fields'->>'lastEdited'`)} + (sv.state->'fields'->>'updateFrequency')::int * interval '1 day'`;
  const query = sql<PageRow>`
    SELECT * FROM (
      SELECT sv.id, sv.state, sv.version, sv.tx_from, sv.recorded_from, ${due} AS due_at
      FROM state_versions sv
      WHERE sv.kind = 'page' AND ${alive('sv', q.position)}
        AND sv.state->'fields'->>'lastEdited' IS NOT NULL AND sv.state->'fields'->>'updateFrequency' IS NOT NULL
    ) d
    WHERE d.due_at < ${q.today.toISOString()}::timestamptz
    ORDER BY d.due_at, d.id`;
  return paged(db, query, page, (r) => ({ state: r.state, version: r.version, position: Number(r.tx_from), recordedAt: r.recorded_from }));
}
