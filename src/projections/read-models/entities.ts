import type { EntityState } from '../../domain/entity';
import { LastRows, OwnedRows, tableSpec, type Row } from '../bulk';
import { atOf, flushInOrder, startsStream, type At, type ReadModel } from '../read-model';
import type { Json } from '../tables';

export interface EntitiesTable {
  id: string;
  slug: string;
  name: string;
  type: string;
  numeric_id: string | null;
  aliases: Json<string[]>;
  version: number;
  position: number;
}

/** The `entities` table's columns with their SQL types. */
export const ENTITIES = tableSpec('entities', {
  id: 'text',
  slug: 'text',
  name: 'text',
  type: 'text',
  numeric_id: 'text',
  aliases: 'jsonb',
  version: 'integer',
  position: 'bigint',
});

export interface EntityKeysTable {
  key: string;
  entity_id: string;
  rank: number;
}

/** The `entity_keys` table's columns with their SQL types. */
export const ENTITY_KEYS = tableSpec('entity_keys', { key: 'text', entity_id: 'text', rank: 'smallint' });

export function entityRow(s: NonNullable<EntityState>, at: At): Row<'entities'> {
  const f = s.fields;
  return {
    id: s.id,
    slug: f.slug,
    name: f.name,
    type: f.type,
    numeric_id: f.numericId ?? null,
    aliases: JSON.stringify(f.aliases ?? []),
    ...at,
  };
}

/** Every name the entity answers to, each with the rank of its strongest claim (slug, numeric id, alias). */
export function entityKeyRows(s: NonNullable<EntityState>): Row<'entity_keys'>[] {
  const f = s.fields;
  const keys = new Map<string, number>([[f.slug, 1]]);
  if (f.numericId && !keys.has(f.numericId)) keys.set(f.numericId, 2);
  for (const alias of [...(s.formerSlugs ?? []), ...(f.aliases ?? [])]) if (!keys.has(alias)) keys.set(alias, 3);
  return [...keys].map(([key, rank]) => ({ key, entity_id: s.id, rank }));
}

/** The current row of every entity, and every name it answers to (`entity_keys`, for name lookups). */
export const entities: ReadModel<'entity'> = {
  name: 'entities',
  tables: [ENTITIES, ENTITY_KEYS],
  kinds: ['entity'],
  async open(trx, _events, batch) {
    const rows = new LastRows(trx, ENTITIES, { key: ['id'], action: 'update' });
    const keys = new OwnedRows(trx, ENTITY_KEYS, 'entity_id');
    return {
      apply(e) {
        const s = batch.states.after(e);
        rows.set(s.id, entityRow(s, atOf(e)));
        keys.set(s.id, entityKeyRows(s), startsStream(e.stored));
      },
      flush: flushInOrder(rows, keys),
    };
  },
};
