import { evolveEntity, type EntityEvent, type EntityState } from './entity';
import { kindOfEvent, type DomainEvent, type Kind } from './events';
import { evolveFact, type FactEvent, type FactState } from './fact';
import { evolvePage, type PageEvent, type PageState } from './page';
import { evolveProperty, type PropertyEvent, type PropertyState } from './property';
import { evolvePublication, type PublicationEvent, type PublicationState } from './publication';
import { evolveSource, type SourceEvent, type SourceState } from './source';

export interface StateOfKind {
  publication: PublicationState;
  source: SourceState | null;
  page: PageState | null;
  entity: EntityState;
  property: PropertyState;
  fact: FactState | null;
}
export type AnyState = StateOfKind[Kind];

/** Each kind's events (the events `KIND_OF_EVENT` in events.ts maps to that kind). */
export interface EventOfKind {
  publication: PublicationEvent;
  source: SourceEvent;
  page: PageEvent;
  entity: EntityEvent;
  property: PropertyEvent;
  fact: FactEvent;
}

/** One evolve for any event: dispatches on the event's kind to that kind's own evolve. */
export function evolveAny(state: AnyState, event: DomainEvent): AnyState {
  switch (kindOfEvent(event.type)) {
    case 'publication': return evolvePublication(state as PublicationState, event as PublicationEvent);
    case 'source': return evolveSource(state as SourceState | null, event as SourceEvent);
    case 'page': return evolvePage(state as PageState | null, event as PageEvent);
    case 'entity': return evolveEntity(state as EntityState, event as EntityEvent);
    case 'property': return evolveProperty(state as PropertyState, event as PropertyEvent);
    case 'fact': return evolveFact(state as FactState | null, event as FactEvent);
  }
}

/** A stream's state from its events, oldest first. */
export const foldEvents = (events: readonly DomainEvent[]): AnyState => events.reduce<AnyState>(evolveAny, null);
