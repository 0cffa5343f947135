import { Field, Int, ObjectType } from 'type-graphql';
import type { StoredEvent } from '../../store/event-store';
import { Connection } from '../connection';
import { DateTimeScalar, JSONScalar } from '../scalars';

@ObjectType({ description: 'One immutable event of the log: what changed, who changed it, why, and when it was recorded.' })
export class Event {
  @Field({ description: 'Global log position (a string: positions may outgrow 2^53 one day).' })
  position!: string;

  @Field()
  stream!: string;

  @Field(() => Int)
  version!: number;

  @Field()
  type!: string;

  @Field(() => Int)
  schemaVersion!: number;

  @Field(() => JSONScalar)
  data!: unknown;

  @Field(() => String, { nullable: true })
  actor!: string | null;

  @Field(() => String, { nullable: true })
  reason!: string | null;

  @Field(() => String, { nullable: true })
  correlationId!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'The version of imported files the event came from (e.g. the wiki commit a history replay synced).',
  })
  commit!: string | null;

  @Field(() => String, { nullable: true, description: 'That version’s own time, as the files’ history gives it (with its offset).' })
  committedAt!: string | null;

  @Field(() => DateTimeScalar)
  recordedAt!: Date;

  @Field({ description: 'SHA-256 over this event and the previous event’s hash (the tamper-evident chain).' })
  hash!: string;

  @Field()
  prevHash!: string;
}

export function toEvent(e: StoredEvent): Event {
  return {
    position: String(e.position),
    stream: e.stream,
    version: e.streamVersion,
    type: e.type,
    schemaVersion: e.schemaVersion,
    data: e.data,
    actor: e.metadata.actor ?? null,
    reason: e.metadata.reason ?? null,
    correlationId: e.metadata.correlationId ?? null,
    commit: e.metadata.commit ?? null,
    committedAt: e.metadata.committedAt ?? null,
    recordedAt: e.recordedAt,
    hash: e.hash,
    prevHash: e.prevHash,
  };
}

@ObjectType()
export class EventConnection extends Connection(Event) {}
