import { Args, ArgsType, Ctx, Field, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import { listThingsAt } from '../../projections/queries/things';
import { PagingArgs, TimeArgs } from '../args';
import { keyConnection, listConnection, pageSize, readCursor, type ConnectionShape } from '../connection';
import type { GraphQLContext } from '../context';
import { Publication, PublicationConnection, toPublication } from '../types/publication';
import { Source, SourceConnection, toSource } from '../types/source';

@ArgsType()
class PublicationArgs extends TimeArgs {
  @Field(() => ID) id!: string;
}

@Resolver(() => Publication)
export class PublicationResolver {
  @Query(() => Publication, { nullable: true })
  async publication(@Args() args: PublicationArgs, @Ctx() ctx: GraphQLContext): Promise<Publication | null> {
    const pins = await ctx.pins(args);
    const v = await ctx.loaders.thing('publication', pins.basis.position).load(args.id);
    return v ? toPublication(v, pins) : null;
  }

  @Query(() => PublicationConnection)
  async publications(
    @Args() paging: PagingArgs,
    @Args() time: TimeArgs,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ConnectionShape<Publication>> {
    const pins = await ctx.pins(time);
    const page = await listThingsAt(ctx.db, 'publication', pins.basis.position, {
      first: pageSize(paging.first),
      after: readCursor(paging.after, 'k'),
    });
    return keyConnection(
      page.items.map((v) => toPublication(v, pins)),
      (p) => p.id,
      page.hasNextPage,
      page.totalCount,
    );
  }

  @FieldResolver(() => SourceConnection, { description: 'Sources that appeared in this publication.' })
  async sources(
    @Root() publication: Publication,
    @Args() paging: PagingArgs,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ConnectionShape<Source>> {
    const all = await ctx.loaders.sourcesOfPublication(publication.pins.basis.position).load(publication.id);
    return listConnection(
      all.map((v) => toSource(v, publication.pins)),
      paging.first,
      paging.after,
    );
  }
}
