import { Arg, Args, ArgsType, Ctx, Field, FieldResolver, Float, ID, InputType, Query, Resolver, Root } from 'type-graphql';
import { typeLabel } from '../../domain/entity';
import { streamName } from '../../domain/events';
import { resolvePageSlug } from '../../projections/lookup';
import { listThingsAt } from '../../projections/queries/things';
import { PagingArgs, TimeArgs } from '../args';
import { keyConnection, listConnection, pageSize, readCursor, type ConnectionShape } from '../connection';
import type { GraphQLContext } from '../context';
import { Event, toEvent } from '../types/event';
import { Entity, toEntity } from '../types/entity';
import { Page, PageConnection, toPage } from '../types/page';
import { Source, SourceConnection, toSource } from '../types/source';

@InputType()
export class PageFilter {
  @Field(() => ID, { nullable: true, description: 'Pages about this entity (stable id).' }) entity?: string | null;
  @Field(() => Float, { nullable: true, description: 'Pages of at least this quality.' }) minQuality?: number | null;
}

@ArgsType()
class PageArgs extends TimeArgs {
  @Field(() => ID, { description: 'Slug or numeric id ("E22").' }) slug!: string;
}

@Resolver(() => Page)
export class PageResolver {
  @Query(() => Page, { nullable: true })
  async page(@Args() args: PageArgs, @Ctx() ctx: GraphQLContext): Promise<Page | null> {
    const pins = await ctx.pins(args);
    const slug = await resolvePageSlug(ctx.db, args.slug);
    const v = slug ? await ctx.loaders.thing('page', pins.basis.position).load(slug) : null;
    return v ? toPage(v, pins) : null;
  }

  @Query(() => PageConnection)
  async pages(
    @Arg('filter', () => PageFilter, { nullable: true }) filter: PageFilter | null,
    @Args() paging: PagingArgs,
    @Args() time: TimeArgs,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ConnectionShape<Page>> {
    const pins = await ctx.pins(time);
    const size = pageSize(paging.first);
    const where = filter?.entity ? { fields: { entityId: filter.entity } } : undefined;
    // A quality floor is a range, not containment: page through and filter (pages are few).
    if (filter?.minQuality != null) {
      const all = await listThingsAt(ctx.db, 'page', pins.basis.position, { first: 100_000, where });
      const kept = all.items.filter((v) => (v.state.fields.quality ?? -1) >= filter.minQuality!).map((v) => toPage(v, pins));
      return listConnection(kept, size, paging.after);
    }
    const page = await listThingsAt(ctx.db, 'page', pins.basis.position, { first: size, after: readCursor(paging.after, 'k'), where });
    return keyConnection(
      page.items.map((v) => toPage(v, pins)),
      (p) => p.slug,
      page.hasNextPage,
      page.totalCount,
    );
  }

  @FieldResolver(() => Entity, { nullable: true, description: 'The entity the page is about.' })
  async entity(@Root() page: Page, @Ctx() ctx: GraphQLContext): Promise<Entity | null> {
    const v = page.entityId ? await ctx.loaders.thing('entity', page.pins.basis.position).load(page.entityId) : null;
    return v ? toEntity(v, page.pins) : null;
  }

  @FieldResolver(() => String, { nullable: true, description: 'The label of the entity’s type, e.g. "Organization".' })
  async type(@Root() page: Page, @Ctx() ctx: GraphQLContext): Promise<string | null> {
    const v = page.entityId ? await ctx.loaders.thing('entity', page.pins.basis.position).load(page.entityId) : null;
    return v ? typeLabel(v.state.fields.type) : null;
  }

  @FieldResolver(() => SourceConnection, { description: 'The sources this page cites.' })
  async citations(@Root() page: Page, @Args() paging: PagingArgs, @Ctx() ctx: GraphQLContext): Promise<ConnectionShape<Source>> {
    const found = await ctx.loaders.thing('source', page.pins.basis.position).loadMany(page.citationIds);
    const sources = found
      .filter((v): v is NonNullable<typeof v> & object => v !== null && !(v instanceof Error))
      .map((v) => toSource(v as never, page.pins));
    return listConnection(sources, paging.first, paging.after);
  }

  @FieldResolver(() => [Event])
  async history(@Root() page: Page, @Ctx() ctx: GraphQLContext): Promise<Event[]> {
    return (await ctx.loaders.streamEvents(page.pins.basis.position).load(streamName('page', page.slug))).map(toEvent);
  }
}
