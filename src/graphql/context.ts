import DataLoader from 'dataloader';
import { sql } from 'kysely';
import { ANONYMOUS, type Principal } from '../auth/keys';
import { authorize, type Access, type AnonymousAccess } from '../auth/policy';
import type { CommandHandler } from '../commands/handler';
import type { StateOfKind } from '../domain/evolve';
import { streamName, type Kind } from '../domain/events';
import { resolveBasis, type Basis } from '../projections/queries/basis';
import { allFactsAt, factsByIdAt, type FactVersion } from '../projections/queries/facts';
import { pagesCitingAt, type Versioned } from '../projections/queries/things';
import type { FactlogDb } from '../projections/tables';
import type { Replication } from '../replication/runtime';
import type { Database } from '../store/database';
import { outsideStatementBudget } from '../store/statement-budget';
import { toStoredEvent, type EventStore, type StoredEvent } from '../store/event-store';
import { parsePosition, validInstant, type PinArgs, type Pins } from './pins';

type ThingKind = Exclude<Kind, 'fact'>;

/** What every resolver can reach; one per request. */
export interface GraphQLContext {
  database: Database;
  store: EventStore;
  db: FactlogDb;
  commands: CommandHandler;
  /** The request's "now": one instant, so every default-valid-time read in it agrees. */
  now: Date;
  /**
   * Per-request state that resolvers change. A holder object, because Apollo hands resolvers a
   * shallow copy of the context: a field set on the copy would not be seen by the plugins.
   */
  request: {
    basis?: Basis;
    /** Set when the request reads from a replica (src/replication/read-routing.ts); absent: the primary. */
    read?: { node: string; db: FactlogDb };
  };
  loaders: Loaders;
  pins(args: PinArgs, parent?: Pins): Promise<Pins>;
  /** Called by mutations: later reads in the request see the new head. */
  invalidate(): void;
  principal: Principal;
  /** Throws UNAUTHENTICATED or FORBIDDEN unless the principal may do this. */
  authorize(access: Access): void;
  /** Read replicas, leader election and live updates, when the server runs them (src/replication). */
  replication?: Replication;
}

export interface ContextDeps {
  database: Database;
  store: EventStore;
  db: FactlogDb;
  commands: CommandHandler;
  /** What a request without a key may do (FACTLOG_ANONYMOUS). */
  anonymous?: AnonymousAccess;
  replication?: Replication;
}

export function createContext(deps: ContextDeps, principal: Principal = ANONYMOUS): GraphQLContext {
  const now = new Date();
  const anonymous = deps.anonymous ?? 'read';
  authorize(principal, 'read', anonymous);
  let bases = new Map<string, Promise<Basis>>();
  const request: GraphQLContext['request'] = {};
  const context: GraphQLContext = {
    ...deps,
    now,
    request,
    // Loaders are keyed by log position, and what the log says at a position never changes, so
    // their caches stay valid for the whole request, across mutations too.
    loaders: new Loaders(deps.db),
    async pins(args, parent) {
      const ownTime = args.knownAt != null || args.atPosition != null;
      let basis: Basis;
      if (!ownTime && parent) basis = parent.basis;
      else {
        const position = args.atPosition != null ? parsePosition(args.atPosition) : undefined;
        const key = position !== undefined ? `p${position}` : args.knownAt ? `t${args.knownAt.toISOString()}` : 'head';
        if (!bases.has(key)) {
          const db = request.read?.db ?? deps.db;
          bases.set(key, key === 'head' ? readHead(db) : resolveBasis(db, { knownAt: args.knownAt ?? undefined, atPosition: position }));
        }
        basis = await bases.get(key)!;
      }
      request.basis ??= basis;
      const asOf = args.asOf !== undefined && args.asOf !== null ? args.asOf : (parent?.asOf ?? null);
      return { basis, asOf, validAt: validInstant(asOf, now) };
    },
    invalidate() {
      bases = new Map();
      request.basis = undefined;
    },
    principal,
    authorize: (access) => authorize(principal, access, anonymous),
  };
  return context;
}

/**
 * Sends a request's reads to another database (a read replica). Called on the request's own context
 * before any resolver runs; the command handler (writes) stays on the primary.
 */
export function readFrom(context: GraphQLContext, target: { node: string; database: Database; store: EventStore; db: FactlogDb }): void {
  context.database = target.database;
  context.store = target.store;
  context.db = target.db;
  context.loaders = new Loaders(target.db);
  context.request.read = { node: target.node, db: target.db };
}

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
    return this.loader(`${kind}@${position}`, async (ids) => {
      const found = new Map<string, Versioned<StateOfKind[K]>>();
      const missing: string[] = [];
      for (const id of ids) {
        const hit = cache.get(kind, id, position);
        if (hit === undefined) missing.push(id);
        else if (hit !== null) found.set(id, hit as Versioned<StateOfKind[K]>);
      }
      if (missing.length === 0) return found;
      const loaded = await latestThingsAt(this.db, kind, missing, position);
      for (const id of missing) {
        const v = loaded.get(id) ?? null;
        cache.set(kind, id, position, v);
        if (v) found.set(id, v);
      }
      return found;
    }, null);
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
    return this.loader(`factsCiting@${pins.basis.position}@${validAt?.toISOString() ?? 'all'}`, async (ids) => {
      const facts = await allFactsAt(this.db, { sourceIds: ids }, { position: pins.basis.position, validAt });
      return groupBy(ids, facts, (f) => f.citations.map((c) => c.sourceId));
    }, []);
  }

  /** Facts of an entity (optionally of one property), at P and (optionally) valid at T. */
  factsOfEntity(pins: Pins, withValidTime: boolean, propertyId: string | undefined, includeDeprecated = false): DataLoader<string, FactVersion[]> {
    const validAt = withValidTime ? pins.validAt : undefined;
    return this.loader(`factsOf@${pins.basis.position}@${validAt?.toISOString() ?? 'all'}@${propertyId ?? '*'}@${includeDeprecated}`, async (ids) => {
      const facts = await allFactsAt(this.db, { entityIds: ids, propertyId }, { position: pins.basis.position, validAt, includeDeprecated });
      return groupBy(ids, facts, (f) => [f.entityId]);
    }, []);
  }

  /** The page about each entity at P (the first by slug if several). */
  pageOfEntity(position: number): DataLoader<string, string | null> {
    return this.loader(`pageOf@${position}`, async (ids) => {
      const rows = await this.db.selectFrom('state_versions').select(['id', 'state'])
        .where('kind', '=', 'page').where('tx_from', '<=', position)
        .where((eb) => eb.or([eb('tx_to', 'is', null), eb('tx_to', '>', position)]))
        .where((eb) => eb.or(ids.map((id) => eb(eb.ref('state'), '@>', JSON.stringify({ fields: { entityId: id } }) as never))))
        .orderBy('id').execute();
      const out = new Map<string, string>();
      for (const r of rows) {
        const entityId = (r.state as { fields: { entityId?: string } }).fields.entityId;
        if (entityId && !out.has(entityId)) out.set(entityId, r.id);
      }
      return out;
    }, null);
  }

  /** Sources of each publication at P, by id. */
  sourcesOfPublication(position: number): DataLoader<string, Versioned<StateOfKind['source']>[]> {
    return this.loader(`sourcesOf@${position}`, async (ids) => {
      const rows = await this.db.selectFrom('state_versions').select(['id', 'state', 'version', 'tx_from', 'recorded_from'])
        .where('kind', '=', 'source').where('tx_from', '<=', position)
        .where((eb) => eb.or([eb('tx_to', 'is', null), eb('tx_to', '>', position)]))
        .where((eb) => eb.or(ids.map((id) => eb(eb.ref('state'), '@>', JSON.stringify({ fields: { publicationId: id } }) as never))))
        .orderBy('id').execute();
      const versions = rows.map((r) => ({ state: r.state as NonNullable<StateOfKind['source']>, version: r.version, position: r.tx_from, recordedAt: r.recorded_from }));
      return groupBy(ids, versions, (v) => [v.state.fields.publicationId ?? '']);
    }, []);
  }

  /** A stream's events up to P (its history as known then). */
  streamEvents(position: number): DataLoader<string, StoredEvent[]> {
    return this.loader(`events@${position}`, async (streams) => {
      const rows = await this.db.selectFrom('events').selectAll().where('stream', 'in', streams).where('position', '<=', position)
        .orderBy('position').execute();
      return groupBy(streams, rows.map(toStoredEvent), (e) => [e.stream]);
    }, []);
  }
}

/**
 * The same answer as thingsAt (the newest version recorded at or before P), read with one index probe
 * per thing: thingsAt's DISTINCT ON reads every version of each stream, and a page cited by many
 * sources has one full state per citation (260 heap pages for 20 pages at 100k facts).
 */
async function latestThingsAt<K extends ThingKind>(db: FactlogDb, kind: K, ids: readonly string[], position: number): Promise<Map<string, Versioned<StateOfKind[K]>>> {
  const out = new Map<string, Versioned<StateOfKind[K]>>();
  if (ids.length === 0) return out;
  const streams = sql.join(ids.map((id) => sql`(${streamName(kind, id)})`));
  const { rows } = await sql<{ id: string; state: unknown; version: number; tx_from: number; recorded_from: Date }>`
    SELECT v.id, v.state, v.version, v.tx_from, v.recorded_from
    FROM (VALUES ${streams}) AS s(stream)
    CROSS JOIN LATERAL (
      SELECT sv.id, sv.state, sv.version, sv.tx_from, sv.recorded_from FROM state_versions sv
      WHERE sv.stream = s.stream AND sv.tx_from <= ${position}
      ORDER BY sv.version DESC LIMIT 1) v`.execute(db);
  for (const r of rows) {
    out.set(r.id, { state: r.state as NonNullable<StateOfKind[K]>, version: r.version, position: Number(r.tx_from), recordedAt: r.recorded_from });
  }
  return out;
}

/**
 * Things' states across requests. What the log says at a position never changes, so a state read at
 * position P is the answer at every position from the event that produced it (its `position`) up to
 * P; an absent thing at P was absent at every earlier position too. An entry is valid over that
 * known range and is widened when a later read finds the same version, so under read load (a head
 * that does not move) entities, properties, pages and publications cost no statement after the first
 * read, and a write costs one re-read per thing asked for. Bounded; the oldest entries go first.
 */
export class ThingCache {
  private readonly entries = new Map<string, { value: Versioned<unknown> | null; from: number; through: number; bytes: number }>();
  private bytes = 0;

  /**
   * Bounded by count and by approximate size: a source's state carries its cached text (up to 5 MB),
   * so a count alone could hold gigabytes. A state bigger than an eighth of the budget is not kept.
   */
  constructor(private readonly capacity = 20_000, private readonly maxBytes = 64 * 1024 * 1024) {}

  get size(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.bytes };
  }

  /** The cached state at P, null when known absent at P, undefined when unknown. */
  get(kind: string, id: string, position: number): Versioned<unknown> | null | undefined {
    const e = this.entries.get(`${kind}\u0000${id}`);
    if (!e || position < e.from || position > e.through) return undefined;
    return e.value;
  }

  set(kind: string, id: string, position: number, value: Versioned<unknown> | null): void {
    const key = `${kind}\u0000${id}`;
    const e = this.entries.get(key);
    if (e && e.value?.version === value?.version && e.value?.position === value?.position) {
      e.through = Math.max(e.through, position);
      return;
    }
    // A newer answer replaces an older range; an older one (a pinned read of the past) does not
    // evict the current state, which is what most requests want.
    if (e && e.through > position) return;
    this.remove(key);
    const bytes = approximateBytes(value?.state);
    if (bytes > this.maxBytes / 8) return;
    this.entries.set(key, { value, from: value ? value.position : 0, through: position, bytes });
    this.bytes += bytes;
    while (this.entries.size > this.capacity || this.bytes > this.maxBytes) this.remove(this.entries.keys().next().value as string);
  }

  private remove(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    this.bytes -= e.bytes;
    this.entries.delete(key);
  }
}

/** Roughly what a parsed state holds in memory: its strings (two bytes a character) plus a little per value. */
function approximateBytes(value: unknown): number {
  if (typeof value === 'string') return 16 + 2 * value.length;
  if (Array.isArray(value)) return value.reduce<number>((n, v) => n + approximateBytes(v), 16);
  if (value && typeof value === 'object') return Object.entries(value).reduce<number>((n, [k, v]) => n + 2 * k.length + approximateBytes(v), 32);
  return 16;
}

/**
 * The log head for many requests at once. A request waits for the next head read that *starts* after
 * it arrived (never for one already in flight), so it sees every write committed before it came in,
 * exactly as with a read of its own; but under load one statement answers all the requests that
 * arrived while the previous one was out, instead of one statement each.
 */
export class HeadReader {
  private queue: { resolve: (b: Basis) => void; reject: (e: unknown) => void }[] = [];
  private inFlight = false;

  constructor(private readonly db: FactlogDb) {}

  read(): Promise<Basis> {
    return new Promise<Basis>((resolve, reject) => {
      this.queue.push({ resolve, reject });
      if (!this.inFlight) this.flush();
    });
  }

  private flush(): void {
    const waiting = this.queue;
    this.queue = [];
    this.inFlight = true;
    // Shared by every waiting request, so charged to none of them (src/store/statement-budget.ts).
    outsideStatementBudget(() => resolveBasis(this.db)).then(
      (basis) => waiting.forEach((w) => w.resolve(basis)),
      (err: unknown) => waiting.forEach((w) => w.reject(err)),
    ).finally(() => {
      this.inFlight = false;
      if (this.queue.length) this.flush();
    });
  }
}

const headReaders = new WeakMap<FactlogDb, HeadReader>();

/** The log head as a request that arrives now must see it, read together with concurrent requests (HeadReader). */
export function readHead(db: FactlogDb): Promise<Basis> {
  let reader = headReaders.get(db);
  if (!reader) headReaders.set(db, (reader = new HeadReader(db)));
  return reader.read();
}

const thingCaches = new WeakMap<FactlogDb, ThingCache>();

/** Forgets the cached states of one database (tests that count statements start cold). */
export function clearThingCache(db: FactlogDb): void {
  thingCaches.delete(db);
}

function thingCacheOf(db: FactlogDb): ThingCache {
  let cache = thingCaches.get(db);
  if (!cache) thingCaches.set(db, (cache = new ThingCache()));
  return cache;
}

function groupBy<T>(keys: readonly string[], items: T[], keysOf: (t: T) => string[]): Map<string, T[]> {
  const out = new Map<string, T[]>(keys.map((k) => [k, []]));
  for (const item of items) for (const k of new Set(keysOf(item))) out.get(k)?.push(item);
  return out;
}
