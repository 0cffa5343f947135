import { Arg, Ctx, Field, ID, ObjectType, Resolver, Root, Subscription } from 'type-graphql';
import { STREAM_PREFIX, streamName } from '../../domain/events';
import { resolveEntityId, resolveSourceId } from '../../projections/lookup';
import { factSubjects, type FactSubject } from '../../projections/queries/facts';
import type { FactlogDb } from '../../projections/tables';
import type { StoredEvent } from '../../store/event-store';
import type { GraphQLContext } from '../context';
import type { EventFilter } from '../host';
import { Loaders } from '../loaders';
import { userError } from '../errors';
import { parsePosition, type Pins } from '../pins';
import { Event, toEvent } from '../types/event';
import { Fact, toFact } from '../types/fact';
import { Source, toSource } from '../types/source';
import { Verification } from '../types/verification';
import { parseTarget, targetKey } from '../../domain/verification';
import { verificationAt } from '../verification';

// Live updates over graphql-ws (src/replication/websocket.ts). Each subscription follows the shared
// log from a position, so it works on every gateway process and a client that reconnects with the
// last position it received misses nothing (src/replication/live-log.ts).

@ObjectType({ description: 'One change to a fact, as appended to the log.' })
export class FactChange {
  @Field({ description: 'Log position of the change: resubscribe with afterPosition set to the last one received to miss nothing.' })
  position!: string;

  @Field(() => Event)
  event!: Event;

  @Field(() => Fact, { nullable: true, description: 'The fact as known right after this change (read at its position).' })
  fact!: Fact | null;
}

@ObjectType({ description: 'One change to a source, as appended to the log.' })
export class SourceChange {
  @Field({ description: 'Log position of the change: resubscribe with afterPosition set to the last one received to miss nothing.' })
  position!: string;

  @Field(() => Event)
  event!: Event;

  @Field(() => Source, { nullable: true, description: 'The source as known right after this change (read at its position).' })
  source!: Source | null;
}

@ObjectType({ description: 'One change to the evidence of a fact or record field, as appended to the log.' })
export class VerificationChange {
  @Field({ description: 'Log position of the change: resubscribe with afterPosition set to the last one received to miss nothing.' })
  position!: string;

  @Field(() => Event)
  event!: Event;

  @Field(() => Verification, { description: 'The target’s verification right after this change (read at its position).' })
  verification!: Verification;
}

const AFTER_POSITION =
  'Deliver the changes after this log position (a reconnecting client passes the last position it received); default: only changes from now on.';

interface FactChangedArgs {
  entity: string;
  property?: string | null;
  afterPosition?: string | null;
}

interface SourceChangedArgs {
  id: string;
  afterPosition?: string | null;
}

function parseAfter(raw: string | null | undefined): number | undefined {
  return raw == null ? undefined : parsePosition(raw, 'afterPosition');
}

function liveLog(ctx: GraphQLContext) {
  const live = ctx.replication?.live;
  if (!live) throw userError('BAD_USER_INPUT', 'subscriptions are served over WebSocket (graphql-ws) at /graphql');
  return live;
}

/**
 * Facts whose subject a follower remembers. A subscription replaying the log meets every fact in it;
 * remembering them all would hold the whole log's fact ids per subscription. A forgotten one costs a
 * lookup (batched per page) if it changes again.
 */
const SUBJECTS_REMEMBERED = 5000;

/** Keeps the events of facts about one entity (and property): a fact's entity and property never change. */
function factFilter(db: FactlogDb, entityId: string, propertyId: string | undefined): EventFilter {
  const subjects = new Map<string, FactSubject>();
  const remember = (factId: string, subject: FactSubject) => {
    subjects.delete(factId);
    subjects.set(factId, subject);
    if (subjects.size > SUBJECTS_REMEMBERED) subjects.delete(subjects.keys().next().value!);
  };
  return async (events) => {
    const facts = events.filter((e) => e.stream.startsWith(STREAM_PREFIX.fact));
    const known = new Map<string, FactSubject>();
    for (const e of facts) {
      const data = e.data as { id?: string; entityId?: string; propertyId?: string };
      if (e.type === 'FactAsserted' && data.id && data.entityId && data.propertyId) {
        known.set(data.id, { entityId: data.entityId, propertyId: data.propertyId });
      } else if (!known.has(factIdOf(e)) && subjects.has(factIdOf(e))) {
        known.set(factIdOf(e), subjects.get(factIdOf(e))!);
      }
    }
    const unknown = [...new Set(facts.map(factIdOf).filter((id) => !known.has(id)))];
    for (const [id, subject] of await factSubjects(db, unknown)) known.set(id, subject);
    for (const [id, subject] of known) remember(id, subject);
    return facts.filter((e) => {
      const s = known.get(factIdOf(e));
      return s !== undefined && s.entityId === entityId && (propertyId === undefined || s.propertyId === propertyId);
    });
  };
}

const factIdOf = (e: StoredEvent): string => e.stream.slice(STREAM_PREFIX.fact.length);

/** Pins for a change: read at its own position, valid now. */
function pinsAt(e: StoredEvent): Pins {
  return { basis: { position: e.position, recordedAt: e.recordedAt }, asOf: null, validAt: new Date() };
}

@Resolver()
export class SubscriptionResolver {
  @Subscription(() => FactChange, {
    description: 'Every change to the facts of an entity (optionally of one property), live, from any gateway.',
    subscribe: async ({ args, context }) => {
      const { entity, property, afterPosition } = args as FactChangedArgs;
      const ctx = context as GraphQLContext;
      const after = parseAfter(afterPosition);
      const entityId = (await resolveEntityId(ctx.db, entity)) ?? entity;
      return liveLog(ctx).follow(after, factFilter(ctx.db, entityId, property ?? undefined));
    },
  })
  async factChanged(
    @Root() e: StoredEvent,
    @Arg('entity', () => ID, { description: 'Stable id, slug, alias or numeric id.' }) _entity: string,
    @Arg('property', () => ID, { nullable: true }) _property: string | null,
    @Arg('afterPosition', () => String, { nullable: true, description: AFTER_POSITION }) _afterPosition: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<FactChange> {
    // Fresh loaders per change: a long-lived subscription must not keep every position's cache.
    ctx.loaders = new Loaders(ctx.db);
    const v = await ctx.loaders.fact(e.position).load(factIdOf(e));
    return { position: String(e.position), event: toEvent(e), fact: v ? toFact(v, pinsAt(e)) : null };
  }

  @Subscription(() => SourceChange, {
    description: 'Every change to a source (updates, captured content, merges), live, from any gateway.',
    subscribe: async ({ args, context }) => {
      const { id, afterPosition } = args as SourceChangedArgs;
      const ctx = context as GraphQLContext;
      const after = parseAfter(afterPosition);
      // The source a key names now, and the key itself when it is an id (a merged-away source's own stream).
      const streams = new Set([streamName('source', (await resolveSourceId(ctx.db, id)) ?? id), streamName('source', id)]);
      return liveLog(ctx).follow(after, (events) => events.filter((e) => streams.has(e.stream)));
    },
  })
  async sourceChanged(
    @Root() e: StoredEvent,
    @Arg('id', () => ID, { description: 'Hex id, stable id or URL.' }) _id: string,
    @Arg('afterPosition', () => String, { nullable: true, description: AFTER_POSITION }) _afterPosition: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<SourceChange> {
    ctx.loaders = new Loaders(ctx.db);
    const v = await ctx.loaders.thing('source', e.position).load(e.stream.slice(STREAM_PREFIX.source.length));
    return { position: String(e.position), event: toEvent(e), source: v ? toSource(v, pinsAt(e)) : null };
  }

  @Subscription(() => VerificationChange, {
    description: 'Every change to the evidence of one fact or record field, live, from any gateway.',
    subscribe: async ({ args, context }) => {
      const { target, afterPosition } = args as { target: string; afterPosition?: string | null };
      const ctx = context as GraphQLContext;
      const parsed = parseTarget(target);
      if (!parsed.ok) throw userError('BAD_USER_INPUT', parsed.error.message);
      const stream = streamName('verification', targetKey(parsed.value));
      return liveLog(ctx).follow(parseAfter(afterPosition), (events) => events.filter((e) => e.stream === stream));
    },
  })
  async verificationChanged(
    @Root() e: StoredEvent,
    @Arg('target', () => ID, { description: '"fact:<fact id>" or "record:<record id>@<field>".' }) _target: string,
    @Arg('afterPosition', () => String, { nullable: true, description: AFTER_POSITION }) _afterPosition: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<VerificationChange> {
    ctx.loaders = new Loaders(ctx.db);
    const id = e.stream.slice(STREAM_PREFIX.verification.length);
    const fact = id.startsWith('fact:') ? await ctx.loaders.fact(e.position).load(id.slice('fact:'.length)) : null;
    const verification = await verificationAt(ctx, id, pinsAt(e), fact ? fact.citations.map((c) => c.sourceId) : null);
    return { position: String(e.position), event: toEvent(e), verification };
  }
}
