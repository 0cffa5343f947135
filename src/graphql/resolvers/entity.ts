import { Arg, Args, ArgsType, Ctx, Field, FieldResolver, ID, InputType, Query, Resolver, Root } from 'type-graphql';
import { streamName } from '../../domain/events';
import { isStableId } from '../../domain/ids';
import { resolveEntityId } from '../../projections/lookup';
import { listThingsAt } from '../../projections/queries/things';
import { timelineAt, valueAt } from '../../projections/queries/facts';
import { BitemporalArgs, FactListTimeArgs, PagingArgs, TimeArgs } from '../args';
import { requireProperty } from '../known-names';
import { keyConnection, listConnection, pageSize, readCursor, type ConnectionShape } from '../connection';
import type { GraphQLContext } from '../context';
import { Event, toEvent } from '../types/event';
import { Fact, FactConnection, ValueWithConflicts, toFact } from '../types/fact';
import { Entity, EntityConnection, Relation, RelationConnection, RelationDirection, toEntity } from '../types/entity';
import { Page, toPage } from '../types/page';
import { Verdict } from '../types/verification';
import { factVerification } from '../verification';

@InputType()
export class EntityFilter {
  @Field(() => String, { nullable: true, description: 'organization, person, risk, …' }) type?: string | null;
}

@ArgsType()
class EntityArgs extends BitemporalArgs {
  @Field(() => ID, { description: 'Stable id, slug, old slug, alias or numeric id ("E22").' }) id!: string;
}

@ArgsType()
export class PropertyArg {
  @Field(() => ID) property!: string;
}

@ArgsType()
class RelationArgs extends PagingArgs {
  @Field(() => RelationDirection, { defaultValue: RelationDirection.BOTH }) direction!: RelationDirection;
  @Field(() => String, { nullable: true, description: 'Only relations of this kind ("created-by").' }) relationship?: string | null;
}

@ArgsType()
class VerificationFilterArgs {
  @Field(() => Verdict, { nullable: true, description: 'Only facts with this verdict at the pins (docs/domain.md, “Verification”).' })
  verdict?: Verdict | null;
  @Field(() => Boolean, { nullable: true, description: 'Only facts that need (true) or do not need (false) a recheck.' })
  needsRecheck?: boolean | null;
}

@ArgsType()
class OptionalPropertyArg {
  @Field(() => ID, { nullable: true }) property?: string | null;
}

@Resolver(() => Entity)
export class EntityResolver {
  @Query(() => Entity, { nullable: true })
  async entity(@Args() args: EntityArgs, @Ctx() ctx: GraphQLContext): Promise<Entity | null> {
    const pins = await ctx.pins(args);
    const loader = ctx.loaders.thing('entity', pins.basis.position);
    // Most callers pass the stable id: try it as one first (one statement instead of two). An entity
    // known at P exists now too, so this is the answer resolveEntityId would have led to.
    const direct = isStableId(args.id) ? await loader.load(args.id) : null;
    if (direct) return toEntity(direct, pins);
    const id = await resolveEntityId(ctx.db, args.id);
    const v = id ? await loader.load(id) : null;
    return v ? toEntity(v, pins) : null;
  }

  @Query(() => EntityConnection)
  async entities(
    @Arg('filter', () => EntityFilter, { nullable: true }) filter: EntityFilter | null,
    @Args() paging: PagingArgs,
    @Args() time: TimeArgs,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ConnectionShape<Entity>> {
    const pins = await ctx.pins(time);
    const page = await listThingsAt(ctx.db, 'entity', pins.basis.position, {
      first: pageSize(paging.first),
      after: readCursor(paging.after, 'k'),
      where: filter?.type ? { fields: { type: filter.type } } : undefined,
    });
    return keyConnection(
      page.items.map((v) => toEntity(v, pins)),
      (e) => e.id,
      page.hasNextPage,
      page.totalCount,
    );
  }

  @FieldResolver(() => Page, { nullable: true, description: 'The wiki page about this entity.' })
  async page(@Root() entity: Entity, @Ctx() ctx: GraphQLContext): Promise<Page | null> {
    const position = entity.pins.basis.position;
    const slug = await ctx.loaders.pageOfEntity(position).load(entity.id);
    const v = slug ? await ctx.loaders.thing('page', position).load(slug) : null;
    return v ? toPage(v, entity.pins) : null;
  }

  @FieldResolver(() => FactConnection, { description: 'Facts about this entity; with asOf, only the values that hold then.' })
  async facts(
    @Root() entity: Entity,
    @Args() p: OptionalPropertyArg,
    @Args() time: FactListTimeArgs,
    @Args() paging: PagingArgs,
    @Args() verification: VerificationFilterArgs,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ConnectionShape<Fact>> {
    return factPage(entity, p, time, paging, ctx, 'factsOfEntity', verification);
  }

  @FieldResolver(() => FactConnection, {
    description:
      'Facts of other entities whose value names this one (ref or refs): the inverse side, e.g. employed-by facts answer who works here. With asOf, only the values that hold then.',
  })
  async incomingFacts(
    @Root() entity: Entity,
    @Args() p: OptionalPropertyArg,
    @Args() time: FactListTimeArgs,
    @Args() paging: PagingArgs,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ConnectionShape<Fact>> {
    return factPage(entity, p, time, paging, ctx, 'factsReferencing');
  }

  @FieldResolver(() => Fact, {
    nullable: true,
    description: 'The value of a property as of a time (docs/domain.md, “The value as of a time”); null when none holds.',
  })
  async value(
    @Root() entity: Entity,
    @Args() p: PropertyArg,
    @Args() time: BitemporalArgs,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Fact | null> {
    return (await this.valueWithConflicts(entity, p, time, ctx)).fact;
  }

  @FieldResolver(() => ValueWithConflicts, { description: 'The value as of a time and the facts that disagree with it then.' })
  async valueWithConflicts(
    @Root() entity: Entity,
    @Args() p: PropertyArg,
    @Args() time: BitemporalArgs,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ValueWithConflicts> {
    const pins = await ctx.pins(time, entity.pins);
    await requireProperty(ctx, p.property, pins);
    const v = await valueAt(ctx.db, entity.id, p.property, pins.validAt, pins.basis.position);
    return { fact: v.fact && toFact(v.fact, pins), conflicts: v.conflicts.map((f) => toFact(f, pins)) };
  }

  @FieldResolver(() => [Fact], { description: 'Every fact of a property, in valid-time order.' })
  async timeline(@Root() entity: Entity, @Args() p: PropertyArg, @Args() time: TimeArgs, @Ctx() ctx: GraphQLContext): Promise<Fact[]> {
    const pins = await ctx.pins(time, entity.pins);
    await requireProperty(ctx, p.property, pins);
    return (await timelineAt(ctx.db, entity.id, p.property, pins.basis.position)).map((f) => toFact(f, pins));
  }

  @FieldResolver(() => RelationConnection, {
    description:
      'Typed links to and from other entities, at this entity’s pins: outgoing ones in the order the entity lists them, then incoming ones.',
  })
  async relations(@Root() entity: Entity, @Args() args: RelationArgs, @Ctx() ctx: GraphQLContext): Promise<ConnectionShape<Relation>> {
    const position = entity.pins.basis.position;
    const all = await ctx.loaders.relations(position).load(entity.id);
    const wanted = all.filter(
      (r) =>
        (args.direction === RelationDirection.BOTH ||
          r.direction === (args.direction === RelationDirection.OUTGOING ? 'outgoing' : 'incoming')) &&
        (args.relationship == null || r.relationship === args.relationship),
    );
    // Outgoing first (the entity's own list), then incoming; each in the order related.
    wanted.sort((a, b) => (a.direction === b.direction ? 0 : a.direction === 'outgoing' ? -1 : 1));
    const page = listConnection(wanted, args.first, args.after);
    const things = ctx.loaders.thing('entity', position);
    const nodes = await Promise.all(
      page.nodes.map(async (r): Promise<Relation> => {
        const other = 'entityId' in r.other ? await things.load(r.other.entityId) : null;
        return {
          direction: r.direction === 'outgoing' ? RelationDirection.OUTGOING : RelationDirection.INCOMING,
          relationship: r.relationship ?? null,
          targetType: r.type ?? null,
          entity: other && toEntity(other, entity.pins),
          unresolvedSlug: 'unresolvedSlug' in r.other ? r.other.unresolvedSlug : null,
          since: String(r.since),
        };
      }),
    );
    return { ...page, nodes, edges: page.edges.map((e, i) => ({ cursor: e.cursor, node: nodes[i] })) };
  }

  @FieldResolver(() => [Event])
  async history(@Root() entity: Entity, @Ctx() ctx: GraphQLContext): Promise<Event[]> {
    return (await ctx.loaders.streamEvents(entity.pins.basis.position).load(streamName('entity', entity.id))).map(toEvent);
  }
}

/**
 * The facts whose verification passes the filter: the entity's facts are already one bounded batch,
 * and their verifications two batched statements (src/graphql/verification.ts).
 */
async function byVerification(ctx: GraphQLContext, facts: Fact[], filter: VerificationFilterArgs): Promise<Fact[]> {
  if (filter.verdict == null && filter.needsRecheck == null) return facts;
  const verifications = await Promise.all(facts.map((f) => factVerification(ctx, f)));
  return facts.filter((_, i) => {
    const v = verifications[i]!;
    return (
      (filter.verdict == null || v.verdict === filter.verdict) && (filter.needsRecheck == null || v.needsRecheck === filter.needsRecheck)
    );
  });
}

/** An entity's facts, or the facts naming it, as a connection at the request's pins (one loader each). */
async function factPage(
  entity: Entity,
  p: OptionalPropertyArg,
  time: FactListTimeArgs,
  paging: PagingArgs,
  ctx: GraphQLContext,
  loader: 'factsOfEntity' | 'factsReferencing',
  filter: VerificationFilterArgs = {},
): Promise<ConnectionShape<Fact>> {
  const pins = await ctx.pins(time, entity.pins);
  if (p.property != null) await requireProperty(ctx, p.property, pins);
  const facts = (await ctx.loaders[loader](pins, time.asOf != null, p.property ?? undefined).load(entity.id)).map((f) => toFact(f, pins));
  return listConnection(await byVerification(ctx, facts, filter), paging.first, paging.after);
}
