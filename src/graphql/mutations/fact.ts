import { Arg, Ctx, Field, ID, InputType, Int, Mutation, ObjectType, Resolver } from 'type-graphql';
import type { Command } from '../../commands/commands';
import type { PartialDate } from '../../domain/partial-date';
import type { GraphQLContext } from '../context';
import { JSONScalar, PartialDateScalar } from '../scalars';
import { Fact, toFact } from '../types/fact';
import { partialDate, partialDates, plain } from './input-mapping';
import { mutate } from './mutate';
import { NoFields, withExpectedVersion, withRequestFields, type RequestFields } from './request-fields';

@InputType()
class CitationInput {
  @Field(() => ID, { description: 'Hex id, stable id or URL.' }) source!: string;
  @Field({ nullable: true }) quote?: string;
  @Field({ nullable: true }) locator?: string;
}
@InputType()
class AssertFactInput extends withRequestFields(NoFields) {
  @Field(() => ID, { nullable: true, description: 'Generated when not given.' }) id?: string;
  @Field(() => ID, { description: 'Stable id, slug, alias or numeric id.' }) entity!: string;
  @Field(() => ID) property!: string;
  @Field(() => JSONScalar, {
    description:
      'Read by the property’s dataType: 1.4e10, "text", {"low":1,"high":2}, {"min":5}, "2025-05", true, an entity id, a list of ids.',
  })
  value!: unknown;
  @Field(() => PartialDateScalar, { nullable: true }) asOf?: PartialDate;
  @Field(() => PartialDateScalar, { nullable: true }) validEnd?: PartialDate;
  @Field(() => [CitationInput], { nullable: true }) citations?: CitationInput[];
  @Field({ nullable: true }) notes?: string;
  @Field({ nullable: true, description: 'preferred, normal (default) or deprecated' }) rank?: string;
}
@InputType()
class FactPatch {
  @Field(() => JSONScalar, { nullable: true }) value?: unknown;
  @Field(() => PartialDateScalar, { nullable: true }) asOf?: PartialDate;
  @Field(() => PartialDateScalar, { nullable: true }) validEnd?: PartialDate;
  @Field({ nullable: true }) notes?: string;
  @Field({ nullable: true }) rank?: string;
  @Field(() => [CitationInput], { nullable: true }) citations?: CitationInput[];
}
@InputType()
class CorrectFactInput extends withRequestFields(NoFields) {
  @Field(() => ID) id!: string;
  @Field(() => Int) expectedVersion!: number;
  @Field(() => FactPatch, { nullable: true }) set?: FactPatch;
  @Field(() => [String], { nullable: true }) unset?: string[];
}
/** Retracting needs a reason (it says why the fact no longer stands) and the version you saw. */
@InputType()
class RetractFactInput {
  @Field(() => ID) id!: string;
  @Field(() => Int) expectedVersion!: number;
  @Field() reason!: string;
  @Field(() => String, { nullable: true }) idempotencyKey?: string;
}
@InputType()
class DeprecateFactInput extends withExpectedVersion(NoFields) {
  @Field(() => ID) id!: string;
}
@InputType()
class AddFactCitationInput extends withExpectedVersion(NoFields) {
  @Field(() => ID) id!: string;
  @Field(() => CitationInput) citation!: CitationInput;
}
@InputType()
class RemoveFactCitationInput extends withExpectedVersion(NoFields) {
  @Field(() => ID) id!: string;
  @Field(() => ID) source!: string;
}

@ObjectType()
class FactPayload {
  @Field(() => Fact, { nullable: true }) fact!: Fact | null;
  @Field() position!: string;
}

const answer = (ctx: GraphQLContext, command: Command, input: RequestFields) =>
  mutate(ctx, command, input, async (id, pins) => {
    const v = await ctx.loaders.fact(pins.basis.position).load(id);
    return { fact: v && toFact(v, pins) };
  });

@Resolver()
export class FactMutations {
  @Mutation(() => FactPayload)
  assertFact(@Arg('input') input: AssertFactInput, @Ctx() ctx: GraphQLContext) {
    const f = plain(input);
    return answer(
      ctx,
      {
        type: 'AssertFact',
        id: input.id,
        entity: input.entity,
        property: input.property,
        value: f.value,
        asOf: partialDate(input.asOf),
        validEnd: partialDate(input.validEnd),
        citations: f.citations,
        notes: input.notes,
        rank: input.rank,
      },
      input,
    );
  }

  @Mutation(() => FactPayload)
  correctFact(@Arg('input') input: CorrectFactInput, @Ctx() ctx: GraphQLContext) {
    const set = input.set ? partialDates(plain(input.set), input.set, ['asOf', 'validEnd']) : undefined;
    return answer(ctx, { type: 'CorrectFact', id: input.id, set, unset: input.unset }, input);
  }

  @Mutation(() => FactPayload)
  retractFact(@Arg('input') input: RetractFactInput, @Ctx() ctx: GraphQLContext) {
    return answer(ctx, { type: 'RetractFact', id: input.id, reason: input.reason }, input);
  }

  @Mutation(() => FactPayload)
  deprecateFact(@Arg('input') input: DeprecateFactInput, @Ctx() ctx: GraphQLContext) {
    return answer(ctx, { type: 'DeprecateFact', id: input.id, reason: input.reason }, input);
  }

  @Mutation(() => FactPayload)
  addFactCitation(@Arg('input') input: AddFactCitationInput, @Ctx() ctx: GraphQLContext) {
    return answer(ctx, { type: 'AddFactCitation', id: input.id, citation: plain(input.citation) }, input);
  }

  @Mutation(() => FactPayload)
  removeFactCitation(@Arg('input') input: RemoveFactCitationInput, @Ctx() ctx: GraphQLContext) {
    return answer(ctx, { type: 'RemoveFactCitation', id: input.id, source: input.source }, input);
  }
}
