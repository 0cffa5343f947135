import { Arg, Ctx, Field, ID, InputType, Mutation, ObjectType, Resolver } from 'type-graphql';
import type { PartialDate } from '../../domain/partial-date';
import type { GraphQLContext } from '../context';

import { ATTRIBUTES_DESCRIPTION, JSONScalar, PartialDateScalar } from '../scalars';
import { Entity, toEntity } from '../types/entity';
import { commandFields, partialDates, plain } from './input-mapping';
import { answerWith } from './mutate';
import { NoFields, withExpectedVersion, withRequestFields } from './request-fields';

@InputType()
class EntitySourceRefInput {
  @Field() title!: string;
  @Field({ nullable: true }) url?: string;
  @Field({ nullable: true }) author?: string;
  @Field({ nullable: true, description: 'Free text ("2024", "May 21, 2024").' }) date?: string;
}
@InputType()
class CustomFieldInput {
  @Field() label!: string;
  @Field() value!: string;
  @Field({ nullable: true }) link?: string;
}

@InputType()
class EntityPatch {
  @Field({ nullable: true }) name?: string;
  @Field({ nullable: true }) type?: string;
  @Field({ nullable: true }) numericId?: string;
  @Field(() => [String], { nullable: true }) aliases?: string[];
  @Field({ nullable: true }) description?: string;
  @Field(() => [String], { nullable: true }) tags?: string[];
  @Field({ nullable: true, description: 'An absolute http(s) URL.' }) website?: string;
  @Field(() => PartialDateScalar, { nullable: true }) lastUpdated?: PartialDate;
  @Field({ nullable: true, description: 'Slug of the overview page.' }) summaryPage?: string;
  @Field(() => [EntitySourceRefInput], { nullable: true }) sources?: EntitySourceRefInput[];
  @Field(() => [CustomFieldInput], { nullable: true }) customFields?: CustomFieldInput[];
  @Field({
    nullable: true,
    description: 'The data set file that lists it, relative to the data set (e.g. "entities/people.yaml"): an export writes it back there.',
  })
  file?: string;
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
@InputType()
class RelateEntitiesInput extends withExpectedVersion(NoFields) {
  @Field(() => ID, { description: 'The entity that lists the relation (stable id, slug, alias or numeric id).' }) from!: string;
  @Field(() => ID, { description: 'The entity it relates to.' }) to!: string;
  @Field(() => String, { nullable: true, description: 'Kebab-case, e.g. "created-by".' }) relationship?: string;
  @Field(() => String, { nullable: true, description: 'The target’s type as the relating entry shows it.' }) targetType?: string;
}
@InputType()
class UnrelateEntitiesInput extends withExpectedVersion(NoFields) {
  @Field(() => ID) from!: string;
  @Field(() => ID) to!: string;
  @Field(() => String, { nullable: true, description: 'The relationship of the relation to take away (none when absent).' })
  relationship?: string;
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
    const fields = partialDates(commandFields(plain(input), 'id'), input, ['lastUpdated']);
    return answer(ctx, { type: 'RegisterEntity', id: input.id, fields }, input);
  }

  @Mutation(() => EntityPayload)
  updateEntity(@Arg('input') input: UpdateEntityInput, @Ctx() ctx: GraphQLContext) {
    const set = input.set ? partialDates(plain(input.set), input.set, ['lastUpdated']) : undefined;
    return answer(ctx, { type: 'UpdateEntity', entity: input.id, set, unset: input.unset }, input);
  }

  @Mutation(() => EntityPayload)
  renameEntity(@Arg('input') input: RenameEntityInput, @Ctx() ctx: GraphQLContext) {
    return answer(ctx, { type: 'RenameEntity', entity: input.id, newSlug: input.newSlug }, input);
  }

  @Mutation(() => EntityPayload, {
    description: 'Relates one entity to another; relating the same pair and relationship again appends nothing.',
  })
  relateEntities(@Arg('input') input: RelateEntitiesInput, @Ctx() ctx: GraphQLContext) {
    return answer(
      ctx,
      { type: 'RelateEntity', entity: input.from, target: input.to, relationship: input.relationship, targetType: input.targetType },
      input,
    );
  }

  @Mutation(() => EntityPayload, { description: 'Takes a relation away; one that does not exist is BAD_USER_INPUT.' })
  unrelateEntities(@Arg('input') input: UnrelateEntitiesInput, @Ctx() ctx: GraphQLContext) {
    return answer(ctx, { type: 'UnrelateEntity', entity: input.from, target: input.to, relationship: input.relationship }, input);
  }
}
