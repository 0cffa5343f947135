import { sql } from 'kysely';
import { idOf } from '../../domain/events';
import { evolveAny, type AnyState } from '../../domain/evolve';
import { chunks, insertRows, tableSpec, unnestColumns, type Row } from '../bulk';
import { firstEvents, THING_KINDS, type ProjectableEvent, type ReadModel } from '../read-model';
import type { FactlogTrx, Json, Timestamp } from '../tables';

export interface StateVersionsTable {
  stream: string;
  version: number;
  kind: string;
  id: string;
  state: Json;
  tx_from: number;
  tx_to: number | null;
  recorded_from: Timestamp;
}

/** The `state_versions` table's columns with their SQL types. */
export const STATE_VERSIONS = tableSpec('state_versions', {
  stream: 'text',
  version: 'integer',
  kind: 'text',
  id: 'text',
  state: 'jsonb',
  tx_from: 'bigint',
  tx_to: 'bigint',
  recorded_from: 'timestamptz',
});

/**
 * Ends the current state version of every non-fact stream the batch touches at the stream's first
 * event in the batch, and reads those states back: one statement per chunk for the whole batch
 * (the `= ANY` keeps the plan on the partial index; see closeFactVersions in facts.ts).
 */
async function closeStateVersions(trx: FactlogTrx, firsts: ReadonlyMap<string, ProjectableEvent>): Promise<Map<string, AnyState>> {
  const out = new Map<string, AnyState>();
  const closing = [...firsts].map(([stream, e]) => ({ stream, tx_to: e.position }));
  for (const chunk of chunks(closing)) {
    const { rows } = await sql<{ stream: string; state: AnyState }>`
      UPDATE ${sql.table('state_versions')} v SET tx_to = x.tx_to
      FROM ${unnestColumns(
        [
          ['stream', 'text'],
          ['tx_to', 'bigint'],
        ],
        chunk,
      )} AS x(stream, tx_to)
      WHERE v.stream = x.stream AND v.stream = ANY(${sql.val(chunk.map((c) => c.stream))}::text[]) AND v.tx_to IS NULL
      RETURNING v.stream, v.state`.execute(trx);
    for (const r of rows) out.set(r.stream, r.state);
  }
  return out;
}

/**
 * Every version of every non-fact thing as a JSON state with the range `[tx_from, tx_to)` of positions
 * at which it was believed. It is also where the other models get their states from: it folds each
 * event with the domain's evolve and advances `batch.states`, so it comes first in the registry.
 */
export const stateVersions: ReadModel = {
  name: 'state-versions',
  tables: [STATE_VERSIONS],
  kinds: THING_KINDS,
  async open(trx, events, batch) {
    for (const [stream, state] of await closeStateVersions(
      trx,
      firstEvents(events, (e) => e.stored.stream),
    ))
      batch.states.load(stream, state);
    let versions: Row<'state_versions'>[] = [];
    return {
      apply({ stored, event, kind, following }) {
        const next = evolveAny(batch.states.previous(stored.stream), event);
        if (!next) throw new Error(`event ${stored.position} (${stored.type}) has no ${kind} to apply to`);
        const state = JSON.stringify(next);
        versions.push({
          stream: stored.stream,
          version: stored.streamVersion,
          kind,
          id: idOf(event),
          state,
          tx_from: stored.position,
          tx_to: following?.position ?? null,
          recorded_from: stored.recordedAt.toISOString(),
        });
        // The next event sees the state as the jsonb column gives it back, as when it was read from the table.
        batch.states.advance(stored.stream, next, JSON.parse(state) as AnyState);
      },
      async flush() {
        await insertRows(trx, STATE_VERSIONS, versions);
        versions = [];
      },
    };
  },
};
