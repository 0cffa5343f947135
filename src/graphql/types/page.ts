import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { qualityBand } from '../../domain/credibility';
import type { PageState } from '../../domain/page';
import type { Attributes } from '../../domain/fields';
import type { Versioned } from '../../projections/queries/things';
import { Connection } from '../connection';
import type { Pins } from '../pins';
import { ATTRIBUTES_DESCRIPTION, JSONScalar } from '../scalars';

@ObjectType({ description: 'A wiki page; it cites sources and may be about an entity.' })
export class Page {
  @Field(() => ID) slug!: string;
  @Field(() => String, { nullable: true }) numericId!: string | null;
  @Field() title!: string;
  @Field(() => String, { nullable: true }) description!: string | null;
  @Field(() => Float, { nullable: true, description: '0–100' }) quality!: number | null;
  @Field(() => String, { nullable: true, description: 'Comprehensive, Good, Adequate, Draft or Stub' }) qualityBand!: string | null;
  @Field(() => JSONScalar, { nullable: true, description: ATTRIBUTES_DESCRIPTION }) attributes!: Attributes | null;
  @Field(() => Int) version!: number;
  entityId!: string | null;
  citationIds!: string[];
  pins!: Pins;
}

export function toPage(v: Versioned<PageState | null>, pins: Pins): Page {
  const s = v.state;
  return {
    slug: s.slug,
    numericId: s.fields.numericId ?? null,
    title: s.fields.title,
    description: s.fields.description ?? null,
    quality: s.fields.quality ?? null,
    qualityBand: qualityBand(s.fields.quality),
    attributes: s.fields.attributes ?? null,
    version: v.version,
    entityId: s.fields.entityId ?? null,
    citationIds: s.citations,
    pins,
  };
}

@ObjectType()
export class PageConnection extends Connection(Page) {}
