import { Args, ArgsType, Ctx, Field, Int, ObjectType, Query, Resolver } from 'type-graphql';
import { eventsPage } from '../../projections/queries/events';
import { Connection, offsetConnection, pageSize, readOffset, type ConnectionShape } from '../connection';
import type { GraphQLContext } from '../context';
import { userError } from '../errors';
import { parsePosition } from '../pins';
import { DateTimeScalar } from '../scalars';
import { Event, EventConnection, toEvent } from '../types/event';
import { Fact, toFact } from '../types/fact';

@ArgsType()
class EventsArgs {
  @Field(() => String, { nullable: true, description: 'One stream, e.g. "fact-f_BnkEWenniQ".' }) stream?: string | null;
  @Field(() => [String], { nullable: true, description: 'Only these event types.' }) types?: string[] | null;
  @Field(() => String, { nullable: true, description: 'Events after this position (exclusive).' }) afterPosition?: string | null;
  @Field(() => String, { nullable: true, description: 'Events up to this position (inclusive).' }) toPosition?: string | null;
  @Field(() => Int, { nullable: true }) first?: number | null;
  @Field(() => String, { nullable: true }) after?: string | null;
}

@ObjectType({ description: 'A change to a fact: asserted, corrected, retracted, deprecated or re-cited, with who and why.' })
export class Change {
  @Field({ description: 'ASSERTED, CORRECTED, RETRACTED, DEPRECATED, CITATION_ADDED or CITATION_REMOVED' }) kind!: string;
  @Field(() => Event) event!: Event;
  @Field(() => Fact, { nullable: true, description: 'The fact as it stood right after this change.' }) fact!: Fact | null;
  @Field(() => String, { nullable: true }) actor!: string | null;
  @Field(() => String, { nullable: true }) reason!: string | null;
  @Field(() => DateTimeScalar) recordedAt!: Date;
  @Field() position!: string;
}

@ObjectType()
export class ChangeConnection extends Connection(Change) {}

const CHANGE_KINDS: Record<string, string> = {
  FactAsserted: 'ASSERTED',
  FactCorrected: 'CORRECTED',
  FactRetracted: 'RETRACTED',
  FactDeprecated: 'DEPRECATED',
  FactCitationAdded: 'CITATION_ADDED',
  FactCitationRemoved: 'CITATION_REMOVED',
};

@ArgsType()
class ChangesArgs {
  @Field(() => DateTimeScalar, { description: 'Exclusive lower bound of transaction time.' }) fromKnownAt!: Date;
  @Field(() => DateTimeScalar, { nullable: true, description: 'Inclusive upper bound; default: now.' }) toKnownAt?: Date | null;
  @Field(() => Int, { nullable: true }) first?: number | null;
  @Field(() => String, { nullable: true }) after?: string | null;
}

@Resolver()
export class EventsResolver {
  @Query(() => EventConnection, { description: 'The log itself, in position order.' })
  async events(@Args() args: EventsArgs, @Ctx() ctx: GraphQLContext): Promise<ConnectionShape<Event>> {
    const pins = await ctx.pins({});
    const first = pageSize(args.first);
    const offset = readOffset(args.after);
    const page = await eventsPage(
      ctx.db,
      {
        upTo: pins.basis.position,
        stream: args.stream ?? undefined,
        types: args.types ?? undefined,
        afterPosition: args.afterPosition != null ? parsePosition(args.afterPosition, 'afterPosition') : undefined,
        toPosition: args.toPosition != null ? parsePosition(args.toPosition, 'toPosition') : undefined,
      },
      { first, offset },
    );
    return offsetConnection(page.events.map(toEvent), offset, page.hasNextPage, page.totalCount);
  }

  @Query(() => ChangeConnection, { description: 'What was asserted, corrected or retracted in (fromKnownAt, toKnownAt].' })
  async changes(@Args() args: ChangesArgs, @Ctx() ctx: GraphQLContext): Promise<ConnectionShape<Change>> {
    const to = args.toKnownAt ?? ctx.now;
    if (to < args.fromKnownAt) throw userError('BAD_USER_INPUT', 'toKnownAt is before fromKnownAt', { field: 'toKnownAt' });
    const pins = await ctx.pins({ knownAt: to });
    const first = pageSize(args.first);
    const offset = readOffset(args.after);
    const page = await eventsPage(
      ctx.db,
      { upTo: pins.basis.position, types: Object.keys(CHANGE_KINDS), recordedAfter: args.fromKnownAt },
      { first, offset },
    );
    const events = page.events;
    const versions = await Promise.all(events.map((e) => ctx.loaders.fact(e.position).load(String(e.data.id))));
    const changes = events.map((e, i) => ({
      kind: CHANGE_KINDS[e.type],
      event: toEvent(e),
      fact: versions[i] ? toFact(versions[i]!, { ...pins, basis: { position: e.position, recordedAt: e.recordedAt } }) : null,
      actor: e.metadata.actor ?? null,
      reason: e.metadata.reason ?? null,
      recordedAt: e.recordedAt,
      position: String(e.position),
    }));
    return offsetConnection(changes, offset, page.hasNextPage, page.totalCount);
  }
}
