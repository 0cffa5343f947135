import { Arg, Ctx, Field, ID, InputType, Int, Mutation, ObjectType, Resolver } from 'type-graphql';
import type { GraphQLContext } from '../context';
import { ATTRIBUTES_DESCRIPTION, JSONScalar } from '../scalars';
import { Publication, toPublication } from '../types/publication';
import { commandFields, plain } from './input-mapping';
import { answerWith } from './mutate';
import { NoFields, withExpectedVersion, withRequestFields } from './request-fields';

@InputType()
class PublicationPatch {
  @Field({ nullable: true }) name?: string;
  @Field(() => [String], { nullable: true }) domains?: string[];
  @Field({ nullable: true }) type?: string;
  @Field(() => Int, { nullable: true }) credibility?: number;
  @Field({ nullable: true }) peerReviewed?: boolean;
  @Field({ nullable: true }) description?: string;
  @Field(() => JSONScalar, { nullable: true, description: ATTRIBUTES_DESCRIPTION }) attributes?: Record<string, unknown>;
}
@InputType()
class RegisterPublicationInput extends withRequestFields(NoFields) {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field(() => [String], { nullable: true }) domains?: string[];
  @Field({ nullable: true }) type?: string;
  @Field(() => Int, { nullable: true }) credibility?: number;
  @Field({ nullable: true }) peerReviewed?: boolean;
  @Field({ nullable: true }) description?: string;
  @Field(() => JSONScalar, { nullable: true, description: ATTRIBUTES_DESCRIPTION }) attributes?: Record<string, unknown>;
}
@InputType()
class UpdatePublicationInput extends withExpectedVersion(NoFields) {
  @Field(() => ID) id!: string;
  @Field(() => PublicationPatch, { nullable: true }) set?: PublicationPatch;
  @Field(() => [String], { nullable: true }) unset?: string[];
}

@ObjectType()
class PublicationPayload {
  @Field(() => Publication, { nullable: true }) publication!: Publication | null;
  @Field() position!: string;
}

const answer = answerWith('publication', toPublication);

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
