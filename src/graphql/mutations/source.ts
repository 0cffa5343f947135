import { Arg, Ctx, Field, ID, InputType, Int, Mutation, ObjectType, Resolver } from 'type-graphql';
import type { PartialDate } from '../../domain/partial-date';
import type { GraphQLContext } from '../context';
import { ATTRIBUTES_DESCRIPTION, DateTimeScalar, PartialDateScalar, JSONScalar } from '../scalars';
import { Source, toSource } from '../types/source';
import { commandFields, partialDates, plain, renamed, renamedList } from './input-mapping';
import { answerWith } from './mutate';
import { NoFields, withExpectedVersion, withRequestFields } from './request-fields';

@InputType()
class SourcePatch {
  @Field({ nullable: true }) title?: string;
  @Field({ nullable: true }) type?: string;
  @Field(() => [String], { nullable: true }) authors?: string[];
  @Field(() => PartialDateScalar, { nullable: true }) publishedDate?: PartialDate;
  @Field(() => ID, { nullable: true, description: 'Publication id.' }) publication?: string;
  @Field(() => Int, { nullable: true }) credibilityOverride?: number;
  @Field({ nullable: true }) abstract?: string;
  @Field({ nullable: true }) summary?: string;
  @Field({ nullable: true }) review?: string;
  @Field(() => [String], { nullable: true }) keyPoints?: string[];
  @Field(() => [String], { nullable: true }) tags?: string[];
  @Field({
    nullable: true,
    description: 'The data set file that lists it, relative to the data set (e.g. "entities/people.yaml"): an export writes it back there.',
  })
  file?: string;
  @Field(() => DateTimeScalar, { nullable: true }) fetchedAt?: Date;
  @Field({ nullable: true }) localFilename?: string;
  @Field(() => JSONScalar, { nullable: true, description: ATTRIBUTES_DESCRIPTION }) attributes?: Record<string, unknown>;
}
@InputType()
class RegisterSourceInput extends withRequestFields(SourcePatch) {
  @Field() url!: string;
  @Field({ nullable: true, description: 'Generated when not given.' }) stableId?: string;
}
@InputType()
class UpdateSourceInput extends withExpectedVersion(NoFields) {
  @Field(() => ID, { description: 'Hex id, stable id or URL.' }) id!: string;
  @Field(() => SourcePatch, { nullable: true }) set?: SourcePatch;
  @Field(() => [String], { nullable: true }) unset?: string[];
}
@InputType()
class CaptureSourceContentInput extends withExpectedVersion(NoFields) {
  @Field(() => ID) id!: string;
  @Field() text!: string;
  @Field(() => Int, { nullable: true, description: 'Length of the original when `text` is only an excerpt of it.' }) totalLength?: number;
  @Field(() => DateTimeScalar, { nullable: true }) fetchedAt?: Date;
  @Field(() => Int, { nullable: true }) httpStatus?: number;
  @Field({ nullable: true }) contentType?: string;
}
@InputType()
class MergeSourcesInput extends withExpectedVersion(NoFields) {
  @Field(() => ID, { description: 'The source that goes away (its ids keep resolving to `into`).' }) from!: string;
  @Field(() => ID) into!: string;
}

@ObjectType()
class SourcePayload {
  @Field(() => Source, { nullable: true }) source!: Source | null;
  @Field() position!: string;
}

const answer = answerWith('source', toSource);

@Resolver()
export class SourceMutations {
  @Mutation(() => SourcePayload)
  registerSource(@Arg('input') input: RegisterSourceInput, @Ctx() ctx: GraphQLContext) {
    const fields = partialDates(renamed(commandFields(plain(input))), input, ['publishedDate']);
    return answer(ctx, { type: 'RegisterSource', fields }, input);
  }

  @Mutation(() => SourcePayload)
  updateSource(@Arg('input') input: UpdateSourceInput, @Ctx() ctx: GraphQLContext) {
    const set = input.set ? partialDates(renamed(plain(input.set)), input.set, ['publishedDate']) : undefined;
    return answer(ctx, { type: 'UpdateSource', source: input.id, set, unset: renamedList(input.unset) }, input);
  }

  @Mutation(() => SourcePayload)
  captureSourceContent(@Arg('input') input: CaptureSourceContentInput, @Ctx() ctx: GraphQLContext) {
    return answer(ctx, { type: 'CaptureSourceContent', source: input.id, content: commandFields(plain(input), 'id') }, input);
  }

  @Mutation(() => SourcePayload, { description: 'Merge a duplicate source into another; its ids keep resolving.' })
  mergeSources(@Arg('input') input: MergeSourcesInput, @Ctx() ctx: GraphQLContext) {
    return answer(ctx, { type: 'MergeSources', from: input.from, into: input.into }, input);
  }
}
