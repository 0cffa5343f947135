import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { Evidence as DomainEvidence } from '../../domain/verification';
import type { Pins } from '../pins';

/** GraphQL names of the verdicts (docs/domain.md, "Verification"); the values are the domain's. */
export enum Verdict {
  CONFIRMED = 'confirmed',
  CONTRADICTED = 'contradicted',
  UNVERIFIABLE = 'unverifiable',
  OUTDATED = 'outdated',
  PARTIAL = 'partial',
  UNCHECKED = 'unchecked',
}
registerEnumType(Verdict, {
  name: 'Verdict',
  description: 'What the evidence says about a fact or record field; UNCHECKED when there is none (not an evidence verdict).',
});

@ObjectType({ description: 'What one source says about a target, as a checker read it against one version of the source.' })
export class Evidence {
  @Field(() => Verdict) verdict!: Verdict;
  @Field(() => String, { nullable: true }) quote!: string | null;
  @Field(() => String, { nullable: true }) locator!: string | null;
  @Field(() => Float, { description: '0..1' }) confidence!: number;
  @Field(() => String, { nullable: true }) reasoning!: string | null;
  @Field({ description: 'A person’s key or a model’s name.' }) checkedBy!: string;
  @Field(() => String, { nullable: true, description: 'ISO 8601 instant, as the checker gave it.' }) checkedAt!: string | null;
  @Field(() => String, { nullable: true, description: 'Hash of the source content checked against (Source.content.contentHash).' })
  contentHash!: string | null;
  @Field(() => ID) sourceId!: string;
  pins!: Pins;
}

@ObjectType({ description: 'A fact’s or record field’s verdict from its evidence, at the pins it was read at.' })
export class Verification {
  @Field(() => ID, { description: '"fact:<fact id>" or "record:<record id>@<field>".' }) target!: string;
  @Field(() => Verdict) verdict!: Verdict;
  @Field(() => Float, { nullable: true, description: 'The highest confidence among the evidence behind the verdict; null when unchecked.' })
  confidence!: number | null;
  @Field({
    description:
      'A source changed its content since it was checked, or (facts) a cited source has no evidence or evidence names a source no longer cited.',
  })
  needsRecheck!: boolean;
  @Field(() => [Evidence], { description: 'The latest evidence per source, in the order the sources were first checked.' })
  evidence!: Evidence[];
}

@ObjectType({ description: 'How many of an entity’s facts have each verdict, and how many need a recheck.' })
export class VerificationSummary {
  @Field(() => Int) confirmed!: number;
  @Field(() => Int) contradicted!: number;
  @Field(() => Int) unverifiable!: number;
  @Field(() => Int) outdated!: number;
  @Field(() => Int) partial!: number;
  @Field(() => Int) unchecked!: number;
  @Field(() => Int) needsRecheck!: number;
}

export const toEvidence = (e: DomainEvidence, pins: Pins): Evidence => ({
  verdict: e.verdict as Verdict,
  quote: e.quote ?? null,
  locator: e.locator ?? null,
  confidence: e.confidence,
  reasoning: e.reasoning ?? null,
  checkedBy: e.checkedBy,
  checkedAt: e.checkedAt ?? null,
  contentHash: e.contentHash ?? null,
  sourceId: e.sourceId,
  pins,
});
