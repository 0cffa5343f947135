import { DomainError } from '../../domain/errors';
import type { FactlogDb } from '../tables';
import { prepared } from './prepared';

/** The log position an answer was computed at, and when that event was recorded. */
export interface Basis {
  position: number;
  recordedAt: Date | null;
}

export interface Pins {
  knownAt?: Date;
  atPosition?: number;
}

/** Nearly every request reads the head: built and compiled once (prepared.ts). */
const headStatement = prepared((db) => db.selectFrom('log_head').select(['position', 'recorded_at']));

/**
 * The head, and beside it the event a pin points at: one statement for a pinned read too, since every
 * read starts here and a second round trip would be paid by every pinned request.
 */
function headBeside(db: FactlogDb, by: 'time' | 'position', pin: Date | number) {
  return db
    .selectFrom('log_head as h')
    .leftJoinLateral(
      (eb) => {
        const events = eb.selectFrom('events as e').select(['e.position', 'e.recorded_at']);
        return by === 'time'
          ? events
              .where('e.recorded_at', '<=', pin as Date)
              .orderBy('e.recorded_at', 'desc')
              .orderBy('e.position', 'desc')
              .limit(1)
              .as('p')
          : events.where('e.position', '=', pin as number).as('p');
      },
      (join) => join.onTrue(),
    )
    .select(['h.position as head', 'h.recorded_at as headAt', 'p.position as pinned', 'p.recorded_at as pinnedAt']);
}
const headBesideTime = prepared((db, knownAt: Date) => headBeside(db, 'time', knownAt));
const headBesidePosition = prepared((db, atPosition: number) => headBeside(db, 'position', atPosition));

/**
 * Transaction time → a log position. Positions are assigned in commit order and recorded times never
 * decrease along the log, so "known at K" is "every event up to the last one recorded at or before K".
 * A K beyond the head is answered at the head, and the basis says so; a position beyond it is an error.
 */
export async function resolveBasis(db: FactlogDb, pins: Pins = {}): Promise<Basis> {
  if (pins.knownAt && pins.atPosition !== undefined) {
    throw new DomainError('BAD_USER_INPUT', 'give knownAt or atPosition, not both', ['atPosition']);
  }
  if (pins.atPosition !== undefined && (!Number.isSafeInteger(pins.atPosition) || pins.atPosition < 0)) {
    throw new DomainError('BAD_USER_INPUT', `atPosition must be a whole number ≥ 0, got ${pins.atPosition}`, ['atPosition']);
  }
  if (pins.knownAt && Number.isNaN(pins.knownAt.getTime()))
    throw new DomainError('BAD_USER_INPUT', 'knownAt is not a valid instant', ['knownAt']);

  const { atPosition, knownAt } = pins;
  if (atPosition === undefined && !knownAt) {
    const [h] = await headStatement(db);
    if (!h) throw new Error('log_head has no row: the store is not migrated');
    return { position: h.position, recordedAt: h.recorded_at };
  }
  const [row] = knownAt ? await headBesideTime(db, knownAt) : await headBesidePosition(db, atPosition!);
  if (!row) throw new Error('log_head has no row: the store is not migrated');
  const head: Basis = { position: row.head, recordedAt: row.headAt };
  if (atPosition !== undefined) {
    // Answering a future position at the head would change that answer once the log grows there,
    // breaking the promise that a pinned read is the same forever (README.md, "Two commands").
    if (atPosition > head.position) {
      throw new DomainError(
        'BAD_USER_INPUT',
        `atPosition ${atPosition} is beyond the log's head (position ${head.position}): nothing is recorded there yet. Pin a position up to ${head.position}, or leave atPosition out to read at the head.`,
        ['atPosition'],
        { head: String(head.position) },
      );
    }
    if (atPosition === head.position) return head;
    return { position: atPosition, recordedAt: atPosition === 0 ? null : (row.pinnedAt ?? null) };
  }
  if (knownAt && head.recordedAt && knownAt >= head.recordedAt) return head;
  return row.pinned !== null ? { position: row.pinned, recordedAt: row.pinnedAt } : { position: 0, recordedAt: null };
}
