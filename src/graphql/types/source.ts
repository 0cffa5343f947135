import { Field, ID, Int, ObjectType } from 'type-graphql';
import type { CachedContent as CachedContentState, SourceState } from '../../domain/source';
import type { Attributes } from '../../domain/fields';
import type { Versioned } from '../../projections/queries/things';
import { Connection } from '../connection';
import type { Pins } from '../pins';
import { ATTRIBUTES_DESCRIPTION, DateTimeScalar, PartialDateScalar, JSONScalar } from '../scalars';

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
    length: c.length,
    sizeKb: Math.round(c.length / 1024),
    contentHash: c.contentHash,
    fetchedAt: c.fetchedAt ? new Date(c.fetchedAt) : null,
    httpStatus: c.httpStatus ?? null,
    contentType: c.contentType ?? null,
    truncated: c.text.length < c.length,
    text: c.text,
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
  @Field(() => Int, { nullable: true, description: 'The source’s own rating, when it overrides its publication’s.' }) credibilityOverride!:
    number | null;
  @Field(() => String, { nullable: true }) abstract!: string | null;
  @Field(() => String, { nullable: true }) summary!: string | null;
  @Field(() => String, { nullable: true }) review!: string | null;
  @Field(() => [String]) keyPoints!: string[];
  @Field(() => [String]) tags!: string[];
  @Field(() => String, {
    nullable: true,
    description: 'The data set file that lists it, relative to the data set (e.g. "entities/people.yaml"): an export writes it back there.',
  })
  file!: string | null;
  @Field(() => ID, { nullable: true, description: 'Set when this source was merged into another.' }) mergedInto!: string | null;
  @Field(() => DateTimeScalar, { nullable: true, description: 'When the wiki last fetched the source.' }) fetchedAt!: Date | null;
  @Field(() => String, { nullable: true, description: 'The name of the wiki’s cached copy of the fetched text.' }) localFilename!:
    string | null;
  @Field(() => JSONScalar, { nullable: true, description: ATTRIBUTES_DESCRIPTION }) attributes!: Attributes | null;
  @Field(() => Int) version!: number;
  state!: SourceState;
  pins!: Pins;
}

export function toSource(v: Versioned<SourceState | null>, pins: Pins): Source {
  const s = v.state;
  const f = s.fields;
  return {
    id: s.id,
    stableId: f.stableId,
    url: f.url,
    title: f.title ?? null,
    type: f.type ?? null,
    authors: f.authors ?? [],
    publishedDate: f.publishedDate ?? null,
    credibilityOverride: f.credibilityOverride ?? null,
    abstract: f.abstract ?? null,
    summary: f.summary ?? null,
    review: f.review ?? null,
    keyPoints: f.keyPoints ?? [],
    tags: f.tags ?? [],
    file: f.file ?? null,
    mergedInto: s.mergedInto,
    fetchedAt: f.fetchedAt ? new Date(f.fetchedAt) : null,
    localFilename: f.localFilename ?? null,
    attributes: f.attributes ?? null,
    version: v.version,
    state: s,
    pins,
  };
}

@ObjectType()
export class SourceConnection extends Connection(Source) {}
