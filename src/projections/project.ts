import type { Transaction } from 'kysely';
import { idOf, kindOfEvent, upcast } from '../domain/events';
import type { StoredEvent } from '../store/event-store';
import type { StoreSchema } from '../store/schema';
import { ThingStates, type Batch, type ProjectableEvent, type ProjectedEvent, type ReadModelWriter, type Replay } from './read-model';
import { READ_MODELS } from './read-models/registry';
import { SourceMerges } from './read-models/source-merges';
import type { FactlogTrx } from './tables';

/** Facts are keyed by their id (fact_versions.fact_id), every other kind by its stream (state_versions.stream). */
const keyOf = (e: ProjectedEvent): string => (e.kind === 'fact' ? `fact ${idOf(e.event)}` : e.stored.stream);

function decode(events: readonly ProjectableEvent[]): ProjectedEvent[] {
  const decoded = events.map((stored) => {
    const event = upcast(stored.type, stored.schemaVersion, stored.data);
    // kindOfEvent is the kind whose events `event` is one of (EventOfKind).
    return { stored, event, kind: kindOfEvent(event.type) } as ProjectedEvent;
  });
  const later = new Map<string, ProjectableEvent>();
  for (let i = decoded.length - 1; i >= 0; i--) {
    const key = keyOf(decoded[i]);
    decoded[i].following = later.get(key);
    later.set(key, decoded[i].stored);
  }
  return decoded;
}

/**
 * Applies stored events (in log order) to every read model of the registry, inside the caller's
 * transaction, with a handful of statements per batch rather than per event: each model closes the
 * open versions the batch touches and reads them back at once, the events are folded in memory with
 * the domain's evolve functions, and each table then gets one multi-row write. Every event still gets
 * its own version row, with the transaction range the one-by-one projection would have given it, so
 * the tables are the same bytes whatever the batch size (tests/projections/batch-replay.test.ts).
 */
export async function projectEvents(
  trx: FactlogTrx,
  events: readonly ProjectableEvent[],
  options: { replay?: Replay } = {},
): Promise<void> {
  if (events.length === 0) return;
  const decoded = decode(events);

  const writers: { kinds: ReadonlySet<string>; writer: ReadModelWriter }[] = [];
  const batch: Batch = {
    states: new ThingStates(),
    facts: new Map(),
    replay: options.replay ?? null,
    merges: new SourceMerges(),
    async flush() {
      for (const { writer } of writers) await writer.flush();
    },
  };
  for (const model of READ_MODELS) {
    const kinds = new Set<string>(model.kinds);
    writers.push({
      kinds,
      writer: await model.open(
        trx,
        decoded.filter((e) => kinds.has(e.kind)),
        batch,
      ),
    });
  }
  await batch.merges.load(trx);

  for (const e of decoded) {
    for (const { kinds, writer } of writers) {
      if (!kinds.has(e.kind)) continue;
      const applying = writer.apply(e);
      if (applying) await applying;
    }
  }
  await batch.flush();
}

/** Ends a replay whose batches were projected with `replay`: writes what every model left to the end. */
export async function finishReplay(trx: FactlogTrx, replay: Replay): Promise<void> {
  for (const model of READ_MODELS) await model.finishReplay?.(trx, replay);
}

/** The store's inline projector: read models commit or roll back with their events. */
export const inlineProjector = (trx: Transaction<StoreSchema>, events: readonly StoredEvent[]): Promise<void> =>
  projectEvents(trx as unknown as FactlogTrx, events);
