import { Arg, Ctx, Field, ID, InputType, Mutation, ObjectType, Resolver } from 'type-graphql';
import type { GraphQLContext } from '../context';
import { JSONScalar } from '../scalars';
import { EntityType, toEntityType } from '../types/entity-type';
import { commandFields, plain } from './input-mapping';
import { answerWith } from './mutate';
import { NoFields, withExpectedVersion, withRequestFields } from './request-fields';

@InputType()
class EntityTypePatch {
  @Field({ nullable: true }) name?: string;
  @Field({ nullable: true }) description?: string;
  @Field(() => [String], { nullable: true }) required?: string[];
  @Field(() => [String], { nullable: true }) recommended?: string[];
  @Field(() => [String], { nullable: true }) records?: string[];
  @Field(() => JSONScalar, { nullable: true }) attributes?: unknown;
}
@InputType()
class RegisterEntityTypeInput extends withRequestFields(EntityTypePatch) {
  @Field(() => ID) id!: string;
}
@InputType()
class UpdateEntityTypeInput extends withExpectedVersion(NoFields) {
  @Field(() => ID) id!: string;
  @Field(() => EntityTypePatch, { nullable: true }) set?: EntityTypePatch;
  @Field(() => [String], { nullable: true }) unset?: string[];
}

@ObjectType()
class EntityTypePayload {
  @Field(() => EntityType, { nullable: true }) entityType!: EntityType | null;
  @Field() position!: string;
}

const answer = answerWith('entityType', toEntityType);

@Resolver()
export class EntityTypeMutations {
  @Mutation(() => EntityTypePayload)
  registerEntityType(@Arg('input') input: RegisterEntityTypeInput, @Ctx() ctx: GraphQLContext) {
    return answer(ctx, { type: 'RegisterEntityType', id: input.id, fields: commandFields(plain(input), 'id') }, input);
  }

  @Mutation(() => EntityTypePayload)
  updateEntityType(@Arg('input') input: UpdateEntityTypeInput, @Ctx() ctx: GraphQLContext) {
    return answer(ctx, { type: 'UpdateEntityType', id: input.id, set: plain(input.set), unset: input.unset }, input);
  }
}
