import { sql } from 'kysely';
import type { RelationTarget } from '../../domain/entity';
import type { FactlogDb } from '../tables';

/** One relation as seen from one of its ends. */
export interface RelationAt {
  direction: 'outgoing' | 'incoming';
  /** The entity at the other end: the target of an outgoing relation, the relating entity of an incoming one. */
  other: RelationTarget;
  relationship?: string;
  /** The target's type as the relating entry wrote it. */
  type?: string;
  /** Position of the event that related it: outgoing relations in this order are the entity's list. */
  since: number;
}

/**
 * The relations of many entities at log position P, outgoing and incoming, in one statement over the
 * spans of read-models/relation-versions.ts (an index probe per entity and direction), each entity's
 * in the order they were related. An unresolved target names no entity, so it has no incoming side.
 */
export async function relationsAt(db: FactlogDb, entityIds: readonly string[], position: number): Promise<Map<string, RelationAt[]>> {
  const out = new Map<string, RelationAt[]>(entityIds.map((id) => [id, []]));
  if (entityIds.length === 0) return out;
  const ids = sql.val([...entityIds]);
  const { rows } = await sql<{
    from_id: string;
    target: string;
    resolved: boolean;
    relationship: string | null;
    target_type: string | null;
    tx_from: string | number;
  }>`
    SELECT from_id, target, resolved, relationship, target_type, tx_from FROM relation_versions
    WHERE (from_id = ANY(${ids}::text[]) OR (target = ANY(${ids}::text[]) AND resolved))
      AND tx_from <= ${position} AND (tx_to IS NULL OR tx_to > ${position})
    ORDER BY tx_from`.execute(db);
  for (const r of rows) {
    const common = {
      ...(r.relationship !== null ? { relationship: r.relationship } : {}),
      ...(r.target_type !== null ? { type: r.target_type } : {}),
      since: Number(r.tx_from),
    };
    out.get(r.from_id)?.push({
      direction: 'outgoing',
      other: r.resolved ? { entityId: r.target } : { unresolvedSlug: r.target },
      ...common,
    });
    if (r.resolved) out.get(r.target)?.push({ direction: 'incoming', other: { entityId: r.from_id }, ...common });
  }
  return out;
}
