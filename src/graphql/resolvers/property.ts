import { Arg, Ctx, ID, Query, Resolver } from 'type-graphql';
import { listThingsAt } from '../../projections/queries/things';
import type { GraphQLContext } from '../context';
import { Property, toProperty } from '../types/property';

@Resolver(() => Property)
export class PropertyResolver {
  @Query(() => Property, { nullable: true })
  async property(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<Property | null> {
    const pins = await ctx.pins({});
    const v = await ctx.loaders.thing('property', pins.basis.position).load(id);
    return v ? toProperty(v, pins) : null;
  }

  @Query(() => [Property], { description: 'Every property, by id.' })
  async properties(@Ctx() ctx: GraphQLContext): Promise<Property[]> {
    const pins = await ctx.pins({});
    const all = await listThingsAt(ctx.db, 'property', pins.basis.position, { first: 10_000 });
    return all.items.map((v) => toProperty(v, pins));
  }
}
