import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import type { EntityState } from '../../domain/entity';
import { typeLabel } from '../../domain/entity';
import { qualityBand } from '../../domain/credibility';
import type { PageState } from '../../domain/page';
import type { PropertyState } from '../../domain/property';
import type { PublicationState } from '../../domain/publication';
import type { CachedContent as CachedContentState, SourceState } from '../../domain/source';
import type { Versioned } from '../../projections/queries/things';
import { Connection } from '../connection';
import type { Pins } from '../pins';
import { DateTimeScalar, JSONScalar, PartialDateScalar } from '../scalars';

// The object types of the API. Scalar fields are filled when an object is built from its state;
// relations are field resolvers (resolvers/*.ts) that go through the request's DataLoaders.

@ObjectType({ description: 'A venue sources appear in: a journal, a lab’s blog, a think tank.' })
export class Publication {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field(() => [String]) domains!: string[];
  @Field(() => String, { nullable: true }) type!: string | null;
  @Field(() => Int, { nullable: true, description: '1 (Low) to 5 (Gold)' }) credibility!: number | null;
  @Field(() => Boolean, { nullable: true }) peerReviewed!: boolean | null;
  @Field(() => String, { nullable: true }) description!: string | null;
  @Field(() => Int) version!: number;
  pins!: Pins;
}

export function toPublication(v: Versioned<PublicationState>, pins: Pins): Publication {
  const f = v.state.fields;
  return {
    id: v.state.id, name: f.name, domains: f.domains ?? [], type: f.type ?? null, credibility: f.credibility ?? null,
    peerReviewed: f.peerReviewed ?? null, description: f.description ?? null, version: v.version, pins,
  };
}

@ObjectType({ description: 'How far a source can be trusted, with where the rating comes from.' })
export class Credibility {
  @Field(() => Int) rating!: number;
  @Field() label!: string;
  @Field() description!: string;
  @Field({ description: 'True when the source’s own rating decided; false when inherited from its publication.' }) overridden!: boolean;
  /** The publication the rating is inherited from (resolved by a field resolver). */
  publicationId!: string | null;
  pins!: Pins;
}

@ObjectType({ description: 'The cached copy of a source’s text.' })
export class CachedContent {
  @Field(() => Int, { description: 'Length of the original text in characters.' }) length!: number;
  @Field(() => Int, { description: 'Size of the original in KB (1024 characters), rounded.' }) sizeKb!: number;
  @Field({ description: 'SHA-256 of the stored text.' }) contentHash!: string;
  @Field(() => DateTimeScalar, { nullable: true }) fetchedAt!: Date | null;
  @Field(() => Int, { nullable: true }) httpStatus!: number | null;
  @Field(() => String, { nullable: true }) contentType!: string | null;
  @Field({ description: 'True when only an excerpt of the original is stored.' }) truncated!: boolean;
  text!: string;
}

export function toCachedContent(c: CachedContentState): CachedContent {
  return {
    length: c.length, sizeKb: Math.round(c.length / 1024), contentHash: c.contentHash,
    fetchedAt: c.fetchedAt ? new Date(c.fetchedAt) : null, httpStatus: c.httpStatus ?? null,
    contentType: c.contentType ?? null, truncated: c.text.length < c.length, text: c.text,
  };
}

@ObjectType({ description: 'A cited document: paper, blog post, report…' })
export class Source {
  @Field(() => ID, { description: 'First 16 hex characters of SHA-256 of the exact URL.' }) id!: string;
  @Field() stableId!: string;
  @Field() url!: string;
  @Field(() => String, { nullable: true }) title!: string | null;
  @Field(() => String, { nullable: true }) type!: string | null;
  @Field(() => [String]) authors!: string[];
  @Field(() => PartialDateScalar, { nullable: true }) publishedDate!: string | null;
  @Field(() => Int, { nullable: true, description: 'The source’s own rating, when it overrides its publication’s.' }) credibilityOverride!: number | null;
  @Field(() => String, { nullable: true }) abstract!: string | null;
  @Field(() => String, { nullable: true }) summary!: string | null;
  @Field(() => String, { nullable: true }) review!: string | null;
  @Field(() => [String]) keyPoints!: string[];
  @Field(() => [String]) tags!: string[];
  @Field(() => ID, { nullable: true, description: 'Set when this source was merged into another.' }) mergedInto!: string | null;
  @Field(() => Int) version!: number;
  state!: SourceState;
  pins!: Pins;
}

export function toSource(v: Versioned<SourceState | null>, pins: Pins): Source {
  const s = v.state;
  const f = s.fields;
  return {
    id: s.id, stableId: f.stableId, url: f.url, title: f.title ?? null, type: f.type ?? null, authors: f.authors ?? [],
    publishedDate: f.publishedDate ?? null, credibilityOverride: f.credibilityOverride ?? null, abstract: f.abstract ?? null,
    summary: f.summary ?? null, review: f.review ?? null, keyPoints: f.keyPoints ?? [], tags: f.tags ?? [],
    mergedInto: s.mergedInto, version: v.version, state: s, pins,
  };
}

@ObjectType({ description: 'A wiki page; it cites sources and may be about an entity.' })
export class Page {
  @Field(() => ID) slug!: string;
  @Field(() => String, { nullable: true }) numericId!: string | null;
  @Field() title!: string;
  @Field(() => String, { nullable: true }) description!: string | null;
  @Field(() => Float, { nullable: true, description: '0–100' }) quality!: number | null;
  @Field(() => String, { nullable: true, description: 'Comprehensive, Good, Adequate, Draft or Stub' }) qualityBand!: string | null;
  @Field(() => Int) version!: number;
  entityId!: string | null;
  citationIds!: string[];
  pins!: Pins;
}

export function toPage(v: Versioned<PageState | null>, pins: Pins): Page {
  const s = v.state;
  return {
    slug: s.slug, numericId: s.fields.numericId ?? null, title: s.fields.title, description: s.fields.description ?? null,
    quality: s.fields.quality ?? null, qualityBand: qualityBand(s.fields.quality), version: v.version,
    entityId: s.fields.entityId ?? null, citationIds: s.citations, pins,
  };
}

@ObjectType({ description: 'Something facts are about: an organization, a person, a risk…' })
export class Entity {
  @Field(() => ID, { description: 'The stable id.' }) id!: string;
  @Field() slug!: string;
  @Field(() => String, { nullable: true }) numericId!: string | null;
  @Field() name!: string;
  @Field() type!: string;
  @Field({ description: 'The type as a page shows it, e.g. "Organization".' }) typeLabel!: string;
  @Field(() => [String]) aliases!: string[];
  @Field(() => Int) version!: number;
  pins!: Pins;
}

export function toEntity(v: Versioned<EntityState>, pins: Pins): Entity {
  const s = v.state!;
  return {
    id: s.id, slug: s.fields.slug, numericId: s.fields.numericId ?? null, name: s.fields.name, type: s.fields.type,
    typeLabel: typeLabel(s.fields.type), aliases: s.fields.aliases ?? [], version: v.version, pins,
  };
}

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
  @Field(() => Int) version!: number;
  pins!: Pins;
}

export function toProperty(v: Versioned<PropertyState>, pins: Pins): Property {
  const f = v.state!.fields;
  return {
    id: v.state!.id, name: f.name, description: f.description ?? null, dataType: f.dataType, unit: f.unit ?? null,
    category: f.category ?? null, temporal: f.temporal ?? false, appliesTo: f.appliesTo ?? [], display: f.display ?? null,
    inverseId: f.inverseId ?? null, stalenessDays: f.stalenessDays ?? null, version: v.version, pins,
  };
}

@ObjectType() export class PublicationConnection extends Connection(Publication) {}
@ObjectType() export class SourceConnection extends Connection(Source) {}
@ObjectType() export class PageConnection extends Connection(Page) {}
@ObjectType() export class EntityConnection extends Connection(Entity) {}

export { JSONScalar };
