import { Arg, Ctx, Field, Float, ID, InputType, Int, Mutation, ObjectType, Resolver } from 'type-graphql';
import type { GraphQLContext } from '../context';
import { ATTRIBUTES_DESCRIPTION, JSONScalar } from '../scalars';
import { Property, toProperty } from '../types/property';
import { commandFields, plain } from './input-mapping';
import { answerWith } from './mutate';
import { NoFields, withExpectedVersion, withRequestFields } from './request-fields';

@InputType()
class DisplayInput {
  @Field(() => Float, { nullable: true }) divisor?: number;
  @Field({ nullable: true }) prefix?: string;
  @Field({ nullable: true }) suffix?: string;
}
@InputType()
class PropertyPatch {
  @Field({ nullable: true }) name?: string;
  @Field({ nullable: true }) description?: string;
  @Field({ nullable: true }) unit?: string;
  @Field({ nullable: true }) category?: string;
  @Field({ nullable: true }) temporal?: boolean;
  @Field(() => [String], { nullable: true }) appliesTo?: string[];
  @Field(() => DisplayInput, { nullable: true }) display?: DisplayInput;
  @Field({ nullable: true }) inverseId?: string;
  @Field(() => Int, { nullable: true }) stalenessDays?: number;
  @Field({ nullable: true }) computed?: boolean;
  @Field({ nullable: true }) inverseName?: string;
  @Field(() => JSONScalar, { nullable: true, description: ATTRIBUTES_DESCRIPTION }) attributes?: Record<string, unknown>;
}
@InputType()
class DefinePropertyInput extends withRequestFields(PropertyPatch) {
  @Field(() => ID) id!: string;
  @Field({ description: 'number, text, date, boolean, ref, refs, range or json; fixed once defined.' }) dataType!: string;
}
@InputType()
class UpdatePropertyInput extends withExpectedVersion(NoFields) {
  @Field(() => ID) id!: string;
  @Field(() => PropertyPatch, { nullable: true }) set?: PropertyPatch;
  @Field(() => [String], { nullable: true }) unset?: string[];
}

@ObjectType()
class PropertyPayload {
  @Field(() => Property, { nullable: true }) property!: Property | null;
  @Field() position!: string;
}

const answer = answerWith('property', toProperty);

@Resolver()
export class PropertyMutations {
  @Mutation(() => PropertyPayload)
  defineProperty(@Arg('input') input: DefinePropertyInput, @Ctx() ctx: GraphQLContext) {
    return answer(ctx, { type: 'DefineProperty', id: input.id, fields: commandFields(plain(input), 'id') }, input);
  }

  @Mutation(() => PropertyPayload)
  updateProperty(@Arg('input') input: UpdatePropertyInput, @Ctx() ctx: GraphQLContext) {
    return answer(ctx, { type: 'UpdateProperty', id: input.id, set: plain(input.set), unset: input.unset }, input);
  }
}
