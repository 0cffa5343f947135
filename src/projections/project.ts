import type { Transaction } from 'kysely';
import type { EntityState } from '../domain/entity';
import { idOf, kindOfEvent, upcast, type DomainEvent, type Kind } from '../domain/events';
import { evolveAny, type AnyState } from '../domain/evolve';
import type { PageEvent, PageState } from '../domain/page';
import type { PropertyState } from '../domain/property';
import type { PublicationState } from '../domain/publication';
import type { SourceEvent, SourceState } from '../domain/source';
import type { FactEvent } from '../domain/fact';
import type { StoredEvent } from '../store/event-store';
import type { StoreSchema } from '../store/schema';
import { projectFact } from './facts';
import { writeEntity, writePage, writeProperty, writePublication, writeSource } from './current';
import type { FactlogTrx } from './tables';

type ThingKind = Exclude<Kind, 'fact'>;

async function projectThing(trx: FactlogTrx, kind: ThingKind, event: DomainEvent, stored: StoredEvent): Promise<void> {
  // Close the current version and read it back in one statement (this runs for every event).
  const previous = await trx.updateTable('state_versions').set({ tx_to: stored.position })
    .where('stream', '=', stored.stream).where('tx_to', 'is', null).returning('state').executeTakeFirst();
  const next = evolveAny((previous?.state ?? null) as AnyState, event);
  if (!next) throw new Error(`event ${stored.position} (${stored.type}) has no ${kind} to apply to`);
  await trx.insertInto('state_versions').values({
    stream: stored.stream,
    version: stored.streamVersion,
    kind,
    id: idOf(event),
    state: JSON.stringify(next),
    tx_from: stored.position,
    recorded_from: stored.recordedAt.toISOString(),
  }).execute();

  const at = { version: stored.streamVersion, position: stored.position };
  switch (kind) {
    case 'publication': return writePublication(trx, next as NonNullable<PublicationState>, at);
    case 'source': return writeSource(trx, next as SourceState, at, event as SourceEvent);
    case 'page': return writePage(trx, next as PageState, at, event as PageEvent);
    case 'entity': return writeEntity(trx, next as NonNullable<EntityState>, at);
    case 'property': return writeProperty(trx, next as NonNullable<PropertyState>, at);
  }
}

/** Applies stored events to every read model, inside the caller's transaction. */
export async function projectEvents(trx: FactlogTrx, events: readonly StoredEvent[]): Promise<void> {
  for (const stored of events) {
    const event = upcast(stored.type, stored.schemaVersion, stored.data);
    const kind = kindOfEvent(event.type);
    if (kind === 'fact') await projectFact(trx, event as FactEvent, stored);
    else await projectThing(trx, kind, event, stored);
  }
}

/** The store's inline projector: read models commit or roll back with their events. */
export const inlineProjector = (trx: Transaction<StoreSchema>, events: readonly StoredEvent[]): Promise<void> =>
  projectEvents(trx as unknown as FactlogTrx, events);
