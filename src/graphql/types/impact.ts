import { Field, Int, ObjectType } from 'type-graphql';
import { Entity } from './entity';
import { Fact } from './fact';
import { Page } from './page';
import { Property } from './property';
import { EntityRecord } from './record';

@ObjectType({
  description: 'A fact a source supports: whether it rests on that source alone, and whether it keeps support under the hypothesis.',
})
export class SupportedFact {
  @Field(() => Fact) fact!: Fact;
  @Field({ description: 'It cites no other source: retracting this one leaves it unsupported.' }) onlySupport!: boolean;
  @Field({ description: 'Under the hypothesis asked (none: always true), another cited source still supports it.' })
  keepsSupport!: boolean;
}

@ObjectType({ description: 'A record with a field whose value is the source’s URL.' })
export class SupportedRecord {
  @Field(() => EntityRecord) record!: EntityRecord;
  @Field(() => [String], { description: 'The fields that name the source.' }) fields!: string[];
}

@ObjectType({ description: 'A page that cites the source, or the page about an entity whose facts or records it supports.' })
export class AffectedPage {
  @Field(() => Page) page!: Page;
  @Field() citesSource!: boolean;
  @Field(() => [Entity], { description: 'The entities whose supported facts or records the page shows.' }) shows!: Entity[];
}

@ObjectType({ description: 'An answer of `value(…)` the hypothesis would change: as it is, and as it would be.' })
export class ValueChange {
  @Field(() => Entity) entity!: Entity;
  @Field(() => Property) property!: Property;
  @Field(() => Fact, { nullable: true }) before!: Fact | null;
  @Field(() => [Fact]) conflictsBefore!: Fact[];
  @Field(() => Fact, { nullable: true, description: 'Null when no fact would hold then.' }) after!: Fact | null;
  @Field(() => [Fact]) conflictsAfter!: Fact[];
}

@ObjectType({ description: 'What leans on a source (docs/domain.md, "What leans on a source"); computed, nothing is written.' })
export class SourceImpact {
  @Field({ description: 'none, retracted, or credibilityBelow:N.' }) hypothesis!: string;
  @Field(() => [SupportedFact]) facts!: SupportedFact[];
  @Field(() => Int, { description: 'How many of the facts would lose all support under the hypothesis.' }) factsLosingSupport!: number;
  @Field(() => [SupportedRecord]) records!: SupportedRecord[];
  @Field(() => [AffectedPage]) pages!: AffectedPage[];
  @Field(() => [ValueChange], { description: 'Empty without a hypothesis.' }) valueChanges!: ValueChange[];
}
