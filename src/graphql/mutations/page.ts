import { Arg, Ctx, Field, Float, ID, InputType, Int, Mutation, ObjectType, Resolver } from 'type-graphql';
import type { GraphQLContext } from '../context';
import type { PartialDate } from '../../domain/partial-date';
import { ATTRIBUTES_DESCRIPTION, JSONScalar, PartialDateScalar } from '../scalars';
import { Page, toPage } from '../types/page';
import { commandFields, partialDates, plain, renamed, renamedList } from './input-mapping';
import { answerWith } from './mutate';
import { NoFields, withExpectedVersion, withRequestFields } from './request-fields';

@InputType()
class PagePatch {
  @Field({ nullable: true }) numericId?: string;
  @Field({ nullable: true }) title?: string;
  @Field({ nullable: true }) description?: string;
  @Field(() => Float, { nullable: true }) quality?: number;
  @Field(() => ID, { nullable: true, description: 'The entity the page is about.' }) entity?: string;
  @Field({ nullable: true }) path?: string;
  @Field(() => PartialDateScalar, { nullable: true }) lastEdited?: PartialDate;
  @Field(() => Int, { nullable: true, description: 'Days.' }) updateFrequency?: number;
  @Field(() => Float, { nullable: true }) readerImportance?: number;
  @Field(() => Float, { nullable: true }) researchImportance?: number;
  @Field(() => Float, { nullable: true }) tacticalValue?: number;
  @Field({ nullable: true }) subcategory?: string;
  @Field(() => [String], { nullable: true }) clusters?: string[];
  @Field(() => JSONScalar, { nullable: true, description: 'Ratings by name, each 0–10.' }) ratings?: Record<string, unknown>;
  @Field({ nullable: true }) pageType?: string;
  @Field({ nullable: true }) contentFormat?: string;
  @Field(() => JSONScalar, { nullable: true, description: ATTRIBUTES_DESCRIPTION }) attributes?: Record<string, unknown>;
}
@InputType()
class CreatePageInput extends withRequestFields(PagePatch) {
  @Field(() => ID) slug!: string;
}
@InputType()
class UpdatePageInput extends withExpectedVersion(NoFields) {
  @Field(() => ID) slug!: string;
  @Field(() => PagePatch, { nullable: true }) set?: PagePatch;
  @Field(() => [String], { nullable: true }) unset?: string[];
}
@InputType()
class CiteSourceInput extends withExpectedVersion(NoFields) {
  @Field(() => ID, { description: 'Page slug or numeric id.' }) page!: string;
  @Field(() => ID, { description: 'Hex id, stable id or URL.' }) source!: string;
}

@ObjectType()
class PagePayload {
  @Field(() => Page, { nullable: true }) page!: Page | null;
  @Field() position!: string;
}

const answer = answerWith('page', toPage);

@Resolver()
export class PageMutations {
  @Mutation(() => PagePayload)
  createPage(@Arg('input') input: CreatePageInput, @Ctx() ctx: GraphQLContext) {
    return answer(
      ctx,
      { type: 'CreatePage', slug: input.slug, fields: renamed(partialDates(commandFields(plain(input), 'slug'), input, ['lastEdited'])) },
      input,
    );
  }

  @Mutation(() => PagePayload)
  updatePage(@Arg('input') input: UpdatePageInput, @Ctx() ctx: GraphQLContext) {
    return answer(
      ctx,
      {
        type: 'UpdatePage',
        page: input.slug,
        set: input.set && renamed(partialDates(plain(input.set), input.set, ['lastEdited'])),
        unset: renamedList(input.unset),
      },
      input,
    );
  }

  @Mutation(() => PagePayload)
  citeSource(@Arg('input') input: CiteSourceInput, @Ctx() ctx: GraphQLContext) {
    return answer(ctx, { type: 'CiteSource', page: input.page, source: input.source }, input);
  }

  @Mutation(() => PagePayload)
  unciteSource(@Arg('input') input: CiteSourceInput, @Ctx() ctx: GraphQLContext) {
    return answer(ctx, { type: 'UnciteSource', page: input.page, source: input.source }, input);
  }
}
