import { Arg, Ctx, Field, Float, ID, InputType, Mutation, ObjectType, Resolver } from 'type-graphql';
import type { GraphQLContext } from '../context';
import { ATTRIBUTES_DESCRIPTION, JSONScalar } from '../scalars';
import { Page, toPage } from '../types/page';
import { commandFields, plain, renamed, renamedList } from './input-mapping';
import { answerWith } from './mutate';
import { NoFields, withExpectedVersion, withRequestFields } from './request-fields';

@InputType()
class PagePatch {
  @Field({ nullable: true }) numericId?: string;
  @Field({ nullable: true }) title?: string;
  @Field({ nullable: true }) description?: string;
  @Field(() => Float, { nullable: true }) quality?: number;
  @Field(() => ID, { nullable: true, description: 'The entity the page is about.' }) entity?: string;
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
    return answer(ctx, { type: 'CreatePage', slug: input.slug, fields: renamed(commandFields(plain(input), 'slug')) }, input);
  }

  @Mutation(() => PagePayload)
  updatePage(@Arg('input') input: UpdatePageInput, @Ctx() ctx: GraphQLContext) {
    return answer(
      ctx,
      { type: 'UpdatePage', page: input.slug, set: input.set && renamed(plain(input.set)), unset: renamedList(input.unset) },
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
