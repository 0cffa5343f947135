import type { CompiledQuery } from 'kysely';
import { DomainError } from '../../domain/errors';
import type { FactlogDb } from '../tables';

/** The log position an answer was computed at, and when that event was recorded. */
export interface Basis {
  position: number;
  recordedAt: Date | null;
}

export interface Pins {
  knownAt?: Date;
  atPosition?: number;
}

let headQuery: CompiledQuery<{ position: number; recorded_at: Date }> | undefined;

/**
 * Transaction time → a log position. Positions are assigned in commit order and recorded times never
 * decrease along the log, so "known at K" is "every event up to the last one recorded at or before K".
 * A K or a position beyond the head is answered at the head, and the basis says so.
 */
export async function resolveBasis(db: FactlogDb, pins: Pins = {}): Promise<Basis> {
  if (pins.knownAt && pins.atPosition !== undefined) {
    throw new DomainError('BAD_USER_INPUT', 'give knownAt or atPosition, not both', ['atPosition']);
  }
  if (pins.atPosition !== undefined && (!Number.isSafeInteger(pins.atPosition) || pins.atPosition < 0)) {
    throw new DomainError('BAD_USER_INPUT', `atPosition must be a whole number ≥ 0, got ${pins.atPosition}`, ['atPosition']);
  }
  if (pins.knownAt && Number.isNaN(pins.knownAt.getTime())) throw new DomainError('BAD_USER_INPUT', 'knownAt is not a valid instant', ['knownAt']);

  const { atPosition, knownAt } = pins;
  if (atPosition === undefined && !knownAt) {
    // Compiled once: nearly every request reads the head, and building the statement cost a third of
    // running it (bench/, BENCHMARKS.md). Every database has the same log_head, so one text serves all.
    headQuery ??= db.selectFrom('log_head').select(['position', 'recorded_at']).compile();
    const [h] = (await db.executeQuery(headQuery)).rows;
    if (!h) throw new Error('log_head has no row: the store is not migrated');
    return { position: h.position, recordedAt: h.recorded_at };
  }
  // One statement for a pinned read too: the head, and beside it the event the pin points at. Every
  // read starts here, so a second round trip would be paid by every pinned request.
  const row = await db.selectFrom('log_head as h')
    .leftJoinLateral(
      (eb) => {
        const events = eb.selectFrom('events as e').select(['e.position', 'e.recorded_at']);
        if (knownAt) return events.where('e.recorded_at', '<=', knownAt).orderBy('e.recorded_at', 'desc').orderBy('e.position', 'desc').limit(1).as('p');
        return events.where('e.position', '=', atPosition!).as('p');
      },
      (join) => join.onTrue(),
    )
    .select(['h.position as head', 'h.recorded_at as headAt', 'p.position as pinned', 'p.recorded_at as pinnedAt'])
    .executeTakeFirstOrThrow();
  const head: Basis = { position: row.head, recordedAt: row.headAt };
  if (atPosition !== undefined) {
    if (atPosition >= head.position) return head;
    return { position: atPosition, recordedAt: atPosition === 0 ? null : row.pinnedAt ?? null };
  }
  if (knownAt && head.recordedAt && knownAt >= head.recordedAt) return head;
  return row.pinned !== null ? { position: row.pinned, recordedAt: row.pinnedAt } : { position: 0, recordedAt: null };
}
