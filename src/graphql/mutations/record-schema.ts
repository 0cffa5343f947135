import { Arg, Ctx, Field, ID, InputType, Int, Mutation, ObjectType, Resolver } from 'type-graphql';
import type { GraphQLContext } from '../context';
import { JSONScalar } from '../scalars';
import { RecordSchema, toRecordSchema } from '../types/record-schema';
import { commandFields, plain } from './input-mapping';
import { answerWith } from './mutate';
import { NoFields, withExpectedVersion, withRequestFields } from './request-fields';

@InputType()
class RecordSchemaPatch {
  @Field({ nullable: true }) name?: string;
  @Field({ nullable: true }) description?: string;
  @Field({ nullable: true }) temporal?: boolean;
  @Field(() => JSONScalar, {
    nullable: true,
    description: 'Endpoints by name: {types: [String], required?, implicit?, allowDisplayName?}.',
  })
  endpoints?: unknown;
  @Field(() => JSONScalar, {
    nullable: true,
    description: 'Fields by name: {type: text|date|number|boolean|ref, unit?, required?, description?}.',
  })
  fields?: unknown;
  @Field({ nullable: true }) validFrom?: string;
  @Field({ nullable: true }) validTo?: string;
  @Field(() => Int, { nullable: true, description: 'Days after its latest record a collection is due for review.' }) stalenessDays?: number;
}
@InputType()
class RegisterRecordSchemaInput extends withRequestFields(RecordSchemaPatch) {
  @Field(() => ID) id!: string;
  @Field({ description: 'The collection its records are filed under; fixed once registered.' }) collectionName!: string;
}
@InputType()
class UpdateRecordSchemaInput extends withExpectedVersion(NoFields) {
  @Field(() => ID) id!: string;
  @Field(() => RecordSchemaPatch, { nullable: true }) set?: RecordSchemaPatch;
  @Field(() => [String], { nullable: true }) unset?: string[];
}

@ObjectType()
class RecordSchemaPayload {
  @Field(() => RecordSchema, { nullable: true }) recordSchema!: RecordSchema | null;
  @Field() position!: string;
}

const answer = answerWith('recordSchema', toRecordSchema);

@Resolver()
export class RecordSchemaMutations {
  @Mutation(() => RecordSchemaPayload)
  registerRecordSchema(@Arg('input') input: RegisterRecordSchemaInput, @Ctx() ctx: GraphQLContext) {
    return answer(ctx, { type: 'RegisterRecordSchema', id: input.id, fields: commandFields(plain(input), 'id') }, input);
  }

  @Mutation(() => RecordSchemaPayload)
  updateRecordSchema(@Arg('input') input: UpdateRecordSchemaInput, @Ctx() ctx: GraphQLContext) {
    return answer(ctx, { type: 'UpdateRecordSchema', id: input.id, set: plain(input.set), unset: input.unset }, input);
  }
}
