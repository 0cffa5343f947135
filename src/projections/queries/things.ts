import { sql } from 'kysely';
import { streamName, type ThingKind } from '../../domain/events';
import type { StateOfKind } from '../../domain/evolve';
import type { ExpressionBuilder } from 'kysely';
import type { FactlogDb, ReadModelSchema } from '../tables';

/** A state version alive at P: recorded at or before P and not yet superseded then. */
const aliveAt = (position: number) => (eb: ExpressionBuilder<ReadModelSchema, 'state_versions'>) =>
  eb.and([eb('tx_from', '<=', position), eb.or([eb('tx_to', 'is', null), eb('tx_to', '>', position)])]);

/** A thing's state as the log stood at a position, with the stream version it had then. */
export interface Versioned<S> {
  state: NonNullable<S>;
  version: number;
  /** Position of the event that produced this state. */
  position: number;
  recordedAt: Date;
}

export interface ListOptions {
  first: number;
  /** Keyset cursor: the id (page slug) of the last row of the previous page. */
  after?: string;
  /** Conditions on the state JSON: field → value it must equal (containment). */
  where?: Record<string, unknown>;
}

export interface Page<T> {
  items: T[];
  hasNextPage: boolean;
  totalCount: () => Promise<number>;
}

/** Things of one kind alive at P, ordered by id, with keyset pagination and optional field filters. */
export async function listThingsAt<K extends ThingKind>(
  db: FactlogDb,
  kind: K,
  position: number,
  options: ListOptions,
): Promise<Page<Versioned<StateOfKind[K]> & { id: string }>> {
  const base = () => {
    let q = db.selectFrom('state_versions').where('kind', '=', kind).where(aliveAt(position));
    if (options.where && Object.keys(options.where).length > 0) {
      q = q.where(sql<boolean>`state @> ${JSON.stringify(options.where)}::jsonb`);
    }
    return q;
  };
  let query = base()
    .select(['id', 'state', 'version', 'tx_from', 'recorded_from'])
    .orderBy('id')
    .limit(options.first + 1);
  if (options.after !== undefined) query = query.where('id', '>', options.after);
  const rows = await query.execute();
  return {
    items: rows.slice(0, options.first).map((r) => ({
      id: r.id,
      state: r.state as NonNullable<StateOfKind[K]>,
      version: r.version,
      position: r.tx_from,
      recordedAt: r.recorded_from,
    })),
    hasNextPage: rows.length > options.first,
    totalCount: async () =>
      Number(
        (
          await base()
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      ),
  };
}

/** Pages citing each source at P (any of a source's merged-from ids counts), for `citedBy`. */
export async function pagesCitingAt(db: FactlogDb, sourceIds: readonly string[], position: number): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>(sourceIds.map((id) => [id, []]));
  if (sourceIds.length === 0) return out;
  // The citation spans open at P (read-models/citation-versions.ts): an index probe per source.
  const rows = await db
    .selectFrom('citation_versions')
    .select(['source_id', 'page_slug'])
    .where('source_id', '=', sql<string>`ANY(${sql.val([...sourceIds])}::text[])`)
    .where('tx_from', '<=', position)
    .where((eb) => eb.or([eb('tx_to', 'is', null), eb('tx_to', '>', position)]))
    .orderBy('page_slug')
    .execute();
  for (const r of rows) out.get(r.source_id)?.push(r.page_slug);
  return out;
}

/**
 * States of many things of one kind at log position P (the newest version recorded at or before P),
 * in one statement that DataLoader batches call, with one index probe per thing: a DISTINCT ON over
 * every version of each stream would read a page cited by many sources once per citation (260 heap
 * pages for 20 pages at 100k facts).
 */
export async function thingsAt<K extends ThingKind>(
  db: FactlogDb,
  kind: K,
  ids: readonly string[],
  position: number,
): Promise<Map<string, Versioned<StateOfKind[K]>>> {
  const out = new Map<string, Versioned<StateOfKind[K]>>();
  if (ids.length === 0) return out;
  const streams = sql.join(ids.map((id) => sql`(${streamName(kind, id)})`));
  const { rows } = await sql<{ id: string; state: unknown; version: number; tx_from: number; recorded_from: Date }>`
    SELECT v.id, v.state, v.version, v.tx_from, v.recorded_from
    FROM (VALUES ${streams}) AS s(stream)
    CROSS JOIN LATERAL (
      SELECT sv.id, sv.state, sv.version, sv.tx_from, sv.recorded_from FROM state_versions sv
      WHERE sv.stream = s.stream AND sv.tx_from <= ${position}
      ORDER BY sv.version DESC LIMIT 1) v`.execute(db);
  for (const r of rows) {
    out.set(r.id, {
      state: r.state as NonNullable<StateOfKind[K]>,
      version: r.version,
      position: Number(r.tx_from),
      recordedAt: r.recorded_from,
    });
  }
  return out;
}

/** The page about each entity at P (the first by slug if several), by entity id. */
export async function pagesOfEntitiesAt(db: FactlogDb, entityIds: readonly string[], position: number): Promise<Map<string, string>> {
  const rows = await db
    .selectFrom('state_versions')
    .select(['id', 'state'])
    .where('kind', '=', 'page')
    .where(aliveAt(position))
    .where((eb) => eb.or(entityIds.map((id) => eb(eb.ref('state'), '@>', JSON.stringify({ fields: { entityId: id } }) as never))))
    .orderBy('id')
    .execute();
  const out = new Map<string, string>();
  for (const r of rows) {
    const entityId = (r.state as { fields: { entityId?: string } }).fields.entityId;
    if (entityId && !out.has(entityId)) out.set(entityId, r.id);
  }
  return out;
}

/** The sources of the given publications at P, by id. */
export async function sourcesOfPublicationsAt(
  db: FactlogDb,
  publicationIds: readonly string[],
  position: number,
): Promise<Versioned<StateOfKind['source']>[]> {
  const rows = await db
    .selectFrom('state_versions')
    .select(['id', 'state', 'version', 'tx_from', 'recorded_from'])
    .where('kind', '=', 'source')
    .where(aliveAt(position))
    .where((eb) => eb.or(publicationIds.map((id) => eb(eb.ref('state'), '@>', JSON.stringify({ fields: { publicationId: id } }) as never))))
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    state: r.state as NonNullable<StateOfKind['source']>,
    version: r.version,
    position: r.tx_from,
    recordedAt: r.recorded_from,
  }));
}
