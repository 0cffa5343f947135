import type { EntityEvent } from './entity';
import type { EntityTypeEvent } from './entity-type';
import type { FactEvent } from './fact';
import type { PageEvent } from './page';
import type { PropertyEvent } from './property';
import type { PublicationEvent } from './publication';
import type { RecordEvent } from './record';
import type { RecordSchemaEvent } from './record-schema';
import type { SourceEvent } from './source';
import type { VerificationEvent } from './verification';

/** Every event the domain produces: a discriminated union on `type`. */
export type DomainEvent =
  | PublicationEvent
  | SourceEvent
  | PageEvent
  | EntityEvent
  | PropertyEvent
  | FactEvent
  | RecordSchemaEvent
  | RecordEvent
  | EntityTypeEvent
  | VerificationEvent;
export type DomainEventType = DomainEvent['type'];

/** Which stream a kind of thing lives in; the prefix is also how an auditor filters the log. */
export const STREAM_PREFIX = {
  publication: 'publication-',
  source: 'source-',
  page: 'page-',
  entity: 'entity-',
  property: 'property-',
  fact: 'fact-',
  // One word, so that no record stream (`record-<entity id>:…`) shares a schema stream's prefix.
  recordSchema: 'recordschema-',
  record: 'record-',
  // One word, so that no entity stream (`entity-<id>`) shares an entity type stream's prefix.
  entityType: 'entitytype-',
  // The id is the target: `verification-fact:<fact id>` or `verification-record:<record id>@<field>`.
  verification: 'verification-',
} as const;
export type Kind = keyof typeof STREAM_PREFIX;

/** The kinds kept as whole states (state_versions); facts are versioned with their valid time (fact_versions). */
export type ThingKind = Exclude<Kind, 'fact'>;

export const streamName = (kind: Kind, id: string): string => `${STREAM_PREFIX[kind]}${id}`;

const KIND_OF_EVENT: Record<DomainEventType, Kind> = {
  PublicationRegistered: 'publication',
  PublicationUpdated: 'publication',
  SourceRegistered: 'source',
  SourceUpdated: 'source',
  SourceContentCaptured: 'source',
  SourceMergedInto: 'source',
  SourceMergedFrom: 'source',
  PageCreated: 'page',
  PageUpdated: 'page',
  SourceCited: 'page',
  SourceUncited: 'page',
  EntityRegistered: 'entity',
  EntityUpdated: 'entity',
  EntityRenamed: 'entity',
  EntityRelated: 'entity',
  EntityUnrelated: 'entity',
  PropertyDefined: 'property',
  PropertyUpdated: 'property',
  FactAsserted: 'fact',
  FactCorrected: 'fact',
  FactRetracted: 'fact',
  FactDeprecated: 'fact',
  FactCitationAdded: 'fact',
  FactCitationRemoved: 'fact',
  RecordSchemaRegistered: 'recordSchema',
  RecordSchemaUpdated: 'recordSchema',
  RecordCreated: 'record',
  RecordUpdated: 'record',
  RecordRemoved: 'record',
  EntityTypeRegistered: 'entityType',
  EntityTypeUpdated: 'entityType',
  EvidenceRecorded: 'verification',
  EvidenceWithdrawn: 'verification',
};

export const DOMAIN_EVENT_TYPES = Object.keys(KIND_OF_EVENT) as DomainEventType[];

export const kindOfEvent = (type: DomainEventType): Kind => KIND_OF_EVENT[type];

/**
 * The id that names an event's stream: a page's slug, every other kind's id. Only page events use
 * the slug: EntityRegistered also carries a `slug` field, but entity streams are keyed by id.
 */
const streamIdOf = (kind: Kind, data: { id?: unknown; slug?: unknown }): unknown => (kind === 'page' ? data.slug : data.id);

/** The id of the thing an event is about: a page's slug, every other kind's `id`. */
export const idOf = (event: DomainEvent): string => streamIdOf(KIND_OF_EVENT[event.type], event.data) as string;

/** The stream an event belongs to: its kind's prefix and the id (a page's slug) in its data. */
export const streamOf = (event: DomainEvent): string => streamName(KIND_OF_EVENT[event.type], idOf(event));

/**
 * The schema version each event type is written with today. When a type's data shape changes, bump
 * its version here and teach `upcast` to turn the old shape into the new one, so old events keep
 * replaying through the same `evolve` and projections.
 */
export const CURRENT_SCHEMA_VERSION: Record<DomainEventType, number> = Object.fromEntries(DOMAIN_EVENT_TYPES.map((t) => [t, 1])) as Record<
  DomainEventType,
  number
>;

export class UnknownEventError extends Error {}

/** Reads a stored event into the current union; fails loudly on a type or version it does not know. */
export function upcast(type: string, schemaVersion: number, data: Record<string, unknown>): DomainEvent {
  if (!Object.hasOwn(KIND_OF_EVENT, type)) throw new UnknownEventError(`unknown event type "${type}"`);
  const current = CURRENT_SCHEMA_VERSION[type as DomainEventType];
  if (schemaVersion !== current) {
    throw new UnknownEventError(`event type "${type}" has no upcaster from schema version ${schemaVersion} to ${current}`);
  }
  const id = streamIdOf(KIND_OF_EVENT[type as DomainEventType], data);
  if (typeof id !== 'string' || id === '') throw new UnknownEventError(`event "${type}" has no id in its data`);
  return { type, data } as DomainEvent;
}
