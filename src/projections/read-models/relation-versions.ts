import { sql } from 'kysely';
import { relationKey, type RelationTarget } from '../../domain/entity';
import { chunks, insertRows, tableSpec, unnestColumns, type Row } from '../bulk';
import { unhandledEvent, type ReadModel } from '../read-model';
import type { FactlogTrx } from '../tables';

export interface RelationVersionsTable {
  from_id: string;
  /** An entity id, or (resolved false) a slug no entity had when it was related. */
  target: string;
  resolved: boolean;
  relationship: string | null;
  target_type: string | null;
  tx_from: number;
  tx_to: number | null;
}

/** The `relation_versions` table's columns with their SQL types. */
export const RELATION_VERSIONS = tableSpec('relation_versions', {
  from_id: 'text',
  target: 'text',
  resolved: 'boolean',
  relationship: 'text',
  target_type: 'text',
  tx_from: 'bigint',
  tx_to: 'bigint',
});

/** A relation's target as the table spells it. */
export const targetColumns = (t: RelationTarget): { target: string; resolved: boolean } =>
  'entityId' in t ? { target: t.entityId, resolved: true } : { target: t.unresolvedSlug, resolved: false };

type Closing = {
  from_id: string;
  target: string;
  resolved: boolean;
  relationship: string;
  tx_to: number;
};

/** Ends the open span of each relation at the given position: one statement per chunk. */
async function closeSpans(trx: FactlogTrx, closing: readonly Closing[]): Promise<void> {
  for (const chunk of chunks(closing)) {
    await sql`
      UPDATE ${sql.table('relation_versions')} v SET tx_to = x.tx_to
      FROM ${unnestColumns(
        [
          ['from_id', 'text'],
          ['target', 'text'],
          ['resolved', 'boolean'],
          ['relationship', 'text'],
          ['tx_to', 'bigint'],
        ],
        chunk,
      )} AS x(from_id, target, resolved, relationship, tx_to)
      WHERE v.from_id = x.from_id AND v.target = x.target AND v.resolved = x.resolved
        AND coalesce(v.relationship, '') = x.relationship AND v.tx_to IS NULL`.execute(trx);
  }
}

/**
 * Each span of log positions `[tx_from, tx_to)` in which an entity held a relation, so that the
 * relations of an entity at P, outgoing and incoming, are index probes (queries/relations.ts) rather
 * than a scan of entity states. Relating a relation again (a new target type) ends its span and opens
 * another, as the domain moves it to the end of the list: ordered by `tx_from`, an entity's open spans
 * are its relations in the order of its state.
 */
export const relationVersions: ReadModel<'entity'> = {
  name: 'relation-versions',
  tables: [RELATION_VERSIONS],
  kinds: ['entity'],
  async open(trx) {
    // Spans opened in this batch, by relation, until flushed; spans opened earlier are closed by UPDATE.
    let opened = new Map<string, Row<'relation_versions'>>();
    let openedInOrder: Row<'relation_versions'>[] = [];
    let closing: Closing[] = [];
    const end = (fromId: string, t: RelationTarget & { relationship?: string }, position: number) => {
      const k = `${fromId}\u0000${relationKey(t)}`;
      const span = opened.get(k);
      if (span) {
        span.tx_to = position;
        opened.delete(k);
      } else closing.push({ from_id: fromId, ...targetColumns(t), relationship: t.relationship ?? '', tx_to: position });
    };
    return {
      apply({ event, stored }) {
        switch (event.type) {
          case 'EntityRelated': {
            const { id, type, relationship, ...target } = event.data;
            // Closing a span that is not open changes nothing; a re-related relation's old span ends here.
            end(id, { ...target, relationship }, stored.position);
            const row: Row<'relation_versions'> = {
              from_id: id,
              ...targetColumns(target),
              relationship: relationship ?? null,
              target_type: type ?? null,
              tx_from: stored.position,
              tx_to: null,
            };
            opened.set(`${id}\u0000${relationKey({ ...target, relationship })}`, row);
            openedInOrder.push(row);
            return;
          }
          case 'EntityUnrelated': {
            const { id, ...relation } = event.data;
            end(id, relation, stored.position);
            return;
          }
          case 'EntityRegistered':
          case 'EntityUpdated':
          case 'EntityRenamed':
            return;
          default:
            return unhandledEvent(event);
        }
      },
      async flush() {
        await closeSpans(trx, closing);
        await insertRows(trx, RELATION_VERSIONS, openedInOrder);
        opened = new Map();
        openedInOrder = [];
        closing = [];
      },
    };
  },
};
