import { Args, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { chooseValue } from '../../domain/value-choice';
import { BitemporalArgs } from '../args';
import type { GraphQLContext } from '../context';
import { requireProperty } from '../known-names';
import { Entity } from '../types/entity';
import { Explanation, ValueCandidate, toExplanation } from '../types/explain';
import { Source } from '../types/source';
import { PropertyArg } from './entity';
import { citedSources } from './fact';

@Resolver(() => Entity)
export class EntityExplainResolver {
  @FieldResolver(() => Explanation, {
    description:
      'Why the value of a property as of a time is what it is: every fact of the property at the pinned position (retracted ones, and ones asserted later, included) with its outcome. Agrees with value and valueWithConflicts (docs/domain.md, “Why this value”).',
  })
  async explain(
    @Root() entity: Entity,
    @Args() p: PropertyArg,
    @Args() time: BitemporalArgs,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Explanation> {
    const pins = await ctx.pins(time, entity.pins);
    await requireProperty(ctx, p.property, pins);
    const candidates = await ctx.loaders.valueCandidates(pins.basis.position, p.property).load(entity.id);
    return toExplanation(chooseValue(candidates, pins.validAt, pins.asOf?.value ?? 'now'), pins);
  }
}

@Resolver(() => ValueCandidate)
export class ValueCandidateResolver {
  @FieldResolver(() => [Source], { description: 'The sources the fact cites, with their credibility.' })
  async sources(@Root() c: ValueCandidate, @Ctx() ctx: GraphQLContext): Promise<Source[]> {
    return citedSources(c.fact, ctx);
  }
}
