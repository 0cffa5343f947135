import { Arg, Ctx, Field, ID, InputType, Mutation, ObjectType, Resolver } from 'type-graphql';
import type { GraphQLContext } from '../context';
import { ATTRIBUTES_DESCRIPTION, JSONScalar } from '../scalars';
import { Entity, toEntity } from '../types/entity';
import { commandFields, plain } from './input-mapping';
import { answerWith } from './mutate';
import { NoFields, withExpectedVersion, withRequestFields } from './request-fields';

@InputType()
class EntityPatch {
  @Field({ nullable: true }) name?: string;
  @Field({ nullable: true }) type?: string;
  @Field({ nullable: true }) numericId?: string;
  @Field(() => [String], { nullable: true }) aliases?: string[];
  @Field(() => JSONScalar, { nullable: true, description: ATTRIBUTES_DESCRIPTION }) attributes?: Record<string, unknown>;
}
@InputType()
class RegisterEntityInput extends withRequestFields(EntityPatch) {
  @Field(() => ID, { nullable: true, description: 'Stable id; generated when not given.' }) id?: string;
  @Field() slug!: string;
}
@InputType()
class UpdateEntityInput extends withExpectedVersion(NoFields) {
  @Field(() => ID) id!: string;
  @Field(() => EntityPatch, { nullable: true }) set?: EntityPatch;
  @Field(() => [String], { nullable: true }) unset?: string[];
}
@InputType()
class RenameEntityInput extends withExpectedVersion(NoFields) {
  @Field(() => ID) id!: string;
  @Field({ description: 'The new slug; the old one stays an alias.' }) newSlug!: string;
}

@ObjectType()
class EntityPayload {
  @Field(() => Entity, { nullable: true }) entity!: Entity | null;
  @Field() position!: string;
}

const answer = answerWith('entity', toEntity);

@Resolver()
export class EntityMutations {
  @Mutation(() => EntityPayload)
  registerEntity(@Arg('input') input: RegisterEntityInput, @Ctx() ctx: GraphQLContext) {
    return answer(ctx, { type: 'RegisterEntity', id: input.id, fields: commandFields(plain(input), 'id') }, input);
  }

  @Mutation(() => EntityPayload)
  updateEntity(@Arg('input') input: UpdateEntityInput, @Ctx() ctx: GraphQLContext) {
    return answer(ctx, { type: 'UpdateEntity', entity: input.id, set: plain(input.set), unset: input.unset }, input);
  }

  @Mutation(() => EntityPayload)
  renameEntity(@Arg('input') input: RenameEntityInput, @Ctx() ctx: GraphQLContext) {
    return answer(ctx, { type: 'RenameEntity', entity: input.id, newSlug: input.newSlug }, input);
  }
}
