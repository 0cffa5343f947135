import { createUnionType, Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { factValueFromStored, type FactValue as DomainFactValue } from '../../domain/fact-value';
import { parsePartialDate, displayPartialDate } from '../../domain/partial-date';
import type { FactVersion } from '../../projections/queries/facts';
import { Connection } from '../connection';
import type { Pins } from '../pins';
import { DateTimeScalar, JSONScalar, PartialDateScalar } from '../scalars';

// Each variant names its payload differently (number, text, date…): GraphQL forbids one field name
// with two types across the members of a union selected together.
@ObjectType()
export class NumberValue {
  @Field(() => Float) number!: number;
  @Field(() => String, { nullable: true }) unit!: string | null;
}
@ObjectType()
export class RangeValue {
  @Field(() => Float) low!: number;
  @Field(() => Float) high!: number;
  @Field(() => String, { nullable: true }) unit!: string | null;
}
@ObjectType({ description: 'A lower bound: "at least".' })
export class MinValue {
  @Field(() => Float) min!: number;
  @Field(() => String, { nullable: true }) unit!: string | null;
}
@ObjectType()
export class TextValue {
  @Field() text!: string;
}
@ObjectType()
export class DateValue {
  @Field(() => PartialDateScalar) date!: string;
}
@ObjectType()
export class BooleanValue {
  @Field() boolean!: boolean;
}
@ObjectType({ description: 'A reference to an entity; `known` is false when no such entity exists (yet).' })
export class RefValue {
  @Field(() => ID) entityId!: string;
  @Field() known!: boolean;
  pins!: Pins;
}
@ObjectType({ description: 'References to entities; `unknownIds` names the ones that do not exist (yet).' })
export class RefsValue {
  @Field(() => [ID]) entityIds!: string[];
  @Field(() => [ID]) unknownIds!: string[];
  pins!: Pins;
}
@ObjectType()
export class JsonValue {
  @Field(() => JSONScalar) json!: unknown;
}

export const FactValueUnion = createUnionType({
  name: 'FactValue',
  types: () => [NumberValue, RangeValue, MinValue, TextValue, DateValue, BooleanValue, RefValue, RefsValue, JsonValue] as const,
  resolveType: (v) => (v as unknown as { __typename: string }).__typename,
});

/** The GraphQL value of a fact; `known` for refs comes from the caller, who looked the ids up. */
export function toFactValue(v: DomainFactValue, knownIds: ReadonlySet<string>, pins: Pins): object {
  switch (v.kind) {
    case 'number':
      return { __typename: 'NumberValue', number: v.value, unit: v.unit ?? null };
    case 'range':
      return { __typename: 'RangeValue', low: v.low, high: v.high, unit: v.unit ?? null };
    case 'min':
      return { __typename: 'MinValue', min: v.min, unit: v.unit ?? null };
    case 'text':
      return { __typename: 'TextValue', text: v.value };
    case 'date':
      return { __typename: 'DateValue', date: v.value.value };
    case 'boolean':
      return { __typename: 'BooleanValue', boolean: v.value };
    case 'ref':
      return { __typename: 'RefValue', entityId: v.entity, known: knownIds.has(v.entity), pins };
    case 'refs':
      return { __typename: 'RefsValue', entityIds: v.entities, unknownIds: v.entities.filter((e) => !knownIds.has(e)), pins };
    case 'json':
      return { __typename: 'JsonValue', json: v.value };
  }
}

@ObjectType({ description: 'A source backing a fact, with the quoted passage and where in the source it is.' })
export class Citation {
  @Field(() => String, { nullable: true }) quote!: string | null;
  @Field(() => String, { nullable: true }) locator!: string | null;
  sourceId!: string;
  pins!: Pins;
}

@ObjectType({ description: 'A typed value of a property of an entity, true over a span of valid time, backed by sources.' })
export class Fact {
  @Field(() => ID) id!: string;
  @Field(() => PartialDateScalar, { nullable: true }) asOf!: string | null;
  @Field(() => String, { nullable: true, description: 'asOf as a page shows it: "May 2025".' }) asOfLabel!: string | null;
  @Field(() => PartialDateScalar, { nullable: true }) validEnd!: string | null;
  @Field({ description: 'preferred, normal or deprecated' }) rank!: string;
  @Field(() => String, { nullable: true }) notes!: string | null;
  @Field(() => [Citation]) citations!: Citation[];
  @Field(() => DateTimeScalar, { description: 'When this version of the fact was recorded.' }) recordedAt!: Date;
  @Field({ description: 'Log position of the event that produced this version.' }) position!: string;
  @Field(() => Int) version!: number;
  @Field() retracted!: boolean;
  entityId!: string;
  propertyId!: string;
  value!: DomainFactValue;
  pins!: Pins;
}

export function toFact(f: FactVersion, pins: Pins): Fact {
  const asOf = f.asOf ? parsePartialDate(f.asOf, 'asOf') : null;
  return {
    id: f.id,
    asOf: f.asOf,
    asOfLabel: asOf?.ok ? displayPartialDate(asOf.value) : null,
    validEnd: f.validEnd,
    rank: f.rank,
    notes: f.notes,
    recordedAt: f.recordedAt,
    position: String(f.position),
    version: f.version,
    retracted: f.retracted,
    entityId: f.entityId,
    propertyId: f.propertyId,
    value: factValueFromStored(f.value),
    citations: f.citations.map((c) => ({ quote: c.quote ?? null, locator: c.locator ?? null, sourceId: c.sourceId, pins })),
    pins,
  };
}

@ObjectType()
export class FactConnection extends Connection(Fact) {}

@ObjectType({ description: 'The value of a property as of a time, and any facts that disagree with it then.' })
export class ValueWithConflicts {
  @Field(() => Fact, { nullable: true }) fact!: Fact | null;
  @Field(() => [Fact]) conflicts!: Fact[];
}
