import { sql, type Transaction } from 'kysely';
import type { EntityState } from '../domain/entity';
import { idOf, kindOfEvent, upcast, type DomainEvent, type Kind } from '../domain/events';
import { evolveAny, type AnyState } from '../domain/evolve';
import type { FactEvent, FactState } from '../domain/fact';
import type { PageState } from '../domain/page';
import type { PropertyState } from '../domain/property';
import type { PublicationState } from '../domain/publication';
import type { SourceState } from '../domain/source';
import type { StoredEvent } from '../store/event-store';
import type { StoreSchema } from '../store/schema';
import { chunks, insertRows, unnestColumns, type Row } from './bulk';
import { CurrentWrites, moveCitations, SourceMerges } from './current';
import { closeFactVersions, FactWrites } from './facts';
import type { FactlogTrx } from './tables';

/** One stored event, parsed, with the next event of the same thing in the batch (if any). */
interface Step {
  stored: StoredEvent;
  event: DomainEvent;
  kind: Kind;
  following?: StoredEvent;
}

/** Facts are keyed by their id (fact_versions.fact_id), every other kind by its stream (state_versions.stream). */
const keyOf = (step: Step): string => (step.kind === 'fact' ? `fact ${idOf(step.event)}` : step.stored.stream);

function decode(events: readonly StoredEvent[]): Step[] {
  const steps: Step[] = events.map((stored) => {
    const event = upcast(stored.type, stored.schemaVersion, stored.data);
    return { stored, event, kind: kindOfEvent(event.type) };
  });
  const later = new Map<string, StoredEvent>();
  for (let i = steps.length - 1; i >= 0; i--) {
    const key = keyOf(steps[i]);
    steps[i].following = later.get(key);
    later.set(key, steps[i].stored);
  }
  return steps;
}

/**
 * Ends the current state version of every non-fact stream the batch touches at the stream's first
 * event in the batch, and reads those states back: one statement per chunk for the whole batch
 * (the `= ANY` keeps the plan on the partial index; see closeFactVersions).
 */
async function closeStateVersions(trx: FactlogTrx, firsts: ReadonlyMap<string, StoredEvent>): Promise<Map<string, AnyState>> {
  const out = new Map<string, AnyState>();
  const closing = [...firsts].map(([stream, e]) => ({ stream, tx_to: e.position }));
  for (const chunk of chunks(closing)) {
    const { rows } = await sql<{ stream: string; state: AnyState }>`
      UPDATE ${sql.table('state_versions')} v SET tx_to = x.tx_to
      FROM ${unnestColumns([['stream', 'text'], ['tx_to', 'bigint']], chunk)} AS x(stream, tx_to)
      WHERE v.stream = x.stream AND v.stream = ANY(${sql.val(chunk.map((c) => c.stream))}::text[]) AND v.tx_to IS NULL
      RETURNING v.stream, v.state`.execute(trx);
    for (const r of rows) out.set(r.stream, r.state);
  }
  return out;
}

/**
 * Every source id whose merges a step may need: the sources it cites or uncites and both sides of a
 * merge. The switch names every event type, so a new one that mentions sources cannot be missed.
 */
function sourcesMentioned(event: DomainEvent): string[] {
  switch (event.type) {
    case 'SourceCited':
    case 'SourceUncited':
      return [event.data.sourceId];
    case 'SourceMergedInto':
      return [event.data.id, event.data.into];
    case 'FactAsserted':
      return (event.data.citations ?? []).map((c) => c.sourceId);
    case 'FactCorrected':
      return (event.data.set.citations ?? []).map((c) => c.sourceId);
    case 'FactCitationAdded':
      return [event.data.citation.sourceId];
    case 'FactCitationRemoved':
    case 'FactRetracted':
    case 'FactDeprecated':
    case 'PublicationRegistered':
    case 'PublicationUpdated':
    case 'SourceRegistered':
    case 'SourceUpdated':
    case 'SourceContentCaptured':
    case 'SourceMergedFrom':
    case 'PageCreated':
    case 'PageUpdated':
    case 'EntityRegistered':
    case 'EntityUpdated':
    case 'EntityRenamed':
    case 'PropertyDefined':
    case 'PropertyUpdated':
      return [];
    default: {
      const unhandled: never = event;
      throw new Error(`no source mentions known for ${JSON.stringify(unhandled)}`);
    }
  }
}

/**
 * Applies stored events (in log order) to every read model, inside the caller's transaction, with a
 * handful of statements per batch rather than per event: the open version of every touched stream is
 * closed and read back at once, the events are folded in memory with the domain's evolve functions,
 * and each table then gets one multi-row write. Every event still gets its own version row, with the
 * transaction range the one-by-one projection would have given it, so the tables are the same bytes
 * whatever the batch size (tests/projections/batch-replay.test.ts).
 *
 * A source merge moves citations of pages and facts the batch may never mention; the writes before it
 * are flushed, the move runs against the tables, and folding carries on.
 */
export async function projectEvents(trx: FactlogTrx, events: readonly StoredEvent[]): Promise<void> {
  if (events.length === 0) return;
  const steps = decode(events);

  const firstOfStream = new Map<string, StoredEvent>();
  const firstOfFact = new Map<string, StoredEvent>();
  const mentioned: string[] = [];
  for (const s of steps) {
    if (s.kind === 'fact') {
      const id = idOf(s.event);
      if (!firstOfFact.has(id)) firstOfFact.set(id, s.stored);
    } else if (!firstOfStream.has(s.stored.stream)) {
      firstOfStream.set(s.stored.stream, s.stored);
    }
    mentioned.push(...sourcesMentioned(s.event));
  }
  const states = await closeStateVersions(trx, firstOfStream);
  const facts: Map<string, FactState | null> = await closeFactVersions(trx, firstOfFact);
  for (const f of facts.values()) for (const c of f?.fields.citations ?? []) mentioned.push(c.sourceId);
  const merges = await SourceMerges.load(trx, mentioned);

  let versions: Row<'state_versions'>[] = [];
  const current = new CurrentWrites();
  const factWrites = new FactWrites();
  const flush = async () => {
    await insertRows(trx, 'state_versions', versions);
    versions = [];
    await factWrites.flush(trx);
    await current.flush(trx);
  };

  for (const { stored, event, kind, following } of steps) {
    if (kind === 'fact') {
      const id = idOf(event);
      facts.set(id, factWrites.apply(facts.get(id) ?? null, event as FactEvent, stored, following, merges));
      continue;
    }
    const next = evolveAny(states.get(stored.stream) ?? null, event);
    if (!next) throw new Error(`event ${stored.position} (${stored.type}) has no ${kind} to apply to`);
    const state = JSON.stringify(next);
    versions.push({
      stream: stored.stream,
      version: stored.streamVersion,
      kind,
      id: idOf(event),
      state,
      tx_from: stored.position,
      tx_to: following?.position ?? null,
      recorded_from: stored.recordedAt.toISOString(),
    });
    // The next event sees the state as the jsonb column gives it back, as when it was read from the table.
    states.set(stored.stream, JSON.parse(state) as AnyState);

    const at = { version: stored.streamVersion, position: stored.position };
    switch (event.type) {
      case 'PublicationRegistered':
      case 'PublicationUpdated':
        current.publication(next as NonNullable<PublicationState>, at);
        break;
      case 'SourceRegistered':
      case 'SourceUpdated':
      case 'SourceContentCaptured':
      case 'SourceMergedInto':
      case 'SourceMergedFrom':
        current.source(next as SourceState, at, event);
        merges.record(next as SourceState);
        if (event.type === 'SourceMergedInto') {
          await flush();
          await moveCitations(trx, event.data.id, event.data.into);
        }
        break;
      case 'PageCreated':
      case 'PageUpdated':
      case 'SourceCited':
      case 'SourceUncited':
        current.page(next as PageState, at, event, merges);
        break;
      case 'EntityRegistered':
      case 'EntityUpdated':
      case 'EntityRenamed':
        current.entity(next as NonNullable<EntityState>, at);
        break;
      case 'PropertyDefined':
      case 'PropertyUpdated':
        current.property(next as NonNullable<PropertyState>, at);
        break;
    }
  }
  await flush();
}

/** The store's inline projector: read models commit or roll back with their events. */
export const inlineProjector = (trx: Transaction<StoreSchema>, events: readonly StoredEvent[]): Promise<void> =>
  projectEvents(trx as unknown as FactlogTrx, events);
