import { Arg, Ctx, Field, ID, InputType, Int, Mutation, ObjectType, Resolver } from 'type-graphql';
import type { GraphQLContext } from '../context';
import { Publication, toPublication } from '../types/publication';
import { commandFields, plain } from './input-mapping';
import { mutate } from './mutate';
import { NoFields, withExpectedVersion, withRequestFields, type RequestFields } from './request-fields';
import type { Command } from '../../commands/commands';

@InputType() class PublicationPatch {
  @Field({ nullable: true }) name?: string;
  @Field(() => [String], { nullable: true }) domains?: string[];
  @Field({ nullable: true }) type?: string;
  @Field(() => Int, { nullable: true }) credibility?: number;
  @Field({ nullable: true }) peerReviewed?: boolean;
  @Field({ nullable: true }) description?: string;
}
@InputType() class RegisterPublicationInput extends withRequestFields(NoFields) {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field(() => [String], { nullable: true }) domains?: string[];
  @Field({ nullable: true }) type?: string;
  @Field(() => Int, { nullable: true }) credibility?: number;
  @Field({ nullable: true }) peerReviewed?: boolean;
  @Field({ nullable: true }) description?: string;
}
@InputType() class UpdatePublicationInput extends withExpectedVersion(NoFields) {
  @Field(() => ID) id!: string;
  @Field(() => PublicationPatch, { nullable: true }) set?: PublicationPatch;
  @Field(() => [String], { nullable: true }) unset?: string[];
}

@ObjectType() class PublicationPayload { @Field(() => Publication, { nullable: true }) publication!: Publication | null; @Field() position!: string; }

const answer = (ctx: GraphQLContext, command: Command, input: RequestFields) =>
  mutate(ctx, command, input, async (id, pins) => {
    const v = await ctx.loaders.thing('publication', pins.basis.position).load(id);
    return { publication: v && toPublication(v, pins) };
  });

@Resolver()
export class PublicationMutations {
  @Mutation(() => PublicationPayload)
  registerPublication(@Arg('input') input: RegisterPublicationInput, @Ctx() ctx: GraphQLContext) {
    return answer(ctx, { type: 'RegisterPublication', id: input.id, fields: commandFields(plain(input), 'id') }, input);
  }

  @Mutation(() => PublicationPayload)
  updatePublication(@Arg('input') input: UpdatePublicationInput, @Ctx() ctx: GraphQLContext) {
    return answer(ctx, { type: 'UpdatePublication', id: input.id, set: plain(input.set), unset: input.unset }, input);
  }
}
