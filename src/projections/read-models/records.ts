import { sql } from 'kysely';
import type { RecordSchemaState } from '../../domain/record-schema';
import { chunks, insertRows, tableSpec, unnestColumns, type Row } from '../bulk';
import { currentView, firstEvents, type At, type ReadModel } from '../read-model';
import type { FactlogTrx, Json } from '../tables';

export interface RecordSchemasTable {
  id: string;
  collection_name: string;
  state: Json;
  version: number;
  position: number;
}

/** The `record_schemas` table's columns with their SQL types. */
export const RECORD_SCHEMAS = tableSpec('record_schemas', {
  id: 'text',
  collection_name: 'text',
  state: 'jsonb',
  version: 'integer',
  position: 'bigint',
});

export function recordSchemaRow(s: NonNullable<RecordSchemaState>, at: At): Row<'record_schemas'> {
  return { id: s.id, collection_name: s.fields.collectionName, state: JSON.stringify(s), ...at };
}

/** The current state of every record schema, found by its collection name when a record is decided. */
export const recordSchemas = currentView({
  name: 'record-schemas',
  kind: 'recordSchema',
  table: RECORD_SCHEMAS,
  key: 'id',
  row: recordSchemaRow,
});

export interface RecordVersionsTable {
  stream: string;
  version: number;
  entity_id: string;
  collection: string;
  record_key: string;
  state: Json;
  removed: boolean;
  tx_from: number;
  tx_to: number | null;
}

/** The `record_versions` table's columns with their SQL types. */
export const RECORD_VERSIONS = tableSpec('record_versions', {
  stream: 'text',
  version: 'integer',
  entity_id: 'text',
  collection: 'text',
  record_key: 'text',
  state: 'jsonb',
  removed: 'boolean',
  tx_from: 'bigint',
  tx_to: 'bigint',
});

/** Ends the open version of each record the batch touches at its first event there: one statement per chunk. */
async function closeVersions(trx: FactlogTrx, firsts: ReadonlyMap<string, { position: number }>): Promise<void> {
  const closing = [...firsts].map(([stream, e]) => ({ stream, tx_to: e.position }));
  for (const chunk of chunks(closing)) {
    await sql`
      UPDATE ${sql.table('record_versions')} v SET tx_to = x.tx_to
      FROM ${unnestColumns(
        [
          ['stream', 'text'],
          ['tx_to', 'bigint'],
        ],
        chunk,
      )} AS x(stream, tx_to)
      WHERE v.stream = x.stream AND v.stream = ANY(${sql.val(chunk.map((c) => c.stream))}::text[]) AND v.tx_to IS NULL`.execute(trx);
  }
}

/**
 * Every version of every record, by entity, with the span `[tx_from, tx_to)` of positions at which it
 * was believed: an entity's records at P are one index probe (queries/records.ts). The state is the
 * one state-versions folded (it comes first in the registry).
 */
export const recordVersions: ReadModel<'record'> = {
  name: 'record-versions',
  tables: [RECORD_VERSIONS],
  kinds: ['record'],
  async open(trx, events, batch) {
    await closeVersions(
      trx,
      firstEvents(events, (e) => e.stored.stream),
    );
    let rows: Row<'record_versions'>[] = [];
    return {
      apply(e) {
        const s = batch.states.after(e);
        rows.push({
          stream: e.stored.stream,
          version: e.stored.streamVersion,
          entity_id: s.entityId,
          collection: s.collection,
          record_key: s.key,
          state: JSON.stringify(s),
          removed: s.removed,
          tx_from: e.stored.position,
          tx_to: e.following?.position ?? null,
        });
      },
      async flush() {
        await insertRows(trx, RECORD_VERSIONS, rows);
        rows = [];
      },
    };
  },
};
