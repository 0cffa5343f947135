import { Arg, Ctx, Field, ID, InputType, Mutation, ObjectType, Resolver } from 'type-graphql';
import type { Command } from '../../commands/commands';
import type { GraphQLContext } from '../context';
import { JSONScalar } from '../scalars';
import { EntityRecord, toRecord } from '../types/record';
import { mutate } from './mutate';
import { withExpectedVersion, withRequestFields, type RequestFields } from './request-fields';

@InputType()
class RecordRef {
  @Field(() => ID, { description: 'The entity the record is filed on: stable id, slug, alias or numeric id.' }) entity!: string;
  @Field({ description: 'Its collection, e.g. "funding-rounds".' }) collection!: string;
  @Field({ description: 'Its key within the collection on that entity, e.g. "series-a".' }) key!: string;
}
@InputType()
class CreateRecordInput extends withRequestFields(RecordRef) {
  @Field(() => JSONScalar, {
    description:
      "Values by field name, checked against the collection's schema; an endpoint or ref names an entity by slug or id, or is {displayName} where the schema allows it.",
  })
  fields!: unknown;
}
@InputType()
class UpdateRecordInput extends withExpectedVersion(RecordRef) {
  @Field(() => JSONScalar, { nullable: true, description: 'Values to set, by field name (as in createRecord).' }) set?: unknown;
  @Field(() => [String], { nullable: true }) unset?: string[];
}
@InputType()
class RemoveRecordInput extends withExpectedVersion(RecordRef) {}

@ObjectType()
class RecordPayload {
  @Field(() => EntityRecord, { nullable: true, description: 'The record at the new head; null once removed.' })
  record!: EntityRecord | null;
  @Field() position!: string;
}

/** Runs a record command and reads the record back at the new head (null when it is removed). */
const answer = (ctx: GraphQLContext, command: Command, input: RequestFields) =>
  mutate(ctx, command, input, async (id, pins) => {
    const v = await ctx.loaders.thing('record', pins.basis.position).load(id);
    return { record: v && !v.state.removed ? toRecord(v, pins) : null };
  });

const ref = (input: RecordRef) => ({ entity: input.entity, collection: input.collection, key: input.key });

@Resolver()
export class RecordMutations {
  @Mutation(() => RecordPayload)
  createRecord(@Arg('input') input: CreateRecordInput, @Ctx() ctx: GraphQLContext) {
    return answer(ctx, { type: 'CreateRecord', ...ref(input), fields: input.fields }, input);
  }

  @Mutation(() => RecordPayload)
  updateRecord(@Arg('input') input: UpdateRecordInput, @Ctx() ctx: GraphQLContext) {
    return answer(ctx, { type: 'UpdateRecord', ...ref(input), set: input.set, unset: input.unset }, input);
  }

  @Mutation(() => RecordPayload)
  removeRecord(@Arg('input') input: RemoveRecordInput, @Ctx() ctx: GraphQLContext) {
    return answer(ctx, { type: 'RemoveRecord', ...ref(input) }, input);
  }
}
