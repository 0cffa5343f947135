import { Arg, Ctx, Field, Float, ID, InputType, Int, Mutation, ObjectType, Resolver } from 'type-graphql';
import { idempotencyScopeOf } from '../../auth/keys';
import type { Command, CommandResult } from '../../commands/commands';
import type { Kind } from '../../domain/events';
import type { PartialDate } from '../../domain/partial-date';
import type { GraphQLContext } from '../context';
import { DateTimeScalar, JSONScalar, PartialDateScalar } from '../scalars';
import { Fact, toFact } from '../types/fact';
import { Entity, Page, Property, Publication, Source, toEntity, toPage, toProperty, toPublication, toSource } from '../types/things';

// ---- inputs: one per command; names as docs/api.md ("Mutations") lists them ----

// Shared input fields: these base classes are never referenced, so they never appear in the schema.
@InputType('MutationMetaBase')
class Meta {
  @Field(() => String, { nullable: true, description: 'Retrying with the same key returns the first result and appends nothing.' }) idempotencyKey?: string;
  @Field(() => String, { nullable: true, description: 'Why: recorded on the event for auditors.' }) reason?: string;
}

@InputType('VersionedMutationBase')
class Versioned extends Meta {
  @Field(() => Int, { nullable: true, description: 'The version you last saw; a different current version fails with CONFLICT.' }) expectedVersion?: number;
}

@InputType() class PublicationPatch {
  @Field({ nullable: true }) name?: string;
  @Field(() => [String], { nullable: true }) domains?: string[];
  @Field({ nullable: true }) type?: string;
  @Field(() => Int, { nullable: true }) credibility?: number;
  @Field({ nullable: true }) peerReviewed?: boolean;
  @Field({ nullable: true }) description?: string;
}
@InputType() class RegisterPublicationInput extends Meta {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field(() => [String], { nullable: true }) domains?: string[];
  @Field({ nullable: true }) type?: string;
  @Field(() => Int, { nullable: true }) credibility?: number;
  @Field({ nullable: true }) peerReviewed?: boolean;
  @Field({ nullable: true }) description?: string;
}
@InputType() class UpdatePublicationInput extends Versioned {
  @Field(() => ID) id!: string;
  @Field(() => PublicationPatch, { nullable: true }) set?: PublicationPatch;
  @Field(() => [String], { nullable: true }) unset?: string[];
}

@InputType() class SourcePatch {
  @Field({ nullable: true }) title?: string;
  @Field({ nullable: true }) type?: string;
  @Field(() => [String], { nullable: true }) authors?: string[];
  @Field(() => PartialDateScalar, { nullable: true }) publishedDate?: PartialDate;
  @Field(() => ID, { nullable: true, description: 'Publication id.' }) publication?: string;
  @Field(() => Int, { nullable: true }) credibilityOverride?: number;
  @Field({ nullable: true }) abstract?: string;
  @Field({ nullable: true }) summary?: string;
  @Field({ nullable: true }) review?: string;
  @Field(() => [String], { nullable: true }) keyPoints?: string[];
  @Field(() => [String], { nullable: true }) tags?: string[];
}
@InputType() class RegisterSourceInput extends SourcePatch {
  @Field() url!: string;
  @Field({ nullable: true, description: 'Generated when not given.' }) stableId?: string;
  @Field(() => String, { nullable: true }) idempotencyKey?: string;
  @Field(() => String, { nullable: true }) reason?: string;
}
@InputType() class UpdateSourceInput extends Versioned {
  @Field(() => ID, { description: 'Hex id, stable id or URL.' }) id!: string;
  @Field(() => SourcePatch, { nullable: true }) set?: SourcePatch;
  @Field(() => [String], { nullable: true }) unset?: string[];
}
@InputType() class CaptureSourceContentInput extends Versioned {
  @Field(() => ID) id!: string;
  @Field() text!: string;
  @Field(() => Int, { nullable: true, description: 'Length of the original when `text` is only an excerpt of it.' }) totalLength?: number;
  @Field(() => DateTimeScalar, { nullable: true }) fetchedAt?: Date;
  @Field(() => Int, { nullable: true }) httpStatus?: number;
  @Field({ nullable: true }) contentType?: string;
}
@InputType() class MergeSourcesInput extends Versioned {
  @Field(() => ID, { description: 'The source that goes away (its ids keep resolving to `into`).' }) from!: string;
  @Field(() => ID) into!: string;
}

@InputType() class PagePatch {
  @Field({ nullable: true }) numericId?: string;
  @Field({ nullable: true }) title?: string;
  @Field({ nullable: true }) description?: string;
  @Field(() => Float, { nullable: true }) quality?: number;
  @Field(() => ID, { nullable: true, description: 'The entity the page is about.' }) entity?: string;
}
@InputType() class CreatePageInput extends PagePatch {
  @Field(() => ID) slug!: string;
  @Field(() => String, { nullable: true }) idempotencyKey?: string;
  @Field(() => String, { nullable: true }) reason?: string;
}
@InputType() class UpdatePageInput extends Versioned {
  @Field(() => ID) slug!: string;
  @Field(() => PagePatch, { nullable: true }) set?: PagePatch;
  @Field(() => [String], { nullable: true }) unset?: string[];
}
@InputType() class CiteSourceInput extends Versioned {
  @Field(() => ID, { description: 'Page slug or numeric id.' }) page!: string;
  @Field(() => ID, { description: 'Hex id, stable id or URL.' }) source!: string;
}

@InputType() class EntityPatch {
  @Field({ nullable: true }) name?: string;
  @Field({ nullable: true }) type?: string;
  @Field({ nullable: true }) numericId?: string;
  @Field(() => [String], { nullable: true }) aliases?: string[];
}
@InputType() class RegisterEntityInput extends EntityPatch {
  @Field(() => ID, { nullable: true, description: 'Stable id; generated when not given.' }) id?: string;
  @Field() slug!: string;
  @Field(() => String, { nullable: true }) idempotencyKey?: string;
  @Field(() => String, { nullable: true }) reason?: string;
}
@InputType() class UpdateEntityInput extends Versioned {
  @Field(() => ID) id!: string;
  @Field(() => EntityPatch, { nullable: true }) set?: EntityPatch;
  @Field(() => [String], { nullable: true }) unset?: string[];
}
@InputType() class RenameEntityInput extends Versioned {
  @Field(() => ID) id!: string;
  @Field({ description: 'The new slug; the old one stays an alias.' }) newSlug!: string;
}

@InputType() class DisplayInput {
  @Field(() => Float, { nullable: true }) divisor?: number;
  @Field({ nullable: true }) prefix?: string;
  @Field({ nullable: true }) suffix?: string;
}
@InputType() class PropertyPatch {
  @Field({ nullable: true }) name?: string;
  @Field({ nullable: true }) description?: string;
  @Field({ nullable: true }) unit?: string;
  @Field({ nullable: true }) category?: string;
  @Field({ nullable: true }) temporal?: boolean;
  @Field(() => [String], { nullable: true }) appliesTo?: string[];
  @Field(() => DisplayInput, { nullable: true }) display?: DisplayInput;
  @Field({ nullable: true }) inverseId?: string;
  @Field(() => Int, { nullable: true }) stalenessDays?: number;
}
@InputType() class DefinePropertyInput extends PropertyPatch {
  @Field(() => ID) id!: string;
  @Field({ description: 'number, text, date, boolean, ref, refs, range or json; fixed once defined.' }) dataType!: string;
  @Field(() => String, { nullable: true }) idempotencyKey?: string;
  @Field(() => String, { nullable: true }) reason?: string;
}
@InputType() class UpdatePropertyInput extends Versioned {
  @Field(() => ID) id!: string;
  @Field(() => PropertyPatch, { nullable: true }) set?: PropertyPatch;
  @Field(() => [String], { nullable: true }) unset?: string[];
}

@InputType() class CitationInput {
  @Field(() => ID, { description: 'Hex id, stable id or URL.' }) source!: string;
  @Field({ nullable: true }) quote?: string;
  @Field({ nullable: true }) locator?: string;
}
@InputType() class AssertFactInput extends Meta {
  @Field(() => ID, { nullable: true, description: 'Generated when not given.' }) id?: string;
  @Field(() => ID, { description: 'Stable id, slug, alias or numeric id.' }) entity!: string;
  @Field(() => ID) property!: string;
  @Field(() => JSONScalar, { description: 'Read by the property’s dataType: 1.4e10, "text", {"low":1,"high":2}, {"min":5}, "2025-05", true, an entity id, a list of ids.' }) value!: unknown;
  @Field(() => PartialDateScalar, { nullable: true }) asOf?: PartialDate;
  @Field(() => PartialDateScalar, { nullable: true }) validEnd?: PartialDate;
  @Field(() => [CitationInput], { nullable: true }) citations?: CitationInput[];
  @Field({ nullable: true }) notes?: string;
  @Field({ nullable: true, description: 'preferred, normal (default) or deprecated' }) rank?: string;
}
@InputType() class FactPatch {
  @Field(() => JSONScalar, { nullable: true }) value?: unknown;
  @Field(() => PartialDateScalar, { nullable: true }) asOf?: PartialDate;
  @Field(() => PartialDateScalar, { nullable: true }) validEnd?: PartialDate;
  @Field({ nullable: true }) notes?: string;
  @Field({ nullable: true }) rank?: string;
  @Field(() => [CitationInput], { nullable: true }) citations?: CitationInput[];
}
@InputType() class CorrectFactInput extends Meta {
  @Field(() => ID) id!: string;
  @Field(() => Int) expectedVersion!: number;
  @Field(() => FactPatch, { nullable: true }) set?: FactPatch;
  @Field(() => [String], { nullable: true }) unset?: string[];
}
@InputType() class RetractFactInput {
  @Field(() => ID) id!: string;
  @Field(() => Int) expectedVersion!: number;
  @Field() reason!: string;
  @Field(() => String, { nullable: true }) idempotencyKey?: string;
}
@InputType() class DeprecateFactInput extends Versioned {
  @Field(() => ID) id!: string;
}
@InputType() class AddFactCitationInput extends Versioned {
  @Field(() => ID) id!: string;
  @Field(() => CitationInput) citation!: CitationInput;
}
@InputType() class RemoveFactCitationInput extends Versioned {
  @Field(() => ID) id!: string;
  @Field(() => ID) source!: string;
}

// ---- payloads ----

@ObjectType() class PublicationPayload { @Field(() => Publication, { nullable: true }) publication!: Publication | null; @Field() position!: string; }
@ObjectType() class SourcePayload { @Field(() => Source, { nullable: true }) source!: Source | null; @Field() position!: string; }
@ObjectType() class PagePayload { @Field(() => Page, { nullable: true }) page!: Page | null; @Field() position!: string; }
@ObjectType() class EntityPayload { @Field(() => Entity, { nullable: true }) entity!: Entity | null; @Field() position!: string; }
@ObjectType() class PropertyPayload { @Field(() => Property, { nullable: true }) property!: Property | null; @Field() position!: string; }
@ObjectType() class FactPayload { @Field(() => Fact, { nullable: true }) fact!: Fact | null; @Field() position!: string; }

// ---- mapping ----

/** Plain data from a GraphQL input object: nested inputs become plain objects, absent fields vanish. */
function plain(input: object | undefined | null): Record<string, unknown> {
  if (!input) return {};
  return JSON.parse(JSON.stringify(input, (_k, v: unknown) => (v instanceof Date ? v.toISOString() : v))) as Record<string, unknown>;
}

const PD = (d: PartialDate | undefined): string | undefined => d?.value;

/** API field names → domain field names, where they differ. */
const RENAMES: Record<string, string> = { publication: 'publicationId', entity: 'entityId' };
const renamed = (fields: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(fields).map(([k, v]) => [RENAMES[k] ?? k, v]));
const renamedList = (names: string[] | undefined): string[] | undefined => names?.map((n) => RENAMES[n] ?? n);

function without(fields: Record<string, unknown>, ...keys: string[]): Record<string, unknown> {
  const out = { ...fields };
  for (const k of keys) delete out[k];
  return out;
}

function partialDates(fields: Record<string, unknown>, raw: object, keys: string[]): Record<string, unknown> {
  const out = { ...fields };
  for (const k of keys) {
    const d = (raw as Record<string, PartialDate | undefined>)[k];
    if (d !== undefined) out[k] = PD(d);
  }
  return out;
}

const META = ['idempotencyKey', 'reason', 'expectedVersion'];

@Resolver()
export class MutationResolver {
  private async run(ctx: GraphQLContext, command: Command, input: { idempotencyKey?: string; reason?: string; expectedVersion?: number }): Promise<CommandResult> {
    ctx.authorize('write');
    const result = await ctx.commands.execute(command, {
      expectedVersion: input.expectedVersion ?? undefined,
      idempotencyKey: input.idempotencyKey ?? undefined,
      reason: input.reason ?? undefined,
      actor: ctx.principal.name,
      idempotencyScope: idempotencyScopeOf(ctx.principal),
    });
    ctx.invalidate();
    return result;
  }

  /** The changed object as it stands right after the mutation. */
  private async load(ctx: GraphQLContext, kind: Kind, id: string) {
    const pins = await ctx.pins({});
    const p = pins.basis.position;
    switch (kind) {
      case 'publication': { const v = await ctx.loaders.thing('publication', p).load(id); return v && toPublication(v, pins); }
      case 'source': { const v = await ctx.loaders.thing('source', p).load(id); return v && toSource(v, pins); }
      case 'page': { const v = await ctx.loaders.thing('page', p).load(id); return v && toPage(v, pins); }
      case 'entity': { const v = await ctx.loaders.thing('entity', p).load(id); return v && toEntity(v, pins); }
      case 'property': { const v = await ctx.loaders.thing('property', p).load(id); return v && toProperty(v, pins); }
      case 'fact': { const v = await ctx.loaders.fact(p).load(id); return v && toFact(v, pins); }
    }
  }

  private async payload<K extends string>(ctx: GraphQLContext, key: K, command: Command, input: { idempotencyKey?: string; reason?: string; expectedVersion?: number }) {
    const r = await this.run(ctx, command, input);
    return { [key]: await this.load(ctx, r.kind, r.id), position: String(r.position) } as Record<K, never> & { position: string };
  }

  @Mutation(() => PublicationPayload)
  registerPublication(@Arg('input') input: RegisterPublicationInput, @Ctx() ctx: GraphQLContext) {
    const f = plain(input);
    return this.payload(ctx, 'publication', { type: 'RegisterPublication', id: input.id, fields: without(f, 'id', ...META) }, input);
  }

  @Mutation(() => PublicationPayload)
  updatePublication(@Arg('input') input: UpdatePublicationInput, @Ctx() ctx: GraphQLContext) {
    return this.payload(ctx, 'publication', { type: 'UpdatePublication', id: input.id, set: plain(input.set), unset: input.unset }, input);
  }

  @Mutation(() => SourcePayload)
  registerSource(@Arg('input') input: RegisterSourceInput, @Ctx() ctx: GraphQLContext) {
    const f = partialDates(renamed(without(plain(input), ...META)), input, ['publishedDate']);
    return this.payload(ctx, 'source', { type: 'RegisterSource', fields: f }, input);
  }

  @Mutation(() => SourcePayload)
  updateSource(@Arg('input') input: UpdateSourceInput, @Ctx() ctx: GraphQLContext) {
    const set = input.set ? partialDates(renamed(plain(input.set)), input.set, ['publishedDate']) : undefined;
    return this.payload(ctx, 'source', { type: 'UpdateSource', source: input.id, set, unset: renamedList(input.unset) }, input);
  }

  @Mutation(() => SourcePayload)
  captureSourceContent(@Arg('input') input: CaptureSourceContentInput, @Ctx() ctx: GraphQLContext) {
    return this.payload(ctx, 'source', { type: 'CaptureSourceContent', source: input.id, content: without(plain(input), 'id', ...META) }, input);
  }

  @Mutation(() => SourcePayload, { description: 'Merge a duplicate source into another; its ids keep resolving.' })
  mergeSources(@Arg('input') input: MergeSourcesInput, @Ctx() ctx: GraphQLContext) {
    return this.payload(ctx, 'source', { type: 'MergeSources', from: input.from, into: input.into }, input);
  }

  @Mutation(() => PagePayload)
  createPage(@Arg('input') input: CreatePageInput, @Ctx() ctx: GraphQLContext) {
    return this.payload(ctx, 'page', { type: 'CreatePage', slug: input.slug, fields: renamed(without(plain(input), 'slug', ...META)) }, input);
  }

  @Mutation(() => PagePayload)
  updatePage(@Arg('input') input: UpdatePageInput, @Ctx() ctx: GraphQLContext) {
    return this.payload(ctx, 'page', { type: 'UpdatePage', page: input.slug, set: input.set && renamed(plain(input.set)), unset: renamedList(input.unset) }, input);
  }

  @Mutation(() => PagePayload)
  citeSource(@Arg('input') input: CiteSourceInput, @Ctx() ctx: GraphQLContext) {
    return this.payload(ctx, 'page', { type: 'CiteSource', page: input.page, source: input.source }, input);
  }

  @Mutation(() => PagePayload)
  unciteSource(@Arg('input') input: CiteSourceInput, @Ctx() ctx: GraphQLContext) {
    return this.payload(ctx, 'page', { type: 'UnciteSource', page: input.page, source: input.source }, input);
  }

  @Mutation(() => EntityPayload)
  registerEntity(@Arg('input') input: RegisterEntityInput, @Ctx() ctx: GraphQLContext) {
    return this.payload(ctx, 'entity', { type: 'RegisterEntity', id: input.id, fields: without(plain(input), 'id', ...META) }, input);
  }

  @Mutation(() => EntityPayload)
  updateEntity(@Arg('input') input: UpdateEntityInput, @Ctx() ctx: GraphQLContext) {
    return this.payload(ctx, 'entity', { type: 'UpdateEntity', entity: input.id, set: plain(input.set), unset: input.unset }, input);
  }

  @Mutation(() => EntityPayload)
  renameEntity(@Arg('input') input: RenameEntityInput, @Ctx() ctx: GraphQLContext) {
    return this.payload(ctx, 'entity', { type: 'RenameEntity', entity: input.id, newSlug: input.newSlug }, input);
  }

  @Mutation(() => PropertyPayload)
  defineProperty(@Arg('input') input: DefinePropertyInput, @Ctx() ctx: GraphQLContext) {
    return this.payload(ctx, 'property', { type: 'DefineProperty', id: input.id, fields: without(plain(input), 'id', ...META) }, input);
  }

  @Mutation(() => PropertyPayload)
  updateProperty(@Arg('input') input: UpdatePropertyInput, @Ctx() ctx: GraphQLContext) {
    return this.payload(ctx, 'property', { type: 'UpdateProperty', id: input.id, set: plain(input.set), unset: input.unset }, input);
  }

  @Mutation(() => FactPayload)
  assertFact(@Arg('input') input: AssertFactInput, @Ctx() ctx: GraphQLContext) {
    const f = plain(input);
    return this.payload(ctx, 'fact', {
      type: 'AssertFact', id: input.id, entity: input.entity, property: input.property, value: f.value,
      asOf: PD(input.asOf), validEnd: PD(input.validEnd), citations: f.citations, notes: input.notes, rank: input.rank,
    }, input);
  }

  @Mutation(() => FactPayload)
  correctFact(@Arg('input') input: CorrectFactInput, @Ctx() ctx: GraphQLContext) {
    const set = input.set ? partialDates(plain(input.set), input.set, ['asOf', 'validEnd']) : undefined;
    return this.payload(ctx, 'fact', { type: 'CorrectFact', id: input.id, set, unset: input.unset }, input);
  }

  @Mutation(() => FactPayload)
  retractFact(@Arg('input') input: RetractFactInput, @Ctx() ctx: GraphQLContext) {
    return this.payload(ctx, 'fact', { type: 'RetractFact', id: input.id, reason: input.reason }, input);
  }

  @Mutation(() => FactPayload)
  deprecateFact(@Arg('input') input: DeprecateFactInput, @Ctx() ctx: GraphQLContext) {
    return this.payload(ctx, 'fact', { type: 'DeprecateFact', id: input.id, reason: input.reason }, input);
  }

  @Mutation(() => FactPayload)
  addFactCitation(@Arg('input') input: AddFactCitationInput, @Ctx() ctx: GraphQLContext) {
    return this.payload(ctx, 'fact', { type: 'AddFactCitation', id: input.id, citation: plain(input.citation) }, input);
  }

  @Mutation(() => FactPayload)
  removeFactCitation(@Arg('input') input: RemoveFactCitationInput, @Ctx() ctx: GraphQLContext) {
    return this.payload(ctx, 'fact', { type: 'RemoveFactCitation', id: input.id, source: input.source }, input);
  }
}
