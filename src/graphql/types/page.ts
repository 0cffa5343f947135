import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { qualityBand } from '../../domain/credibility';
import type { PageState } from '../../domain/page';
import type { Attributes } from '../../domain/fields';
import type { Versioned } from '../../projections/queries/things';
import { Connection } from '../connection';
import type { Pins } from '../pins';
import { ATTRIBUTES_DESCRIPTION, JSONScalar, PartialDateScalar } from '../scalars';

@ObjectType({ description: 'A wiki page; it cites sources and may be about an entity.' })
export class Page {
  @Field(() => ID) slug!: string;
  @Field(() => String, { nullable: true }) numericId!: string | null;
  @Field() title!: string;
  @Field(() => String, { nullable: true }) description!: string | null;
  @Field(() => Float, { nullable: true, description: '0–100' }) quality!: number | null;
  @Field(() => String, { nullable: true, description: 'Comprehensive, Good, Adequate, Draft or Stub' }) qualityBand!: string | null;
  @Field(() => String, { nullable: true, description: 'Where the page’s file lives in the wiki.' }) path!: string | null;
  @Field(() => PartialDateScalar, { nullable: true }) lastEdited!: string | null;
  @Field(() => Int, { nullable: true, description: 'How often the page should be reviewed, in days.' }) updateFrequency!: number | null;
  @Field(() => Float, { nullable: true, description: '0–100' }) readerImportance!: number | null;
  @Field(() => Float, { nullable: true, description: '0–100' }) researchImportance!: number | null;
  @Field(() => Float, { nullable: true, description: '0–100' }) tacticalValue!: number | null;
  @Field(() => String, { nullable: true }) subcategory!: string | null;
  @Field(() => [String]) clusters!: string[];
  @Field(() => JSONScalar, { nullable: true, description: 'Editorial ratings by name (novelty, rigor, …), each 0–10.' }) ratings!: {
    [name: string]: number;
  } | null;
  @Field(() => String, { nullable: true }) pageType!: string | null;
  @Field(() => String, { nullable: true }) contentFormat!: string | null;
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
    path: s.fields.path ?? null,
    lastEdited: s.fields.lastEdited ?? null,
    updateFrequency: s.fields.updateFrequency ?? null,
    readerImportance: s.fields.readerImportance ?? null,
    researchImportance: s.fields.researchImportance ?? null,
    tacticalValue: s.fields.tacticalValue ?? null,
    subcategory: s.fields.subcategory ?? null,
    clusters: s.fields.clusters ?? [],
    ratings: s.fields.ratings ?? null,
    pageType: s.fields.pageType ?? null,
    contentFormat: s.fields.contentFormat ?? null,
    attributes: s.fields.attributes ?? null,
    version: v.version,
    entityId: s.fields.entityId ?? null,
    citationIds: s.citations,
    pins,
  };
}

@ObjectType()
export class PageConnection extends Connection(Page) {}
