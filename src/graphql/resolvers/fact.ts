import { Args, ArgsType, Ctx, Field, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import { displayFactValue, refsOf } from '../../domain/fact-value';
import { streamName } from '../../domain/events';
import { factsAt } from '../../projections/queries/facts';
import { FactListTimeArgs, PagingArgs, TimeArgs } from '../args';
import { requireEntityId, requireProperty, requireSourceId } from '../known-names';
import { offsetConnection, pageSize, readOffset, type ConnectionShape } from '../connection';
import type { GraphQLContext } from '../context';
import { Event, toEvent } from '../types/event';
import { Citation, Fact, FactConnection, FactValueUnion, RefValue, RefsValue, toFact, toFactValue } from '../types/fact';
import { Entity, toEntity } from '../types/entity';
import { Property, toProperty } from '../types/property';
import { Source, toSource } from '../types/source';

@ArgsType()
class FactArgs extends TimeArgs {
  @Field(() => ID) id!: string;
}

@ArgsType()
class FactsArgs extends FactListTimeArgs {
  @Field(() => ID, { nullable: true, description: 'Stable id, slug, alias or numeric id.' }) entity?: string | null;
  @Field(() => ID, { nullable: true }) property?: string | null;
  @Field(() => ID, { nullable: true, description: 'Facts citing this source (hex id, stable id or URL).' }) source?: string | null;
  @Field(() => Boolean, { nullable: true, description: 'Include deprecated facts (default false).' }) includeDeprecated?: boolean | null;
}

@Resolver(() => Fact)
export class FactResolver {
  @Query(() => Fact, { nullable: true, description: 'A fact by id, as known at the pinned time (retracted ones too).' })
  async fact(@Args() args: FactArgs, @Ctx() ctx: GraphQLContext): Promise<Fact | null> {
    const pins = await ctx.pins(args);
    const f = await ctx.loaders.fact(pins.basis.position).load(args.id);
    return f ? toFact(f, pins) : null;
  }

  @Query(() => FactConnection, {
    description:
      'With asOf: the facts valid then; without: all facts (not retracted), whatever their valid time. An unknown entity, property or source is NOT_FOUND.',
  })
  async facts(@Args() args: FactsArgs, @Args() paging: PagingArgs, @Ctx() ctx: GraphQLContext): Promise<ConnectionShape<Fact>> {
    const pins = await ctx.pins(args);
    if (args.property != null) await requireProperty(ctx, args.property, pins);
    const entityIds = args.entity != null ? [await requireEntityId(ctx, args.entity)] : undefined;
    let sourceIds: string[] | undefined;
    if (args.source != null) {
      const id = await requireSourceId(ctx, args.source);
      const v = await ctx.loaders.thing('source', pins.basis.position).load(id);
      sourceIds = [id, ...(v?.state.mergedFrom ?? [])];
    }
    const offset = readOffset(paging.after);
    const page = await factsAt(
      ctx.db,
      { entityIds, propertyId: args.property ?? undefined, sourceIds },
      { position: pins.basis.position, validAt: args.asOf ? pins.validAt : undefined, includeDeprecated: args.includeDeprecated ?? false },
      { first: pageSize(paging.first), offset },
    );
    return offsetConnection(
      page.items.map((f) => toFact(f, pins)),
      offset,
      page.hasNextPage,
      page.totalCount,
    );
  }

  @FieldResolver(() => Entity)
  async entity(@Root() fact: Fact, @Ctx() ctx: GraphQLContext): Promise<Entity | null> {
    const v = await ctx.loaders.thing('entity', fact.pins.basis.position).load(fact.entityId);
    return v ? toEntity(v, fact.pins) : null;
  }

  @FieldResolver(() => Property)
  async property(@Root() fact: Fact, @Ctx() ctx: GraphQLContext): Promise<Property | null> {
    const v = await ctx.loaders.thing('property', fact.pins.basis.position).load(fact.propertyId);
    return v ? toProperty(v, fact.pins) : null;
  }

  @FieldResolver(() => FactValueUnion, { name: 'value' })
  async factValue(@Root() fact: Fact, @Ctx() ctx: GraphQLContext): Promise<object> {
    const refs = refsOf(fact.value);
    const known = await ctx.loaders.thing('entity', fact.pins.basis.position).loadMany(refs);
    return toFactValue(fact.value, new Set(refs.filter((_, i) => known[i] && !(known[i] instanceof Error))), fact.pins);
  }

  @FieldResolver(() => String, { description: 'The value as a page shows it: "$14.0B", "May 2025", "870–2847".' })
  async displayValue(@Root() fact: Fact, @Ctx() ctx: GraphQLContext): Promise<string> {
    const position = fact.pins.basis.position;
    const refs = refsOf(fact.value);
    const [property, ...entities] = await Promise.all([
      ctx.loaders.thing('property', position).load(fact.propertyId),
      ...refs.map((id) => ctx.loaders.thing('entity', position).load(id)),
    ]);
    const names = new Map(refs.map((id, i) => [id, (entities[i] as { state: { fields: { name: string } } } | null)?.state.fields.name]));
    const p = property as { state: { fields: { display?: { divisor?: number; prefix?: string; suffix?: string }; unit?: string } } } | null;
    return displayFactValue(fact.value, { display: p?.state.fields.display, unit: p?.state.fields.unit, nameOf: (id) => names.get(id) });
  }

  @FieldResolver(() => [Source], { description: 'The cited sources.' })
  async sources(@Root() fact: Fact, @Ctx() ctx: GraphQLContext): Promise<Source[]> {
    return citedSources(fact, ctx);
  }

  @FieldResolver(() => [Event], { description: 'Every version of this fact: who changed it, when and why.' })
  async history(@Root() fact: Fact, @Ctx() ctx: GraphQLContext): Promise<Event[]> {
    return (await ctx.loaders.streamEvents(fact.pins.basis.position).load(streamName('fact', fact.id))).map(toEvent);
  }
}

/** The sources a fact cites, at its pins (one loader for every fact of a request). */
export async function citedSources(fact: Fact, ctx: GraphQLContext): Promise<Source[]> {
  const found = await ctx.loaders.thing('source', fact.pins.basis.position).loadMany(fact.citations.map((c) => c.sourceId));
  return found.filter((v) => v && !(v instanceof Error)).map((v) => toSource(v as never, fact.pins));
}

@Resolver(() => Citation)
export class CitationResolver {
  @FieldResolver(() => Source)
  async source(@Root() c: Citation, @Ctx() ctx: GraphQLContext): Promise<Source | null> {
    const v = await ctx.loaders.thing('source', c.pins.basis.position).load(c.sourceId);
    return v ? toSource(v, c.pins) : null;
  }
}

@Resolver(() => RefValue)
export class RefValueResolver {
  @FieldResolver(() => Entity, { nullable: true })
  async entity(@Root() r: RefValue, @Ctx() ctx: GraphQLContext): Promise<Entity | null> {
    const v = await ctx.loaders.thing('entity', r.pins.basis.position).load(r.entityId);
    return v ? toEntity(v, r.pins) : null;
  }
}

@Resolver(() => RefsValue)
export class RefsValueResolver {
  @FieldResolver(() => [Entity], { description: 'The referenced entities that exist.' })
  async entities(@Root() r: RefsValue, @Ctx() ctx: GraphQLContext): Promise<Entity[]> {
    const found = await ctx.loaders.thing('entity', r.pins.basis.position).loadMany(r.entityIds);
    return found.filter((v) => v && !(v instanceof Error)).map((v) => toEntity(v as never, r.pins));
  }
}
