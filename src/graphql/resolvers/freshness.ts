import { Args, ArgsType, Ctx, Field, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import { collectionFreshness, freshnessOf } from '../../domain/freshness';
import { seriesKey, staleFactsAt, stalePagesAt } from '../../projections/queries/freshness';
import { BitemporalArgs, PagingArgs } from '../args';
import { offsetConnection, pageSize, readOffset, type ConnectionShape } from '../connection';
import type { GraphQLContext } from '../context';
import { requireProperty } from '../known-names';
import { Entity } from '../types/entity';
import { Fact, FactConnection, toFact } from '../types/fact';
import { requireCollection } from './record';
import { Freshness, toFreshness } from '../types/freshness';
import { Page, PageConnection, toPage } from '../types/page';

@ArgsType()
class StaleFactsArgs extends BitemporalArgs {
  @Field(() => String, { nullable: true, description: 'Only entities of this type (organization, person, …).' }) entityType?: string | null;
  @Field(() => ID, { nullable: true, description: 'Only this property (NOT_FOUND when unknown).' }) property?: string | null;
}

@Resolver(() => Fact)
export class FactFreshnessResolver {
  @FieldResolver(() => Freshness, {
    nullable: true,
    description:
      'When the fact’s series (entity, property) is due: its latest asOf by the fact’s asOf (or now) plus the property’s stalenessDays; null when the property has none or the series no dated fact.',
  })
  async freshness(@Root() fact: Fact, @Ctx() ctx: GraphQLContext): Promise<Freshness | null> {
    const { position } = fact.pins.basis;
    const today = fact.pins.validAt;
    const [property, since] = await Promise.all([
      ctx.loaders.thing('property', position).load(fact.propertyId),
      ctx.loaders.seriesLatest(position, today).load(seriesKey(fact.entityId, fact.propertyId)),
    ]);
    return toFreshness(freshnessOf(since, property?.state.fields.stalenessDays, today));
  }
}

@Resolver(() => Page)
export class PageFreshnessResolver {
  @FieldResolver(() => Freshness, {
    nullable: true,
    description: 'When the page is due for review: lastEdited plus updateFrequency days, seen at the asOf (or now); null without both.',
  })
  freshness(@Root() page: Page): Freshness | null {
    return toFreshness(freshnessOf(page.lastEdited, page.updateFrequency, page.pins.validAt));
  }
}

@Resolver()
export class StaleResolver {
  @Query(() => FactConnection, {
    description:
      'The latest fact of every fact series past due at asOf (default now), most overdue first: only properties with stalenessDays count (docs/domain.md, “Freshness”).',
  })
  async staleFacts(@Args() args: StaleFactsArgs, @Args() paging: PagingArgs, @Ctx() ctx: GraphQLContext): Promise<ConnectionShape<Fact>> {
    const pins = await ctx.pins(args);
    if (args.property != null) await requireProperty(ctx, args.property, pins);
    const offset = readOffset(paging.after);
    const page = await staleFactsAt(
      ctx.db,
      {
        position: pins.basis.position,
        today: pins.validAt,
        propertyId: args.property ?? undefined,
        entityType: args.entityType ?? undefined,
      },
      { first: pageSize(paging.first), offset },
    );
    return offsetConnection(
      page.items.map((f) => toFact(f, pins)),
      offset,
      page.hasNextPage,
      page.totalCount,
    );
  }

  @Query(() => PageConnection, { description: 'Pages past due for review at asOf (default now), most overdue first, then by slug.' })
  async stalePages(@Args() args: BitemporalArgs, @Args() paging: PagingArgs, @Ctx() ctx: GraphQLContext): Promise<ConnectionShape<Page>> {
    const pins = await ctx.pins(args);
    const offset = readOffset(paging.after);
    const page = await stalePagesAt(
      ctx.db,
      { position: pins.basis.position, today: pins.validAt },
      { first: pageSize(paging.first), offset },
    );
    return offsetConnection(
      page.items.map((v) => toPage(v, pins)),
      offset,
      page.hasNextPage,
      page.totalCount,
    );
  }
}

@ArgsType()
class RecordFreshnessArgs extends BitemporalArgs {
  @Field({ description: 'The collection ("funding-rounds"); an unknown one is NOT_FOUND.' }) collection!: string;
}

@Resolver(() => Entity)
export class EntityRecordFreshnessResolver {
  @FieldResolver(() => Freshness, {
    nullable: true,
    description:
      'When the entity’s records of a collection are due: the latest record date (its validFrom, else its first date field) plus the schema’s stalenessDays, seen at asOf (or now); null when the schema has none or no record a date.',
  })
  async recordFreshness(@Root() entity: Entity, @Args() args: RecordFreshnessArgs, @Ctx() ctx: GraphQLContext): Promise<Freshness | null> {
    const pins = await ctx.pins(args, entity.pins);
    const position = pins.basis.position;
    await requireCollection(ctx, args.collection, pins);
    const schemaId = await ctx.loaders.recordSchemaOfCollection(position).load(args.collection);
    const schema = schemaId ? await ctx.loaders.thing('recordSchema', position).load(schemaId) : null;
    if (!schema?.state) return null;
    const records = await ctx.loaders.recordsOfEntity(position, args.collection).load(entity.id);
    return toFreshness(
      collectionFreshness(
        schema.state.fields,
        records.map((r) => r.state.fields),
        pins.validAt,
      ),
    );
  }
}
