import { entityDecider } from './entity';
import { entityTypeDecider } from './entity-type';
import { kindOfEvent, type DomainEvent, type Kind } from './events';
import { factDecider } from './fact';
import { pageDecider } from './page';
import { propertyDecider } from './property';
import { publicationDecider } from './publication';
import { recordDecider } from './record';
import { recordSchemaDecider } from './record-schema';
import { sourceDecider } from './source';
import { verificationDecider } from './verification';

/** Every kind's decider: a new kind is one entry here (and its stream prefix and events in events.ts). */
const DECIDER_OF_KIND = {
  publication: publicationDecider,
  source: sourceDecider,
  page: pageDecider,
  entity: entityDecider,
  property: propertyDecider,
  fact: factDecider,
  recordSchema: recordSchemaDecider,
  record: recordDecider,
  entityType: entityTypeDecider,
  verification: verificationDecider,
} as const satisfies Record<Kind, unknown>;
type DeciderOfKind = typeof DECIDER_OF_KIND;

/** Each kind's state, as its decider folds it (`null` before its first event). */
export type StateOfKind = { [K in Kind]: DeciderOfKind[K]['initialState'] };
export type AnyState = StateOfKind[Kind];

/** Each kind's events (the events `KIND_OF_EVENT` in events.ts maps to that kind). */
export type EventOfKind = { [K in Kind]: Parameters<DeciderOfKind[K]['evolve']>[1] };

/**
 * One evolve for any event: its kind's own. The state is the one folded from the event's stream, so it
 * is of that kind: the caller's promise, which the types cannot follow through `kindOfEvent`.
 */
export function evolveAny(state: AnyState, event: DomainEvent): AnyState {
  const { evolve } = DECIDER_OF_KIND[kindOfEvent(event.type)];
  return (evolve as (state: AnyState, event: DomainEvent) => AnyState)(state, event);
}

/** A stream's state from its events, oldest first. */
export const foldEvents = (events: readonly DomainEvent[]): AnyState => events.reduce<AnyState>(evolveAny, null);
