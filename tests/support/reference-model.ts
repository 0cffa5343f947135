import { parsePartialDate, periodStart } from '../../src/domain/partial-date';

/**
 * A deliberately naive, in-memory model of facts, written straight from docs/domain.md ("Partial dates",
 * "The value as of a time") and independent of src/projections. Property tests run the same
 * commands through the real store and compare what the two say.
 */

export type RefRank = 'preferred' | 'normal' | 'deprecated';
export type RefValue = number | string;

export interface RefFact {
  readonly id: string;
  readonly entity: string;
  readonly property: string;
  readonly value: RefValue;
  readonly asOf?: string;
  readonly validEnd?: string;
  /** Absent means the default, normal. */
  readonly rank?: RefRank;
  readonly retracted: boolean;
}

export type RefCorrectable = 'value' | 'asOf' | 'validEnd' | 'rank';
export type RefUnsettable = 'asOf' | 'validEnd' | 'rank';

export type RefCommand =
  | { type: 'AssertFact'; id: string; entity: string; property: string; value: RefValue; asOf?: string; validEnd?: string; rank?: RefRank }
  | { type: 'CorrectFact'; id: string; set: { value?: RefValue; asOf?: string; validEnd?: string; rank?: RefRank }; unset: RefUnsettable[] }
  | { type: 'RetractFact'; id: string }
  | { type: 'DeprecateFact'; id: string };

/** What the model expects the store to do with a command. */
export type RefOutcome = { kind: 'changed' } | { kind: 'unchanged' } | { kind: 'rejected'; why: string };

/** Every fact ever asserted, by id, with its fields as they stood at one point of the log. */
export type RefSnapshot = ReadonlyMap<string, RefFact>;

/** The instant a fact's asOf or validEnd stands for: the start of its period. */
export function startOf(date: string): number {
  const parsed = parsePartialDate(date, 'date');
  if (!parsed.ok) throw parsed.error;
  return periodStart(parsed.value).getTime();
}

const rankOf = (f: RefFact): RefRank => f.rank ?? 'normal';

/** validEnd must not start before asOf does. */
const validRange = (f: { asOf?: string; validEnd?: string }): boolean =>
  f.asOf === undefined || f.validEnd === undefined || startOf(f.validEnd) >= startOf(f.asOf);

export class ReferenceModel {
  private facts = new Map<string, RefFact>();

  /** Applies a command if the domain would accept it, and says what the store should have done. */
  apply(command: RefCommand): RefOutcome {
    if (command.type === 'AssertFact') {
      if (this.facts.has(command.id)) return { kind: 'rejected', why: 'fact id taken' };
      const { type: _type, ...fields } = command;
      const fact: RefFact = { ...fields, retracted: false };
      if (!validRange(fact)) return { kind: 'rejected', why: 'validEnd before asOf' };
      this.facts.set(fact.id, fact);
      return { kind: 'changed' };
    }
    const fact = this.facts.get(command.id);
    if (!fact) return { kind: 'rejected', why: 'no such fact' };
    if (fact.retracted) return { kind: 'rejected', why: 'retracted' };
    switch (command.type) {
      case 'RetractFact':
        this.facts.set(fact.id, { ...fact, retracted: true });
        return { kind: 'changed' };
      case 'DeprecateFact':
        if (fact.rank === 'deprecated') return { kind: 'unchanged' };
        this.facts.set(fact.id, { ...fact, rank: 'deprecated' });
        return { kind: 'changed' };
      case 'CorrectFact': {
        const next: Record<string, unknown> = { ...fact };
        let changed = false;
        for (const [key, value] of Object.entries(command.set)) {
          if (value === undefined) continue;
          if (next[key] !== value) changed = true;
          next[key] = value;
        }
        for (const key of command.unset) {
          if (next[key] !== undefined) changed = true;
          delete next[key];
        }
        if (!changed) return { kind: 'unchanged' };
        const corrected = next as unknown as RefFact;
        if (!validRange(corrected)) return { kind: 'rejected', why: 'validEnd before asOf' };
        this.facts.set(fact.id, corrected);
        return { kind: 'changed' };
      }
    }
  }

  snapshot(): RefSnapshot {
    return new Map(this.facts);
  }

  /** Ids of the facts that commands may still target (including retracted ones, to test rejection). */
  ids(): string[] {
    return [...this.facts.keys()];
  }
}

/**
 * docs/domain.md's value as of T for one (entity, property): among facts neither retracted nor deprecated
 * whose valid range holds T (asOf start ≤ T, validEnd absent or its start > T), the latest asOf start
 * wins, preferred beats normal on ties, timeless facts (no asOf) count only when no dated fact holds T.
 * Returns every equal winner (more than one is a conflict), sorted by id.
 */
export function refValueAt(snapshot: RefSnapshot, entity: string, property: string, t: Date): string[] {
  const at = t.getTime();
  const holding = [...snapshot.values()].filter(
    (f) =>
      f.entity === entity &&
      f.property === property &&
      !f.retracted &&
      rankOf(f) !== 'deprecated' &&
      (f.asOf === undefined || startOf(f.asOf) <= at) &&
      (f.validEnd === undefined || startOf(f.validEnd) > at),
  );
  const dated = holding.filter((f) => f.asOf !== undefined);
  let candidates: RefFact[];
  if (dated.length > 0) {
    const latest = Math.max(...dated.map((f) => startOf(f.asOf!)));
    candidates = dated.filter((f) => startOf(f.asOf!) === latest);
  } else {
    candidates = holding;
  }
  if (candidates.some((f) => rankOf(f) === 'preferred')) candidates = candidates.filter((f) => rankOf(f) === 'preferred');
  return candidates.map((f) => f.id).sort();
}

/** Every fact of (entity, property) not retracted, deprecated ones included: timeless first, then by asOf start, then id. */
export function refTimeline(snapshot: RefSnapshot, entity: string, property: string): RefFact[] {
  const key = (f: RefFact): number => (f.asOf === undefined ? -Infinity : startOf(f.asOf));
  return [...snapshot.values()]
    .filter((f) => f.entity === entity && f.property === property && !f.retracted)
    .sort((a, b) => key(a) - key(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
