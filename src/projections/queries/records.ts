import { sql } from 'kysely';
import type { RecordState } from '../../domain/record';
import type { FactlogDb } from '../tables';

/** A record as the log stood at a position: its state, stream version and the position that produced it. */
export interface RecordVersion {
  state: RecordState;
  version: number;
  position: number;
}

/**
 * The records of many entities alive at P (not removed), optionally of one collection, ordered by
 * collection and key: one statement for a whole level of `entity.records`, an index probe per entity.
 */
export async function recordsOfEntitiesAt(
  db: FactlogDb,
  entityIds: readonly string[],
  position: number,
  collection?: string,
): Promise<Map<string, RecordVersion[]>> {
  const out = new Map<string, RecordVersion[]>(entityIds.map((id) => [id, []]));
  if (entityIds.length === 0) return out;
  let query = db
    .selectFrom('record_versions')
    .select(['entity_id', 'state', 'version', 'tx_from'])
    .where('entity_id', '=', sql<string>`ANY(${sql.val([...entityIds])}::text[])`)
    .where('tx_from', '<=', position)
    .where((eb) => eb.or([eb('tx_to', 'is', null), eb('tx_to', '>', position)]))
    .where('removed', '=', false);
  if (collection !== undefined) query = query.where('collection', '=', collection);
  const rows = await query.orderBy('entity_id').orderBy('collection').orderBy('record_key').execute();
  for (const r of rows) {
    out.get(r.entity_id)?.push({
      state: (typeof r.state === 'string' ? JSON.parse(r.state) : r.state) as RecordState,
      version: r.version,
      position: Number(r.tx_from),
    });
  }
  return out;
}
