import { STREAM_PREFIX, type Kind, type ThingKind } from '../domain/events';
import type { AnyState, EventOfKind, StateOfKind } from '../domain/evolve';
import type { FactState } from '../domain/fact';
import type { StoredEvent } from '../store/event-store';
import { LastRows, type AnyTableSpec, type Row, type TableSpec } from './bulk';
import type { SourceMerges } from './read-models/source-merges';
import type { FactlogTrx, ReadModelSchema } from './tables';

/**
 * A read model is one value: the tables it owns, the kinds of thing whose events it applies, and how
 * it writes one batch of them. `projectEvents` (project.ts) runs every model of the registry
 * (read-models/registry.ts) over each batch the store appends, in the append transaction.
 */

export type TableName = keyof ReadModelSchema;

/** Every kind but facts: their states are folded from and kept in `state_versions`. */
export const THING_KINDS: readonly ThingKind[] = (Object.keys(STREAM_PREFIX) as Kind[]).filter((k): k is ThingKind => k !== 'fact');

/**
 * What projecting needs of a stored event: everything but its metadata and hashes, which no read model
 * reads (so a replay need not read them from the log).
 */
export type ProjectableEvent = Omit<StoredEvent, 'metadata' | 'prevHash' | 'hash'>;

/** One stored event, parsed, with the next event of the same thing in the batch (if any). */
export type ProjectedEvent<K extends Kind = Kind> = {
  [k in K]: {
    stored: ProjectableEvent;
    event: EventOfKind[k];
    kind: k;
    /** The thing's next event in this batch: where the version this event opens ends. */
    following?: ProjectableEvent;
  };
}[K];

/** Where a state came from in the log: the stream version and position of its last event. */
export interface At {
  version: number;
  position: number;
}

export const atOf = (e: { stored: ProjectableEvent }): At => ({ version: e.stored.streamVersion, position: e.stored.position });

/**
 * The state of every non-fact thing the batch touches. The state-versions model fills it as it opens
 * (with the versions it closes) and advances it on each event; it comes first in the registry, so
 * every later model sees the state after the event it is applying.
 */
export class ThingStates {
  /** As the next event folds it: the state as the jsonb column gives it back. */
  private readonly folded = new Map<string, AnyState>();
  /** As evolve returned it: what the current-view rows are computed from. */
  private readonly evolved = new Map<string, AnyState>();

  load(stream: string, state: AnyState): void {
    this.folded.set(stream, state);
  }

  previous(stream: string): AnyState {
    return this.folded.get(stream) ?? null;
  }

  advance(stream: string, evolved: AnyState, folded: AnyState): void {
    this.evolved.set(stream, evolved);
    this.folded.set(stream, folded);
  }

  /** The thing's state after `e`, which the state-versions model has applied already. */
  after<K extends ThingKind>(e: ProjectedEvent<K>): NonNullable<StateOfKind[K]> {
    const state = this.evolved.get(e.stored.stream);
    if (!state)
      throw new Error(
        `projection bug: no state for ${e.stored.stream} at ${e.stored.position}; state-versions must come first in the registry`,
      );
    return state as NonNullable<StateOfKind[K]>;
  }
}

/** What the models of one batch share. */
export interface Batch {
  readonly states: ThingStates;
  /**
   * The state of every fact the batch touches, by id: the facts model loads it with the versions it
   * closes and sets each fact's state after each of its events (it comes before the models that read it).
   */
  readonly facts: Map<string, FactState>;
  /** Which source each source id stands for: models `want` the ids they will ask about when they open. */
  readonly merges: SourceMerges;
  /** Writes what every model has applied so far (before a statement that must see it). */
  flush(): Promise<void>;
  /** The replay the batch is one of (replayLog, rebuild.ts), or null for a live append. */
  readonly replay: Replay | null;
}

/**
 * Rows a model of a replay holds back across batches at most, by default: a held fact version with its
 * state is about 1 kB of heap (measured on the bench log), so at most ~50 MB.
 */
export const DEFAULT_MAX_HELD = 50_000;

/**
 * What a replay into empty tables carries from one batch to the next, by model. A model may leave a
 * table that its other tables imply unwritten until `finishReplay`, or hold rows in memory across
 * batches instead of writing them and updating them later; nothing else writes the tables meanwhile.
 */
export class Replay {
  private readonly carried = new Map<string, unknown>();

  /**
   * @param maxHeld how many rows a model holds back across batches at most: past it, it writes the
   * oldest as a live batch would, so a replay's memory stays bounded whatever its length.
   */
  constructor(readonly maxHeld: number = DEFAULT_MAX_HELD) {}

  /** The model's carried value, made by `init` in the replay's first batch. */
  carry<T>(model: string, init: () => T): T {
    if (!this.carried.has(model)) this.carried.set(model, init());
    return this.carried.get(model) as T;
  }
}

/** One batch's writes of one model: events are applied in log order, then flushed in few statements. */
export interface ReadModelWriter<K extends Kind = Kind> {
  apply(e: ProjectedEvent<K>): void | Promise<void>;
  flush(): Promise<void>;
}

export interface ReadModel<K extends Kind = Kind> {
  readonly name: string;
  /** The tables it owns, in the order rebuild truncates and audit compares them. */
  readonly tables: readonly AnyTableSpec[];
  /** The kinds of thing whose events it applies. */
  readonly kinds: readonly K[];
  /**
   * Starts a batch: `events` are the batch's events of its kinds, in log order. Anything to read
   * before folding (the versions the batch closes) is read here, a statement per table and batch.
   */
  open(trx: FactlogTrx, events: readonly ProjectedEvent<K>[], batch: Batch): Promise<ReadModelWriter<K>>;
  /** After the last batch of a replay: writes what the model left to the end (see Replay). */
  finishReplay?(trx: FactlogTrx, replay: Replay): Promise<void>;
}

/**
 * Whether an event is its stream's first. Read-model rows are keyed by their thing's stream id (a
 * page's slug is its stream's), and a rebuild replays into emptied tables, so a thing whose first event
 * in a batch starts its stream has no rows yet: no version to close, document to compare with or owned
 * rows to replace, and a model skips those statements for it (a new fact or entity is most writes).
 */
export const startsStream = (e: ProjectableEvent): boolean => e.streamVersion === 1;

/**
 * The first event of each thing (by `key`) in a batch, where the thing's open version gets closed;
 * a thing whose stream starts in the batch (startsStream) has none, and is left out.
 */
export function firstEvents<E extends ProjectedEvent>(events: readonly E[], key: (e: E) => string): Map<string, ProjectableEvent> {
  const seen = new Set<string>();
  const out = new Map<string, ProjectableEvent>();
  for (const e of events) {
    const k = key(e);
    if (seen.has(k)) continue;
    seen.add(k);
    if (!startsStream(e.stored)) out.set(k, e.stored);
  }
  return out;
}

/**
 * A model of one current-view table, one row per thing computed from its state after each event
 * (publications, properties): within a batch only the last row per thing reaches the table.
 */
export function currentView<K extends ThingKind, T extends TableName>(spec: {
  name: string;
  kind: K;
  table: TableSpec<T>;
  key: keyof ReadModelSchema[T] & string;
  row(state: NonNullable<StateOfKind[K]>, at: At): Row<T>;
}): ReadModel<K> {
  return {
    name: spec.name,
    tables: [spec.table],
    kinds: [spec.kind],
    async open(trx, _events, batch) {
      const rows = new LastRows(trx, spec.table, { key: [spec.key], action: 'update' });
      return {
        apply(e) {
          const row = spec.row(batch.states.after(e), atOf(e));
          rows.set(String(row[spec.key as keyof Row<T>]), row);
        },
        flush: () => rows.flush(),
      };
    },
  };
}

/** The end of an exhaustive switch over a kind's events: a new event type fails to compile until handled. */
export function unhandledEvent(event: never): never {
  throw new Error(`projection: unhandled event ${JSON.stringify(event)}`);
}

/** Flushes the parts of a model's batch in order (its tables' writes). */
export function flushInOrder(...parts: readonly { flush(): Promise<void> }[]): () => Promise<void> {
  return async () => {
    for (const part of parts) await part.flush();
  };
}
