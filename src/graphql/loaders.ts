import DataLoader from 'dataloader';
import type { StateOfKind } from '../domain/evolve';
import { streamEventsAt } from '../projections/queries/events';
import { allFactsAt, candidatesAt, factsByIdAt, type FactCandidate, type FactVersion } from '../projections/queries/facts';
import { seriesLatestAt, seriesOfKey } from '../projections/queries/freshness';
import { recordsOfEntitiesAt, type RecordVersion } from '../projections/queries/records';
import type { ThingKind } from '../domain/events';
import { relationsAt, type RelationAt } from '../projections/queries/relations';
import {
  listThingsAt,
  thingsAt,
  pagesCitingAt,
  pagesOfEntitiesAt,
  sourcesOfPublicationsAt,
  type Versioned,
} from '../projections/queries/things';
import type { FactlogDb } from '../projections/tables';
import type { StoredEvent } from '../store/event-store';
import type { Pins } from './pins';
import { thingCacheOf } from './thing-cache';

/**
 * Per-request DataLoaders, one per (relation, pins): every relation a resolver follows is batched
 * into one statement per level of the query, whatever the number of parent rows.
 */
export class Loaders {
  private readonly cache = new Map<string, DataLoader<string, unknown>>();

  constructor(private readonly db: FactlogDb) {}

  private loader<V>(key: string, batch: (keys: readonly string[]) => Promise<Map<string, V>>, missing: V): DataLoader<string, V> {
    let loader = this.cache.get(key) as DataLoader<string, V> | undefined;
    if (!loader) {
      loader = new DataLoader<string, V>(async (keys) => {
        const found = await batch(keys);
        return keys.map((k) => (found.has(k) ? found.get(k)! : missing));
      });
      this.cache.set(key, loader as DataLoader<string, unknown>);
    }
    return loader;
  }

  thing<K extends ThingKind>(kind: K, position: number): DataLoader<string, Versioned<StateOfKind[K]> | null> {
    const cache = thingCacheOf(this.db);
    return this.loader(
      `${kind}@${position}`,
      async (ids) => {
        const found = new Map<string, Versioned<StateOfKind[K]>>();
        const missing: string[] = [];
        for (const id of ids) {
          const hit = cache.get(kind, id, position);
          if (hit === undefined) missing.push(id);
          else if (hit !== null) found.set(id, hit as Versioned<StateOfKind[K]>);
        }
        if (missing.length === 0) return found;
        const loaded = await thingsAt(this.db, kind, missing, position);
        for (const id of missing) {
          const v = loaded.get(id) ?? null;
          cache.set(kind, id, position, v);
          if (v) found.set(id, v);
        }
        return found;
      },
      null,
    );
  }

  /** By seriesKey(entity, property): the asOf a fact series' freshness counts from at P and today. */
  seriesLatest(position: number, today: Date): DataLoader<string, string | null> {
    return this.loader(
      `seriesLatest@${position}@${today.toISOString()}`,
      (keys) => seriesLatestAt(this.db, keys.map(seriesOfKey), position, today),
      null,
    );
  }

  /** By entity id: the candidates of one property's value at P (Entity.explain). */
  valueCandidates(position: number, propertyId: string): DataLoader<string, FactCandidate[]> {
    return this.loader(`valueCandidates@${position}@${propertyId}`, (ids) => candidatesAt(this.db, ids, propertyId, position), []);
  }

  fact(position: number): DataLoader<string, FactVersion | null> {
    return this.loader(`fact@${position}`, (ids) => factsByIdAt(this.db, ids, position), null);
  }

  /** Page slugs citing a source at P. */
  pagesCiting(position: number): DataLoader<string, string[]> {
    return this.loader(`pagesCiting@${position}`, (ids) => pagesCitingAt(this.db, ids, position), []);
  }

  /** Facts citing a source, at P and (optionally) valid at T. */
  factsCiting(pins: Pins, withValidTime: boolean): DataLoader<string, FactVersion[]> {
    const validAt = withValidTime ? pins.validAt : undefined;
    return this.loader(
      `factsCiting@${pins.basis.position}@${validAt?.toISOString() ?? 'all'}`,
      async (ids) => {
        const facts = await allFactsAt(this.db, { sourceIds: ids }, { position: pins.basis.position, validAt });
        return groupBy(ids, facts, (f) => f.citations.map((c) => c.sourceId));
      },
      [],
    );
  }

  /** Facts of an entity (optionally of one property), at P and (optionally) valid at T. */
  factsOfEntity(
    pins: Pins,
    withValidTime: boolean,
    propertyId: string | undefined,
    includeDeprecated = false,
  ): DataLoader<string, FactVersion[]> {
    const validAt = withValidTime ? pins.validAt : undefined;
    return this.loader(
      `factsOf@${pins.basis.position}@${validAt?.toISOString() ?? 'all'}@${propertyId ?? '*'}@${includeDeprecated}`,
      async (ids) => {
        const facts = await allFactsAt(
          this.db,
          { entityIds: ids, propertyId },
          { position: pins.basis.position, validAt, includeDeprecated },
        );
        return groupBy(ids, facts, (f) => [f.entityId]);
      },
      [],
    );
  }

  /** Each entity's relations at P, outgoing and incoming, in the order they were related. */
  relations(position: number): DataLoader<string, RelationAt[]> {
    return this.loader(`relations@${position}`, (ids) => relationsAt(this.db, ids, position), []);
  }

  /** Facts whose value names an entity (optionally of one property), at P and (optionally) valid at T. */
  factsReferencing(pins: Pins, withValidTime: boolean, propertyId: string | undefined): DataLoader<string, FactVersion[]> {
    const validAt = withValidTime ? pins.validAt : undefined;
    return this.loader(
      `factsReferencing@${pins.basis.position}@${validAt?.toISOString() ?? 'all'}@${propertyId ?? '*'}`,
      async (ids) => {
        const facts = await allFactsAt(this.db, { referencing: ids, propertyId }, { position: pins.basis.position, validAt });
        return groupBy(ids, facts, referencedIds);
      },
      [],
    );
  }

  /** The page about each entity at P (the first by slug if several). */
  pageOfEntity(position: number): DataLoader<string, string | null> {
    return this.loader(`pageOf@${position}`, (ids) => pagesOfEntitiesAt(this.db, ids, position), null);
  }

  /** The records of each entity at P (of one collection, or all), as the record-versions model keeps them. */
  recordsOfEntity(position: number, collection: string | undefined): DataLoader<string, RecordVersion[]> {
    return this.loader(`recordsOf@${position}@${collection ?? '*'}`, (ids) => recordsOfEntitiesAt(this.db, ids, position, collection), []);
  }

  /** The id of the record schema of each collection name at P (null: no such collection). */
  recordSchemaOfCollection(position: number): DataLoader<string, string | null> {
    return this.loader(
      `recordCollections@${position}`,
      async () => {
        const all = await listThingsAt(this.db, 'recordSchema', position, { first: 10_000 });
        return new Map(all.items.map((v) => [v.state.fields.collectionName, v.state.id]));
      },
      null,
    );
  }

  /** Sources of each publication at P, by id. */
  sourcesOfPublication(position: number): DataLoader<string, Versioned<StateOfKind['source']>[]> {
    return this.loader(
      `sourcesOf@${position}`,
      async (ids) => {
        const versions = await sourcesOfPublicationsAt(this.db, ids, position);
        return groupBy(ids, versions, (v) => [v.state.fields.publicationId ?? '']);
      },
      [],
    );
  }

  /** A stream's events up to P (its history as known then). */
  streamEvents(position: number): DataLoader<string, StoredEvent[]> {
    return this.loader(
      `events@${position}`,
      async (streams) => {
        const events = await streamEventsAt(this.db, streams, position);
        return groupBy(streams, events, (e) => [e.stream]);
      },
      [],
    );
  }
}

/** The entity ids a stored ref or refs value names (none for other kinds). */
function referencedIds(f: FactVersion): string[] {
  const v = f.value;
  if (v.kind === 'ref' && typeof v.entity === 'string') return [v.entity];
  if (v.kind === 'refs' && Array.isArray(v.entities)) return v.entities.filter((e): e is string => typeof e === 'string');
  return [];
}

function groupBy<T>(keys: readonly string[], items: T[], keysOf: (t: T) => string[]): Map<string, T[]> {
  const out = new Map<string, T[]>(keys.map((k) => [k, []]));
  for (const item of items) for (const k of new Set(keysOf(item))) out.get(k)?.push(item);
  return out;
}
