import { ArgsType, Args, Ctx, Field, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import { searchAt } from '../../projections/queries/search';
import { PagingArgs, TimeArgs } from '../args';
import { offsetConnection, pageSize, readOffset, type ConnectionShape } from '../connection';
import type { GraphQLContext } from '../context';
import { toEntity } from '../types/entity';
import { toFact } from '../types/fact';
import { toPage } from '../types/page';
import { toRecord } from '../types/record';
import { NODE_TYPENAME, SearchConnection, SearchKind, SearchNode, SearchResult } from '../types/search';
import { toSource } from '../types/source';

@ArgsType()
class SearchArgs extends TimeArgs {
  @Field({
    description: 'What a reader types: words (the last may be a prefix), a name, an alias, an id such as E22; typos are tolerated.',
  })
  query!: string;

  @Field(() => [SearchKind], { nullable: true, description: 'Only these kinds (default: all).' })
  kinds?: SearchKind[] | null;
}

@Resolver(() => SearchResult)
export class SearchResolver {
  @Query(() => SearchConnection, {
    description:
      'Finds entities, sources, pages, facts and records by what a reader types, as the store knew them at the pinned time; best first (docs/api.md, "Search").',
  })
  async search(
    @Args() args: SearchArgs,
    @Args() paging: PagingArgs,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ConnectionShape<SearchResult> & { totalCountExact: boolean }> {
    const first = pageSize(paging.first);
    const offset = readOffset(paging.after);
    const pins = await ctx.pins(args);
    const page = await searchAt(ctx.db, {
      query: args.query,
      kinds: args.kinds ?? undefined,
      position: pins.basis.position,
      first,
      offset,
    });
    const results = page.hits.map((h) => ({ ...h, kind: h.kind as SearchKind, pins }));
    const connection = offsetConnection(results, offset, page.hasNextPage, () => Promise.resolve(page.totalCount));
    return { ...connection, totalCountExact: page.totalCountExact };
  }

  @FieldResolver(() => SearchNode, {
    nullable: true,
    description: 'The thing itself, read through the same loaders as its own query (one statement per kind and page).',
  })
  async node(@Root() r: SearchResult, @Ctx() ctx: GraphQLContext): Promise<typeof SearchNode | null> {
    const position = r.pins.basis.position;
    const kind = r.kind as unknown as keyof typeof NODE_TYPENAME;
    const typed = <T extends object>(node: T): T => Object.assign(node, { __typename: NODE_TYPENAME[kind] });
    switch (kind) {
      case 'entity': {
        const v = await ctx.loaders.thing('entity', position).load(r.id);
        return v ? typed(toEntity(v, r.pins)) : null;
      }
      case 'source': {
        const v = await ctx.loaders.thing('source', position).load(r.id);
        return v ? typed(toSource(v, r.pins)) : null;
      }
      case 'page': {
        const v = await ctx.loaders.thing('page', position).load(r.id);
        return v ? typed(toPage(v, r.pins)) : null;
      }
      case 'fact': {
        const f = await ctx.loaders.fact(position).load(r.id);
        return f ? typed(toFact(f, r.pins)) : null;
      }
      case 'record': {
        const v = await ctx.loaders.thing('record', position).load(r.id);
        return v ? typed(toRecord(v, r.pins)) : null;
      }
    }
  }
}
