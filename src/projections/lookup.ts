import { isSourceHexId, isStableId, sourceIdForUrl } from '../domain/ids';
import type { FactProperty } from '../domain/fact';
import type { DataType } from '../domain/fact-value';
import { sql } from 'kysely';
import { streamName } from '../domain/events';
import type { RecordSchemaState } from '../domain/record-schema';
import type { VerificationTarget } from '../domain/verification';
import type { FactlogDb } from './tables';

/**
 * Turns the names people use into ids: an entity by stable id, slug, old slug, alias or numeric id;
 * a source by hex id, stable id or exact URL (following merges). Current view only: identity lookups
 * answer "what does this name mean now".
 */
export async function resolveEntityId(db: FactlogDb, key: string): Promise<string | null> {
  if (isStableId(key)) {
    const byId = await db.selectFrom('entities').select('id').where('id', '=', key).executeTakeFirst();
    if (byId) return byId.id;
  }
  const row = await db
    .selectFrom('entity_keys')
    .select('entity_id')
    .where('key', '=', key)
    .orderBy('rank')
    .orderBy('entity_id')
    .limit(1)
    .executeTakeFirst();
  return row?.entity_id ?? null;
}

export async function resolveSourceId(db: FactlogDb, key: string): Promise<string | null> {
  let row: { id: string; merged_into: string | null } | undefined;
  if (isSourceHexId(key)) row = await db.selectFrom('sources').select(['id', 'merged_into']).where('id', '=', key).executeTakeFirst();
  if (!row && isStableId(key))
    row = await db.selectFrom('sources').select(['id', 'merged_into']).where('stable_id', '=', key).executeTakeFirst();
  if (!row && /^https?:\/\//i.test(key)) {
    row = await db.selectFrom('sources').select(['id', 'merged_into']).where('id', '=', sourceIdForUrl(key)).executeTakeFirst();
  }
  if (!row) return null;
  for (let hops = 0; row.merged_into && hops < 16; hops++) {
    const next = await db.selectFrom('sources').select(['id', 'merged_into']).where('id', '=', row.merged_into).executeTakeFirst();
    if (!next) break;
    row = next;
  }
  return row.id;
}

export async function resolvePageSlug(db: FactlogDb, key: string): Promise<string | null> {
  const row = await db
    .selectFrom('pages')
    .select('slug')
    .where((eb) => eb.or([eb('slug', '=', key), eb('numeric_id', '=', key)]))
    .orderBy((eb) => eb.case().when('slug', '=', key).then(0).else(1).end())
    .limit(1)
    .executeTakeFirst();
  return row?.slug ?? null;
}

export async function factProperty(db: FactlogDb, id: string): Promise<FactProperty | null> {
  const row = await db.selectFrom('properties').select(['id', 'data_type', 'unit']).where('id', '=', id).executeTakeFirst();
  return row ? { id: row.id, dataType: row.data_type as DataType, ...(row.unit ? { unit: row.unit } : {}) } : null;
}

export async function slugOwner(db: FactlogDb, slug: string): Promise<string | null> {
  const row = await db.selectFrom('entity_keys').select('entity_id').where('key', '=', slug).where('rank', '=', 1).executeTakeFirst();
  return row?.entity_id ?? null;
}

/** The schema whose collection this is, now (the record decider's context). */
export async function recordSchemaOf(db: FactlogDb, collection: string): Promise<NonNullable<RecordSchemaState> | null> {
  const row = await db
    .selectFrom('record_schemas')
    .select('state')
    .where('collection_name', '=', collection)
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  if (!row) return null;
  return (typeof row.state === 'string' ? JSON.parse(row.state) : row.state) as NonNullable<RecordSchemaState>;
}

/** Whether a verification target exists now: a fact not retracted, or a live record holding that field. */
export async function verificationTargetExists(db: FactlogDb, target: VerificationTarget): Promise<boolean> {
  if (target.kind === 'fact') {
    const row = await db.selectFrom('facts').select('id').where('id', '=', target.factId).where('retracted', '=', false).executeTakeFirst();
    return row !== undefined;
  }
  const row = await db
    .selectFrom('record_versions')
    .select('stream')
    .where('stream', '=', streamName('record', target.recordId))
    .where('tx_to', 'is', null)
    .where('removed', '=', false)
    .where(sql<boolean>`(state->'fields' ? ${target.field} OR coalesce(state->'unchecked', '{}'::jsonb) ? ${target.field})`)
    .executeTakeFirst();
  return row !== undefined;
}

export async function sourceContentHash(db: FactlogDb, sourceId: string): Promise<string | null> {
  const row = await db.selectFrom('source_content').select('content_hash').where('source_id', '=', sourceId).executeTakeFirst();
  return row?.content_hash ?? null;
}
