import { Arg, Args, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import { completenessOf } from '../../domain/entity-type';
import { listThingsAt } from '../../projections/queries/things';
import { TimeArgs } from '../args';
import type { GraphQLContext } from '../context';
import { Entity } from '../types/entity';
import { Completeness, EntityType, toEntityType } from '../types/entity-type';

@Resolver(() => EntityType)
export class EntityTypeResolver {
  @Query(() => [EntityType], { description: 'Every entity type, by id.' })
  async entityTypes(@Args() time: TimeArgs, @Ctx() ctx: GraphQLContext): Promise<EntityType[]> {
    const pins = await ctx.pins(time);
    const all = await listThingsAt(ctx.db, 'entityType', pins.basis.position, { first: 10_000 });
    return all.items.map((v) => toEntityType(v, pins));
  }

  @Query(() => EntityType, { nullable: true, description: 'An entity type by its id ("organization").' })
  async entityType(@Arg('id', () => ID) id: string, @Args() time: TimeArgs, @Ctx() ctx: GraphQLContext): Promise<EntityType | null> {
    const pins = await ctx.pins(time);
    const v = await ctx.loaders.thing('entityType', pins.basis.position).load(id);
    return v ? toEntityType(v, pins) : null;
  }
}

@Resolver(() => Entity)
export class EntityCompletenessResolver {
  @FieldResolver(() => EntityType, { nullable: true, description: 'Its type as the store defines it at these pins; null when undefined.' })
  async entityType(@Root() entity: Entity, @Ctx() ctx: GraphQLContext): Promise<EntityType | null> {
    const v = await ctx.loaders.thing('entityType', entity.pins.basis.position).load(entity.type);
    return v && toEntityType(v, entity.pins);
  }

  @FieldResolver(() => Completeness, {
    description:
      'What it lacks of what its type requires and recommends, at its pins: an entity field counts when it holds something, a property when the entity has a fact of it (any valid time).',
  })
  async completeness(@Root() entity: Entity, @Ctx() ctx: GraphQLContext): Promise<Completeness> {
    const position = entity.pins.basis.position;
    const [type, self, facts] = await Promise.all([
      ctx.loaders.thing('entityType', position).load(entity.type),
      ctx.loaders.thing('entity', position).load(entity.id),
      ctx.loaders.factsOfEntity(entity.pins, false, undefined).load(entity.id),
    ]);
    if (!type?.state || !self?.state) return { missingRequired: [], missingRecommended: [], typeKnown: false };
    const withFacts = new Set(facts.map((f) => f.propertyId));
    return { ...completenessOf(type.state.fields, self.state.fields, withFacts), typeKnown: true };
  }
}
