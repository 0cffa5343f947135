import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { OUTCOMES, type CandidateOutcome, type Outcome } from '../../domain/value-choice';
import type { FactCandidate } from '../../projections/queries/facts';
import type { Pins } from '../pins';
import { Fact, toFact } from './fact';

/** The domain's outcomes as GraphQL's enum: built from OUTCOMES, so a new outcome cannot be left out. */
export const ValueOutcome = Object.fromEntries(OUTCOMES.map((o) => [o, o])) as { [O in Outcome]: O };
const VALUE_OUTCOME_DESCRIPTIONS: Record<Outcome, { description: string }> = {
  CHOSEN: { description: 'The value.' },
  TIED: { description: 'Holds equally with the value (same asOf start and rank): a conflict.' },
  OUTRANKED: { description: 'Holds at the same asOf as the value, which is preferred.' },
  SUPERSEDED: { description: 'Holds, but a later asOf won (or it is timeless and a dated fact holds).' },
  NOT_VALID_YET: { description: 'Its asOf starts after the time asked about.' },
  ENDED: { description: 'Its validEnd had started by the time asked about.' },
  DEPRECATED: { description: 'Deprecated: kept for the record, never the value.' },
  RETRACTED: { description: 'Retracted at or before the log position asked about.' },
  NOT_YET_ASSERTED: { description: 'Asserted only after the log position asked about.' },
};
registerEnumType(ValueOutcome, {
  name: 'ValueOutcome',
  description: 'Why a fact is, or is not, the value as of a time (docs/domain.md, “Why this value”).',
  valuesConfig: VALUE_OUTCOME_DESCRIPTIONS,
});

@ObjectType({ description: 'One fact of the property and what the value choice made of it.' })
export class ValueCandidate {
  @Field(() => Fact, { description: 'The fact as believed at the position asked about (as first asserted, when NOT_YET_ASSERTED).' })
  fact!: Fact;
  @Field(() => ValueOutcome) outcome!: Outcome;
  @Field({ description: 'The outcome in words.' }) reason!: string;
  @Field(() => [String], {
    description:
      'Log positions of the events that decided: the event that made this fact what it is at the position (its assertion, correction, deprecation or retraction; its later assertion when NOT_YET_ASSERTED), then that of the fact it lost to or ties with.',
  })
  decidedAt!: string[];
  @Field(() => Fact, { nullable: true, description: 'The fact it lost to (SUPERSEDED, OUTRANKED) or ties with (TIED).' })
  decidedBy!: Fact | null;
}

@ObjectType({ description: 'The value of a property as of a time, and why: every fact of the property with its outcome.' })
export class Explanation {
  @Field(() => Fact, { nullable: true, description: 'The same fact as `value(property:)` with the same times.' }) value!: Fact | null;
  @Field(() => [Fact], { description: 'The same facts as `valueWithConflicts.conflicts`.' }) conflicts!: Fact[];
  @Field(() => [ValueCandidate], { description: 'CHOSEN first, then by outcome (in the enum’s order), then by id.' })
  candidates!: ValueCandidate[];
}

const rankOf = (o: Outcome): number => OUTCOMES.indexOf(o);

export function toExplanation(
  choice: { value: FactCandidate | null; conflicts: FactCandidate[]; outcomes: CandidateOutcome<FactCandidate>[] },
  pins: Pins,
): Explanation {
  const candidates = choice.outcomes
    .slice()
    .sort(
      (a, b) => rankOf(a.outcome) - rankOf(b.outcome) || (a.candidate.id < b.candidate.id ? -1 : a.candidate.id > b.candidate.id ? 1 : 0),
    )
    .map((o): ValueCandidate => ({
      fact: toFact(o.candidate, pins),
      outcome: o.outcome,
      reason: o.reason,
      decidedAt: [o.candidate.position, ...(o.decidedBy ? [o.decidedBy.position] : [])].map(String),
      decidedBy: o.decidedBy && toFact(o.decidedBy, pins),
    }));
  return { value: choice.value && toFact(choice.value, pins), conflicts: choice.conflicts.map((f) => toFact(f, pins)), candidates };
}
