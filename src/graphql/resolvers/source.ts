import { Arg, Args, ArgsType, Ctx, Field, FieldResolver, ID, InputType, Int, Query, Resolver, Root } from 'type-graphql';
import { effectiveCredibility } from '../../domain/credibility';
import { streamName } from '../../domain/events';
import { previewText } from '../../domain/source';
import { resolveSourceId } from '../../projections/lookup';
import { listThingsAt } from '../../projections/queries/things';
import { BitemporalArgs, FactListTimeArgs, PagingArgs, TimeArgs } from '../args';
import { keyConnection, listConnection, pageSize, readCursor, type ConnectionShape } from '../connection';
import type { GraphQLContext } from '../context';
import { Event, toEvent } from '../types/event';
import { Fact, FactConnection, toFact } from '../types/fact';
import { CachedContent, Credibility, Source, SourceConnection, toCachedContent, toSource } from '../types/source';
import { Page, PageConnection, toPage } from '../types/page';
import { Publication, toPublication } from '../types/publication';

@InputType({ description: 'Narrow a list of sources; all given conditions must hold.' })
export class SourceFilter {
  @Field(() => String, { nullable: true, description: 'paper, blog, report, book, talk, podcast, government, reference, web' }) type?:
    string | null;
  @Field(() => ID, { nullable: true, description: 'Publication id.' }) publication?: string | null;
  @Field(() => String, { nullable: true }) tag?: string | null;
}

@ArgsType()
class SourceArgs extends BitemporalArgs {
  @Field(() => ID, { description: 'Hex id, stable id, or the exact URL.' }) id!: string;
}

@Resolver(() => Source)
export class SourceResolver {
  @Query(() => Source, { nullable: true, description: 'A source by hex id, stable id or URL.' })
  async source(@Args() args: SourceArgs, @Ctx() ctx: GraphQLContext): Promise<Source | null> {
    const pins = await ctx.pins(args);
    const id = await resolveSourceId(ctx.db, args.id);
    const v = id ? await ctx.loaders.thing('source', pins.basis.position).load(id) : null;
    return v ? toSource(v, pins) : null;
  }

  @Query(() => SourceConnection)
  async sources(
    @Arg('filter', () => SourceFilter, { nullable: true }) filter: SourceFilter | null,
    @Args() paging: PagingArgs,
    @Args() time: TimeArgs,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ConnectionShape<Source>> {
    const pins = await ctx.pins(time);
    const fields: Record<string, unknown> = {};
    if (filter?.type) fields.type = filter.type;
    if (filter?.publication) fields.publicationId = filter.publication;
    if (filter?.tag) fields.tags = [filter.tag];
    const page = await listThingsAt(ctx.db, 'source', pins.basis.position, {
      first: pageSize(paging.first),
      after: readCursor(paging.after, 'k'),
      where: Object.keys(fields).length ? { fields } : undefined,
    });
    return keyConnection(
      page.items.map((v) => toSource(v, pins)),
      (s) => s.id,
      page.hasNextPage,
      page.totalCount,
    );
  }

  @FieldResolver(() => Publication, { nullable: true })
  async publication(@Root() source: Source, @Ctx() ctx: GraphQLContext): Promise<Publication | null> {
    const id = source.state.fields.publicationId;
    const v = id ? await ctx.loaders.thing('publication', source.pins.basis.position).load(id) : null;
    return v ? toPublication(v, source.pins) : null;
  }

  @FieldResolver(() => Credibility, {
    nullable: true,
    description: 'The source’s rating, else its publication’s; null when neither exists.',
  })
  async credibility(@Root() source: Source, @Ctx() ctx: GraphQLContext): Promise<Credibility | null> {
    const publicationId = source.state.fields.publicationId ?? null;
    const publication = publicationId ? await ctx.loaders.thing('publication', source.pins.basis.position).load(publicationId) : null;
    const c = effectiveCredibility(source.credibilityOverride, publication?.state.fields.credibility);
    return c && { ...c, publicationId: c.overridden ? null : publicationId, pins: source.pins };
  }

  @FieldResolver(() => CachedContent, { nullable: true })
  cachedContent(@Root() source: Source): CachedContent | null {
    return source.state.content ? toCachedContent(source.state.content) : null;
  }

  @FieldResolver(() => PageConnection, { description: 'Pages citing this source (or a source merged into it).' })
  async citedBy(@Root() source: Source, @Args() paging: PagingArgs, @Ctx() ctx: GraphQLContext): Promise<ConnectionShape<Page>> {
    const position = source.pins.basis.position;
    const lists = await ctx.loaders.pagesCiting(position).loadMany([source.id, ...source.state.mergedFrom]);
    const slugs = [...new Set(lists.flatMap((l) => (Array.isArray(l) ? l : [])))].sort();
    const pages = await ctx.loaders.thing('page', position).loadMany(slugs);
    const found = pages.filter((p): p is NonNullable<typeof p> & object => p !== null && !(p instanceof Error));
    return listConnection(
      found.map((v) => toPage(v as never, source.pins)),
      paging.first,
      paging.after,
    );
  }

  @FieldResolver(() => FactConnection, { description: 'Facts citing this source; with asOf, only those that hold then.' })
  async facts(
    @Root() source: Source,
    @Args() time: FactListTimeArgs,
    @Args() paging: PagingArgs,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ConnectionShape<Fact>> {
    const pins = await ctx.pins(time, source.pins);
    const withValidTime = time.asOf != null;
    const lists = await ctx.loaders.factsCiting(pins, withValidTime).loadMany([source.id, ...source.state.mergedFrom]);
    const byId = new Map(lists.flatMap((l) => (Array.isArray(l) ? l : [])).map((f) => [f.id, f]));
    return listConnection(
      [...byId.values()].map((f) => toFact(f, pins)),
      paging.first,
      paging.after,
    );
  }

  @FieldResolver(() => [Event], { description: 'This source’s own events, as known at the pinned time.' })
  async history(@Root() source: Source, @Ctx() ctx: GraphQLContext): Promise<Event[]> {
    return (await ctx.loaders.streamEvents(source.pins.basis.position).load(streamName('source', source.id))).map(toEvent);
  }
}

@Resolver(() => Credibility)
export class CredibilityResolver {
  @FieldResolver(() => Publication, { nullable: true, description: 'The publication the rating is inherited from; null when overridden.' })
  async inheritedFrom(@Root() c: Credibility, @Ctx() ctx: GraphQLContext): Promise<Publication | null> {
    const v = c.publicationId ? await ctx.loaders.thing('publication', c.pins.basis.position).load(c.publicationId) : null;
    return v ? toPublication(v, c.pins) : null;
  }
}

@Resolver(() => CachedContent)
export class CachedContentResolver {
  @FieldResolver(() => String, {
    description:
      'The text, or when it is longer than `chars` characters its start, cut where a word ends and marked with "…" (at most `chars` characters in all).',
  })
  preview(@Root() c: CachedContent, @Arg('chars', () => Int, { defaultValue: 3000 }) chars: number): string {
    return previewText(c.text, chars);
  }
}
