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

/**
 * Transaction time → a log position. Positions are assigned in commit order and recorded times never
 * decrease along the log, so "known at K" is "every event up to the last one recorded at or before K".
 * A K or a position beyond the head is answered at the head, and the basis says so.
 */
export async function resolveBasis(db: FactlogDb, pins: Pins = {}): Promise<Basis> {
  if (pins.knownAt && pins.atPosition !== undefined) {
    throw new DomainError('BAD_USER_INPUT', 'give knownAt or atPosition, not both', ['atPosition']);
  }
  const head = await db.selectFrom('log_head').select(['position', 'recorded_at']).executeTakeFirstOrThrow();
  if (pins.atPosition !== undefined) {
    if (!Number.isSafeInteger(pins.atPosition) || pins.atPosition < 0) {
      throw new DomainError('BAD_USER_INPUT', `atPosition must be a whole number ≥ 0, got ${pins.atPosition}`, ['atPosition']);
    }
    if (pins.atPosition >= head.position) return { position: head.position, recordedAt: head.recorded_at };
    return { position: pins.atPosition, recordedAt: await recordedAtOf(db, pins.atPosition) };
  }
  if (pins.knownAt) {
    if (Number.isNaN(pins.knownAt.getTime())) throw new DomainError('BAD_USER_INPUT', 'knownAt is not a valid instant', ['knownAt']);
    if (head.recorded_at && pins.knownAt >= head.recorded_at) return { position: head.position, recordedAt: head.recorded_at };
    const row = await db.selectFrom('events').select(['position', 'recorded_at'])
      .where('recorded_at', '<=', pins.knownAt)
      .orderBy('recorded_at', 'desc').orderBy('position', 'desc').limit(1).executeTakeFirst();
    return row ? { position: row.position, recordedAt: row.recorded_at } : { position: 0, recordedAt: null };
  }
  return { position: head.position, recordedAt: head.recorded_at };
}

async function recordedAtOf(db: FactlogDb, position: number): Promise<Date | null> {
  if (position === 0) return null;
  const row = await db.selectFrom('events').select('recorded_at').where('position', '=', position).executeTakeFirst();
  return row?.recorded_at ?? null;
}
