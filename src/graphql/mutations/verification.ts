import { Arg, Ctx, Field, Float, ID, InputType, Mutation, ObjectType, Resolver } from 'type-graphql';
import { parseTarget } from '../../domain/verification';
import type { GraphQLContext } from '../context';
import type { Pins } from '../pins';
import { Verdict, Verification } from '../types/verification';
import { verificationAt } from '../verification';
import { commandFields, plain } from './input-mapping';
import { mutate } from './mutate';
import { NoFields, withRequestFields } from './request-fields';

@InputType()
class EvidenceInput {
  @Field(() => ID, { description: '"fact:<fact id>" or "record:<record id>@<field>".' }) target!: string;
  @Field(() => ID, { description: 'Hex id, stable id or URL.' }) source!: string;
  @Field(() => Verdict, { description: 'Any verdict but UNCHECKED.' }) verdict!: Verdict;
  @Field(() => Float, { description: '0..1' }) confidence!: number;
  @Field({ description: 'A person’s key or a model’s name.' }) checkedBy!: string;
  @Field(() => String, { nullable: true }) quote?: string;
  @Field(() => String, { nullable: true }) locator?: string;
  @Field(() => String, { nullable: true }) reasoning?: string;
  @Field(() => String, {
    nullable: true,
    description: 'Hash of the source content checked against (Source.content.contentHash); required when the source has captured content.',
  })
  contentHash?: string;
  @Field(() => String, { nullable: true, description: 'ISO 8601 instant of the check.' }) checkedAt?: string;
}
@InputType()
class RecordEvidenceInput extends withRequestFields(EvidenceInput) {}

@InputType()
class WithdrawEvidenceInput extends withRequestFields(NoFields) {
  @Field(() => ID) target!: string;
  @Field(() => ID) source!: string;
}

@ObjectType()
class VerificationPayload {
  @Field(() => Verification) verification!: Verification;
  @Field() position!: string;
}

/** The target's verification at the new head, with a fact's citations as they are there. */
async function readVerification(ctx: GraphQLContext, target: string, pins: Pins): Promise<{ verification: Verification }> {
  const parsed = parseTarget(target);
  const fact = parsed.ok && parsed.value.kind === 'fact' ? await ctx.loaders.fact(pins.basis.position).load(parsed.value.factId) : null;
  return { verification: await verificationAt(ctx, target, pins, fact ? fact.citations.map((c) => c.sourceId) : null) };
}

@Resolver()
export class VerificationMutations {
  @Mutation(() => VerificationPayload, {
    description: 'Records what a source says about a fact or record field; it replaces that source’s earlier evidence for the target.',
  })
  recordEvidence(@Arg('input') input: RecordEvidenceInput, @Ctx() ctx: GraphQLContext) {
    // UNCHECKED is the GraphQL enum's, not an evidence verdict: the domain refuses it with its path.
    const evidence = commandFields(plain(input), 'target', 'source');
    return mutate(ctx, { type: 'RecordEvidence', target: input.target, source: input.source, evidence }, input, (id, pins) =>
      readVerification(ctx, id, pins),
    );
  }

  @Mutation(() => VerificationPayload, { description: 'Withdraws a source’s evidence for a target.' })
  withdrawEvidence(@Arg('input') input: WithdrawEvidenceInput, @Ctx() ctx: GraphQLContext) {
    return mutate(ctx, { type: 'WithdrawEvidence', target: input.target, source: input.source }, input, (id, pins) =>
      readVerification(ctx, id, pins),
    );
  }
}
