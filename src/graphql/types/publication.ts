import { Field, ID, Int, ObjectType } from 'type-graphql';
import type { PublicationState } from '../../domain/publication';
import type { Attributes } from '../../domain/fields';
import type { Versioned } from '../../projections/queries/things';
import { Connection } from '../connection';
import type { Pins } from '../pins';
import { ATTRIBUTES_DESCRIPTION, JSONScalar } from '../scalars';

@ObjectType({ description: 'A venue sources appear in: a journal, a lab’s blog, a think tank.' })
export class Publication {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field(() => [String]) domains!: string[];
  @Field(() => String, { nullable: true }) type!: string | null;
  @Field(() => Int, { nullable: true, description: '1 (Low) to 5 (Gold)' }) credibility!: number | null;
  @Field(() => Boolean, { nullable: true }) peerReviewed!: boolean | null;
  @Field(() => String, { nullable: true }) description!: string | null;
  @Field(() => JSONScalar, { nullable: true, description: ATTRIBUTES_DESCRIPTION }) attributes!: Attributes | null;
  @Field(() => Int) version!: number;
  pins!: Pins;
}

export function toPublication(v: Versioned<PublicationState>, pins: Pins): Publication {
  const f = v.state.fields;
  return {
    id: v.state.id,
    name: f.name,
    domains: f.domains ?? [],
    type: f.type ?? null,
    credibility: f.credibility ?? null,
    peerReviewed: f.peerReviewed ?? null,
    description: f.description ?? null,
    attributes: f.attributes ?? null,
    version: v.version,
    pins,
  };
}

@ObjectType()
export class PublicationConnection extends Connection(Publication) {}
