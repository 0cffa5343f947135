import { asOfInstant, type PartialDate } from '../domain/partial-date';
import type { Basis } from '../projections/queries/basis';
import { userError } from './errors';

/**
 * Where in the two times a field is read: valid time (`asOf`, as the instant T it means) and
 * transaction time (the log position P). Every object the API returns carries the pins it was read
 * at; nested fields inherit them unless they set their own (docs/api.md, "Time on every read").
 */
export interface Pins {
  basis: Basis;
  asOf: PartialDate | null;
  /** The instant `asOf` means (the last instant of its period), or the request's "now". */
  validAt: Date;
}

export interface PinArgs {
  asOf?: PartialDate | null;
  knownAt?: Date | null;
  atPosition?: string | null;
}

/** A log position as clients spell it: digits only, below 10^15 (exact in a JavaScript number). */
export const isLogPosition = (raw: string): boolean => /^\d{1,15}$/.test(raw);

/**
 * The one parser of a log position a client sent (atPosition, afterPosition, minPosition, the
 * X-Factlog-Min-Position header): the number, or BAD_USER_INPUT naming the field it came in.
 */
export function parsePosition(raw: string, field = 'atPosition', extensions: Record<string, unknown> = {}): number {
  if (!isLogPosition(raw))
    throw userError('BAD_USER_INPUT', `${field} must be a log position (a whole number), got "${raw}"`, { field, ...extensions });
  return Number(raw);
}

export function validInstant(asOf: PartialDate | null, now: Date): Date {
  return asOf ? asOfInstant(asOf) : now;
}

/** Objects the API returns are domain data plus the pins they were read at. */
export interface Pinned {
  pins: Pins;
}
