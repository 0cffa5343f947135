import { Field, ID, Int, ObjectType } from 'type-graphql';
import type { EntityTypeState } from '../../domain/entity-type';
import type { Attributes } from '../../domain/fields';
import type { Versioned } from '../../projections/queries/things';
import type { Pins } from '../pins';
import { ATTRIBUTES_DESCRIPTION, JSONScalar } from '../scalars';

const NAMES = 'Property ids, or entity fields by their kebab-case name (description, website, tags, aliases, summary-page, …).';

@ObjectType({
  description: 'What the entities of one type must and should say about themselves (a wiki’s schemas/<type>.yaml), as data in the store.',
})
export class EntityType {
  @Field(() => ID, { description: 'The type as entities name it ("organization").' }) id!: string;
  @Field() name!: string;
  @Field(() => String, { nullable: true }) description!: string | null;
  @Field(() => [String], { description: `What every entity of the type must say. ${NAMES}` }) required!: string[];
  @Field(() => [String], { description: `What it should say. ${NAMES}` }) recommended!: string[];
  @Field(() => [String], { description: 'The record schemas (by id) whose records its pages show.' }) records!: string[];
  @Field(() => JSONScalar, { nullable: true, description: ATTRIBUTES_DESCRIPTION }) attributes!: Attributes | null;
  @Field(() => Int) version!: number;
  pins!: Pins;
}

@ObjectType({ description: 'What an entity lacks of what its type asks, by the names the type uses (docs/domain.md, "Entity types").' })
export class Completeness {
  @Field(() => [String]) missingRequired!: string[];
  @Field(() => [String]) missingRecommended!: string[];
  @Field({ description: 'Whether its type is known at these pins; without one nothing is missing.' }) typeKnown!: boolean;
}

export function toEntityType(v: Versioned<EntityTypeState>, pins: Pins): EntityType {
  const f = v.state!.fields;
  return {
    id: v.state!.id,
    name: f.name,
    description: f.description ?? null,
    required: f.required,
    recommended: f.recommended,
    records: f.records ?? [],
    attributes: f.attributes ?? null,
    version: v.version,
    pins,
  };
}
