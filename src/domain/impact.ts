import { chooseValue, type ValueCandidate, type ValueChoice } from './value-choice';

/**
 * What leans on a source (docs/domain.md, "What leans on a source"): which facts it supports, which
 * of them rest on it alone, and, under a hypothesis about the source, which values would change.
 * Pure: the caller reads the facts and credibilities at one position and nothing is written.
 */

/** What is supposed of the source: nothing, that it is retracted, or that its credibility falls below a rating. */
export type Hypothesis = { kind: 'none' } | { kind: 'retracted' } | { kind: 'credibilityBelow'; rating: number };

/** A fact as the analysis needs it: the value choice's view and the sources its citations name. */
export interface SupportedCandidate extends ValueCandidate {
  readonly sourceIds: readonly string[];
}

/** Whether the fact cites no source but this one: retracting the source leaves it unsupported. */
export const restsOnlyOn = (fact: { sourceIds: readonly string[] }, sourceId: string): boolean =>
  fact.sourceIds.length > 0 && fact.sourceIds.every((s) => s === sourceId);

/**
 * Whether a fact citing the source keeps some support under the hypothesis. Retracted: another
 * source must be cited. Credibility below N: another cited source must be rated N or more (a source
 * with no rating does not count). With no hypothesis every fact keeps its support.
 */
export function keepsSupport(
  fact: { sourceIds: readonly string[] },
  sourceId: string,
  hypothesis: Hypothesis,
  ratingOf: (sourceId: string) => number | null,
): boolean {
  if (!fact.sourceIds.includes(sourceId)) return true;
  const others = fact.sourceIds.filter((s) => s !== sourceId);
  switch (hypothesis.kind) {
    case 'none':
      return true;
    case 'retracted':
      return others.length > 0;
    case 'credibilityBelow':
      return others.some((s) => (ratingOf(s) ?? 0) >= hypothesis.rating);
  }
}

export interface ValueChange<C extends ValueCandidate> {
  readonly before: ValueChoice<C>;
  readonly after: ValueChoice<C>;
}

const sameChoice = <C extends ValueCandidate>(a: ValueChoice<C>, b: ValueChoice<C>): boolean =>
  a.value?.id === b.value?.id && a.conflicts.length === b.conflicts.length && a.conflicts.every((c, i) => c.id === b.conflicts[i].id);

/**
 * The value of one (entity, property) as of `asOf` as it is, and as it would be without the facts
 * that lose their support; null when the answer (the value and its conflicts) would not change.
 * Both choices are chooseValue's, so the hypothesis cannot disagree with `value(…)`.
 */
export function valueChange<C extends SupportedCandidate>(
  candidates: readonly C[],
  loses: (c: C) => boolean,
  asOf: Date,
): ValueChange<C> | null {
  const before = chooseValue(candidates, asOf);
  const after = chooseValue(
    candidates.filter((c) => !loses(c)),
    asOf,
  );
  return sameChoice(before, after) ? null : { before, after };
}
