import { Field, ID, Int, ObjectType } from 'type-graphql';
import { typeLabel, type EntityState } from '../../domain/entity';
import type { Attributes } from '../../domain/fields';
import type { Versioned } from '../../projections/queries/things';
import { Connection } from '../connection';
import type { Pins } from '../pins';
import { ATTRIBUTES_DESCRIPTION, JSONScalar } from '../scalars';

@ObjectType({ description: 'Something facts are about: an organization, a person, a risk…' })
export class Entity {
  @Field(() => ID, { description: 'The stable id.' }) id!: string;
  @Field() slug!: string;
  @Field(() => String, { nullable: true }) numericId!: string | null;
  @Field() name!: string;
  @Field() type!: string;
  @Field({ description: 'The type as a page shows it, e.g. "Organization".' }) typeLabel!: string;
  @Field(() => [String]) aliases!: string[];
  @Field(() => JSONScalar, { nullable: true, description: ATTRIBUTES_DESCRIPTION }) attributes!: Attributes | null;
  @Field(() => Int) version!: number;
  pins!: Pins;
}

export function toEntity(v: Versioned<EntityState>, pins: Pins): Entity {
  const s = v.state!;
  return {
    id: s.id,
    slug: s.fields.slug,
    numericId: s.fields.numericId ?? null,
    name: s.fields.name,
    type: s.fields.type,
    typeLabel: typeLabel(s.fields.type),
    aliases: s.fields.aliases ?? [],
    attributes: s.fields.attributes ?? null,
    version: v.version,
    pins,
  };
}

@ObjectType()
export class EntityConnection extends Connection(Entity) {}
