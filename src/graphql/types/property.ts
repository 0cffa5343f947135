import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import type { PropertyState } from '../../domain/property';
import type { Attributes } from '../../domain/fields';
import type { Versioned } from '../../projections/queries/things';
import type { Pins } from '../pins';
import { ATTRIBUTES_DESCRIPTION, JSONScalar } from '../scalars';

@ObjectType({ description: 'How a number is shown: 1.4e10 with divisor 1e9, prefix "$", suffix "B" → "$14.0B".' })
export class Display {
  @Field(() => Float, { nullable: true }) divisor?: number;
  @Field(() => String, { nullable: true }) prefix?: string;
  @Field(() => String, { nullable: true }) suffix?: string;
}

@ObjectType({ description: 'What a fact states about an entity: "AI Safety Level", "Revenue"…' })
export class Property {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field(() => String, { nullable: true }) description!: string | null;
  @Field() dataType!: string;
  @Field(() => String, { nullable: true }) unit!: string | null;
  @Field(() => String, { nullable: true }) category!: string | null;
  @Field() temporal!: boolean;
  @Field(() => [String]) appliesTo!: string[];
  @Field(() => Display, { nullable: true }) display!: Display | null;
  @Field(() => String, { nullable: true }) inverseId!: string | null;
  @Field(() => Int, { nullable: true }) stalenessDays!: number | null;
  @Field({ description: 'The wiki derives these facts from others (e.g. the inverse property’s); not entered by hand.' })
  computed!: boolean;
  @Field(() => String, { nullable: true, description: 'How a page names the relation from the other side ("Employs").' }) inverseName!:
    string | null;
  @Field(() => JSONScalar, { nullable: true, description: ATTRIBUTES_DESCRIPTION }) attributes!: Attributes | null;
  @Field(() => Int) version!: number;
  pins!: Pins;
}

export function toProperty(v: Versioned<PropertyState>, pins: Pins): Property {
  const f = v.state!.fields;
  return {
    id: v.state!.id,
    name: f.name,
    description: f.description ?? null,
    dataType: f.dataType,
    unit: f.unit ?? null,
    category: f.category ?? null,
    temporal: f.temporal ?? false,
    appliesTo: f.appliesTo ?? [],
    display: f.display ?? null,
    inverseId: f.inverseId ?? null,
    stalenessDays: f.stalenessDays ?? null,
    computed: f.computed ?? false,
    inverseName: f.inverseName ?? null,
    attributes: f.attributes ?? null,
    version: v.version,
    pins,
  };
}
