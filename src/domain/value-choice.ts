import type { Rank } from './fact';
import { parsePartialDate, periodStart } from './partial-date';

/**
 * docs/domain.md, "The value as of a time" and "Why this value": the one place the value of an
 * (entity, property) as of T is decided. Every candidate fact gets an outcome that says why it is,
 * or is not, the value; `value` and `valueWithConflicts` are the CHOSEN and TIED ones.
 */
export const OUTCOMES = [
  'CHOSEN',
  'TIED',
  'OUTRANKED',
  'SUPERSEDED',
  'NOT_VALID_YET',
  'ENDED',
  'DEPRECATED',
  'RETRACTED',
  'NOT_YET_ASSERTED',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** Where a candidate stands at the log position asked about. */
export type CandidateStatus = 'asserted' | 'retracted' | 'notYetAsserted';

/** What the choice needs to know of one fact: its valid range, rank, and standing in the log. */
export interface ValueCandidate {
  readonly id: string;
  readonly asOf: string | null;
  readonly validEnd: string | null;
  readonly rank: Rank;
  readonly status: CandidateStatus;
}

export interface CandidateOutcome<C extends ValueCandidate> {
  readonly candidate: C;
  readonly outcome: Outcome;
  readonly reason: string;
  /** The fact that beat it (SUPERSEDED, OUTRANKED) or that it ties with (TIED). */
  readonly decidedBy: C | null;
}

export interface ValueChoice<C extends ValueCandidate> {
  /** The value as of T, or null when no fact holds then. */
  readonly value: C | null;
  /** Other facts that hold equally at T, by id. */
  readonly conflicts: C[];
  /** Every candidate, in the order given. */
  readonly outcomes: CandidateOutcome<C>[];
}

/** The instant a stored partial date starts (facts only store valid partial dates). */
function startOf(date: string): number {
  const parsed = parsePartialDate(date, 'date');
  if (!parsed.ok) throw new Error(`stored date "${date}" is not a partial date`);
  return periodStart(parsed.value).getTime();
}

/** Ids in code-unit order, the same on every database whatever its collation. */
const byId = (a: ValueCandidate, b: ValueCandidate): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * Why a candidate cannot be the value whatever the others are, or null when it holds at T.
 * The order of the tests is the order docs/domain.md gives the rules in.
 */
function excluded(c: ValueCandidate, t: number, asOfLabel: string): { outcome: Outcome; reason: string } | null {
  if (c.status === 'notYetAsserted') return { outcome: 'NOT_YET_ASSERTED', reason: 'not yet asserted at this log position' };
  if (c.status === 'retracted') return { outcome: 'RETRACTED', reason: 'retracted at or before this log position' };
  if (c.rank === 'deprecated') return { outcome: 'DEPRECATED', reason: 'deprecated: kept for the record, never the value' };
  if (c.asOf !== null && startOf(c.asOf) > t) {
    return { outcome: 'NOT_VALID_YET', reason: `asOf ${c.asOf} starts after ${asOfLabel}` };
  }
  if (c.validEnd !== null && startOf(c.validEnd) <= t) {
    return { outcome: 'ENDED', reason: `validEnd ${c.validEnd} ended it by ${asOfLabel}` };
  }
  return null;
}

/**
 * Chooses the value among the facts of one (entity, property) as of the instant `asOf`.
 * `asOfLabel` names that instant in reasons ("2025-12", or "now").
 */
export function chooseValue<C extends ValueCandidate>(
  candidates: readonly C[],
  asOf: Date,
  asOfLabel = asOf.toISOString(),
): ValueChoice<C> {
  const t = asOf.getTime();
  const decided = new Map<C, CandidateOutcome<C>>();
  const holding: C[] = [];
  for (const c of candidates) {
    const out = excluded(c, t, asOfLabel);
    if (out) decided.set(c, { candidate: c, ...out, decidedBy: null });
    else holding.push(c);
  }

  // Dated facts beat timeless ones; among dated ones the latest asOf start wins.
  const dated = holding.filter((c) => c.asOf !== null);
  const latest = dated.length ? Math.max(...dated.map((c) => startOf(c.asOf!))) : null;
  const sameTime = latest === null ? holding : dated.filter((c) => startOf(c.asOf!) === latest);
  // On a tie, preferred beats normal.
  const preferred = sameTime.filter((c) => c.rank === 'preferred');
  const winners = (preferred.length ? preferred : sameTime).slice().sort(byId);
  const value = winners[0] ?? null;

  for (const c of holding) {
    if (c === value) {
      decided.set(c, { candidate: c, outcome: 'CHOSEN', reason: chosenReason(c, winners.length, holding.length), decidedBy: null });
    } else if (winners.includes(c)) {
      decided.set(c, {
        candidate: c,
        outcome: 'TIED',
        reason: `holds equally with ${value!.id} (same asOf start and rank): a conflict; the smaller id is shown as the value`,
        decidedBy: value,
      });
    } else if (!sameTime.includes(c)) {
      decided.set(c, {
        candidate: c,
        outcome: 'SUPERSEDED',
        reason:
          c.asOf === null
            ? `timeless, and ${value!.id} is dated (asOf ${value!.asOf}): a dated fact beats a timeless one`
            : `asOf ${c.asOf} is earlier than ${value!.id}'s asOf ${value!.asOf}`,
        decidedBy: value,
      });
    } else {
      decided.set(c, { candidate: c, outcome: 'OUTRANKED', reason: `${value!.id} is preferred at the same asOf`, decidedBy: value });
    }
  }
  return { value, conflicts: winners.slice(1), outcomes: candidates.map((c) => decided.get(c)!) };
}

function chosenReason(c: ValueCandidate, winners: number, holding: number): string {
  const base =
    c.asOf === null
      ? 'timeless, and no dated fact holds then'
      : holding === 1
        ? `the only fact that holds then (asOf ${c.asOf})`
        : `the latest asOf that holds then (${c.asOf})${c.rank === 'preferred' ? ', preferred' : ''}`;
  return winners > 1 ? `${base}; ties with ${winners - 1} other fact(s), shown as the smallest id` : base;
}
