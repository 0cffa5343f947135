import { sql } from 'kysely';
import { toStoredEvent, type StoredEvent } from '../../store/event-store';
import type { FactlogDb } from '../tables';

/** The events of the given streams up to log position P, in log order: their history as known then. */
export async function streamEventsAt(db: FactlogDb, streams: readonly string[], position: number): Promise<StoredEvent[]> {
  const rows = await db
    .selectFrom('events')
    .selectAll()
    .where('stream', 'in', streams)
    .where('position', '<=', position)
    .orderBy('position')
    .execute();
  return rows.map(toStoredEvent);
}

export interface EventFilter {
  /** The pinned position: nothing after it exists for the reader. */
  upTo: number;
  stream?: string;
  /** Only these types; an empty list matches nothing. */
  types?: readonly string[];
  /** Exclusive lower bound of position. */
  afterPosition?: number;
  /** Inclusive upper bound of position (besides `upTo`). */
  toPosition?: number;
  /** Exclusive lower bound of recorded time. */
  recordedAfter?: Date;
}

/** A page of the log in position order, and its total count on demand (one more statement). */
export async function eventsPage(
  db: FactlogDb,
  filter: EventFilter,
  page: { first: number; offset: number },
): Promise<{ events: StoredEvent[]; hasNextPage: boolean; totalCount: () => Promise<number> }> {
  let q = db.selectFrom('events').where('position', '<=', filter.upTo);
  if (filter.stream !== undefined) q = q.where('stream', '=', filter.stream);
  if (filter.types !== undefined) q = filter.types.length ? q.where('type', 'in', filter.types) : q.where(sql<boolean>`false`);
  if (filter.afterPosition !== undefined) q = q.where('position', '>', filter.afterPosition);
  if (filter.toPosition !== undefined) q = q.where('position', '<=', filter.toPosition);
  if (filter.recordedAfter !== undefined) q = q.where('recorded_at', '>', filter.recordedAfter);
  const rows = await q
    .selectAll()
    .orderBy('position')
    .offset(page.offset)
    .limit(page.first + 1)
    .execute();
  return {
    events: rows.slice(0, page.first).map(toStoredEvent),
    hasNextPage: rows.length > page.first,
    totalCount: async () => Number((await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n),
  };
}
