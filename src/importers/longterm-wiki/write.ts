import type { Transaction } from 'kysely';
import type { Command } from '../../commands/commands';
import { decideEntity } from '../../domain/entity';
import { DomainError, type Result } from '../../domain/errors';
import { CURRENT_SCHEMA_VERSION, streamName, streamOf, upcast, type DomainEvent, type Kind } from '../../domain/events';
import { evolveAny, type AnyState, type StateOfKind } from '../../domain/evolve';
import { decideFact, type FactProperty } from '../../domain/fact';
import type { DataType } from '../../domain/fact-value';
import { isRecord } from '../../domain/fields';
import { generateStableId } from '../../domain/ids';
import { notFound } from '../../domain/kind';
import { decidePage } from '../../domain/page';
import { decideProperty } from '../../domain/property';
import { decidePublication } from '../../domain/publication';
import { decideSource, sourceIdOf } from '../../domain/source';
import type { FactlogSchema } from '../../projections/tables';
import { assertJson } from '../../store/canonical-json';
import type { AppendMetadata, EventStore, StreamWrite } from '../../store/event-store';
import type { StoreSchema } from '../../store/schema';
import type { Step } from './plan';

/**
 * The fast writer: one batch of planned commands → one append. It decides each command with the
 * domain's own pure `decide*` functions, exactly as CommandHandler does, but loads the state of all
 * the batch's streams (and the cross-stream facts the domain asks about) in a few queries, and appends
 * the batch's events with a single `appendWithin`. Names were already resolved to ids by the planner.
 *
 * The log head is locked first, so nothing can append between the reads and the append: the versions
 * read are the versions the append expects, and a batch is all-or-nothing.
 */

export type Outcome = { step: Step; events: number; error?: DomainError };

interface Target {
  kind: Kind;
  id: string;
}

function targetOf(command: Command): Target {
  switch (command.type) {
    case 'RegisterPublication':
    case 'UpdatePublication':
      return { kind: 'publication', id: String(command.id) };
    case 'DefineProperty':
    case 'UpdateProperty':
      return { kind: 'property', id: String(command.id) };
    case 'RegisterEntity':
      return { kind: 'entity', id: command.id ?? '' };
    case 'RenameEntity':
    case 'UpdateEntity':
      return { kind: 'entity', id: command.entity };
    case 'RegisterSource': {
      const id = sourceIdOf(command.fields);
      if (!id.ok) throw id.error;
      return { kind: 'source', id: id.value };
    }
    case 'UpdateSource':
    case 'CaptureSourceContent':
      return { kind: 'source', id: command.source };
    case 'CreatePage':
      return { kind: 'page', id: String(command.slug) };
    case 'UpdatePage':
    case 'CiteSource':
    case 'UnciteSource':
      return { kind: 'page', id: command.page };
    case 'AssertFact':
      return { kind: 'fact', id: command.id ?? '' };
    case 'CorrectFact':
    case 'RetractFact':
    case 'DeprecateFact':
    case 'AddFactCitation':
    case 'RemoveFactCitation':
      return { kind: 'fact', id: command.id };
    case 'MergeSources':
      throw new Error('the importer does not merge sources');
  }
}

/** What the batch's commands need to know beyond their own streams, loaded once per batch. */
interface Context {
  slugOwner: Map<string, string>;
  entities: Set<string>;
  sources: Set<string>;
  properties: Map<string, FactProperty>;
}

const uniq = <T>(xs: Iterable<T>): T[] => [...new Set(xs)];

export async function writeBatch(trx: Transaction<StoreSchema>, store: EventStore, steps: readonly Step[], metadata: AppendMetadata): Promise<{ outcomes: Outcome[]; appended: number }> {
  const db = trx as unknown as Transaction<FactlogSchema>;
  await trx.selectFrom('log_head').select('position').forUpdate().executeTakeFirstOrThrow();

  // A command whose target cannot even be named (say, a URL the domain refuses) is refused on its own.
  const targets = steps.map((s): Target | DomainError => {
    try {
      return targetOf(s.command);
    } catch (err) {
      if (err instanceof DomainError) return err;
      throw err;
    }
  });
  const streams = uniq(targets.flatMap((t) => (t instanceof DomainError ? [] : [streamName(t.kind, t.id)])));
  const versions = new Map<string, number>();
  const states = new Map<string, AnyState>();
  if (streams.length) {
    for (const r of await trx.selectFrom('streams').select(['stream', 'version']).where('stream', 'in', streams).execute()) versions.set(r.stream, r.version);
    const things = streams.filter((s) => !s.startsWith('fact-') && versions.has(s));
    if (things.length) {
      for (const r of await db.selectFrom('state_versions').select(['stream', 'state']).where('stream', 'in', things).where('tx_to', 'is', null).execute()) {
        states.set(r.stream, (typeof r.state === 'string' ? JSON.parse(r.state) : r.state) as AnyState);
      }
    }
    // A fact's state is the fold of its own events, as the handler computes it.
    const facts = streams.filter((s) => s.startsWith('fact-') && versions.has(s));
    if (facts.length) {
      const rows = await trx.selectFrom('events').select(['stream', 'type', 'schema_version', 'data']).where('stream', 'in', facts).orderBy('stream').orderBy('stream_version').execute();
      for (const r of rows) states.set(r.stream, evolveAny(states.get(r.stream) ?? null, upcast(r.type, r.schema_version, r.data as Record<string, unknown>)));
    }
  }
  const context = await loadContext(db, steps);

  const outcomes: Outcome[] = [];
  const writes = new Map<string, StreamWrite>();
  steps.forEach((step, i) => {
    const target = targets[i];
    if (target instanceof DomainError) {
      outcomes.push({ step, events: 0, error: target });
      return;
    }
    const state = states.get(streamName(target.kind, target.id)) ?? null;
    let decided: Result<DomainEvent[]>;
    try {
      decided = decide(step.command, target, state, context);
      if (decided.ok) for (const e of decided.value) assertJson(e.data, 'event');
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      decided = { ok: false, error: err };
    }
    if (!decided.ok) {
      outcomes.push({ step, events: 0, error: decided.error });
      return;
    }
    for (const event of decided.value) {
      const own = streamOf(event);
      let write = writes.get(own);
      if (!write) {
        const version = versions.get(own) ?? 0;
        write = { stream: own, expectedVersion: version === 0 ? 'no_stream' : version, events: [] };
        writes.set(own, write);
      }
      write.events.push({ type: event.type, schemaVersion: CURRENT_SCHEMA_VERSION[event.type], data: event.data as Record<string, unknown> });
      states.set(own, evolveAny(states.get(own) ?? null, event));
      track(event, context);
    }
    outcomes.push({ step, events: decided.value.length });
  });

  if (writes.size === 0) return { outcomes, appended: 0 };
  const result = await store.appendWithin(trx, [...writes.values()], metadata);
  return { outcomes, appended: result.lastPosition - result.firstPosition + 1 };
}

async function loadContext(db: Transaction<FactlogSchema>, steps: readonly Step[]): Promise<Context> {
  const slugs: string[] = [];
  const entities: string[] = [];
  const sources: string[] = [];
  const properties: string[] = [];
  const facts: string[] = [];
  for (const { command: c } of steps) {
    if (c.type === 'RegisterEntity' && isRecord(c.fields) && typeof c.fields.slug === 'string') slugs.push(c.fields.slug);
    if (c.type === 'RenameEntity' && typeof c.newSlug === 'string') slugs.push(c.newSlug);
    if (c.type === 'CiteSource') sources.push(c.source);
    if (c.type === 'AssertFact') {
      entities.push(c.entity);
      properties.push(c.property);
      for (const s of citationSources(c.citations)) sources.push(s);
    }
    if (c.type === 'CorrectFact') {
      facts.push(c.id);
      if (isRecord(c.set)) for (const s of citationSources(c.set.citations)) sources.push(s);
    }
  }
  const context: Context = { slugOwner: new Map(), entities: new Set(), sources: new Set(), properties: new Map() };
  if (slugs.length) {
    for (const r of await db.selectFrom('entity_keys').select(['key', 'entity_id']).where('rank', '=', 1).where('key', 'in', uniq(slugs)).execute()) context.slugOwner.set(r.key, r.entity_id);
  }
  if (entities.length) {
    for (const r of await db.selectFrom('entities').select('id').where('id', 'in', uniq(entities)).execute()) context.entities.add(r.id);
  }
  if (sources.length) {
    for (const r of await db.selectFrom('sources').select('id').where('id', 'in', uniq(sources)).where('merged_into', 'is', null).execute()) context.sources.add(r.id);
  }
  if (facts.length) {
    for (const r of await db.selectFrom('facts').select('property_id').where('id', 'in', uniq(facts)).execute()) properties.push(r.property_id);
  }
  if (properties.length) {
    for (const r of await db.selectFrom('properties').select(['id', 'data_type', 'unit']).where('id', 'in', uniq(properties)).execute()) {
      context.properties.set(r.id, { id: r.id, dataType: r.data_type as DataType, ...(r.unit ? { unit: r.unit } : {}) });
    }
  }
  return context;
}

const citationSources = (raw: unknown): string[] =>
  Array.isArray(raw) ? raw.filter(isRecord).map((c) => c.source).filter((s): s is string => typeof s === 'string') : [];

/** API citations name a source (`{source, quote?, locator?}`); events keep `{sourceId, …}`. */
function toCitations(raw: unknown, context: Context, path: string): unknown {
  if (!Array.isArray(raw)) return raw;
  return raw.map((c: unknown, i) => {
    if (!isRecord(c)) throw new DomainError('BAD_USER_INPUT', `${path}.${i}: expected {source, quote?, locator?}`, [path, String(i)]);
    const { source, ...rest } = c;
    if (typeof source !== 'string' || !context.sources.has(source)) throw notFound(`source ${JSON.stringify(source)}`, `${path}.${i}.source`);
    return { ...rest, sourceId: source };
  });
}

/** The same decisions CommandHandler.plan makes, with the context loaded for the whole batch. */
function decide(command: Command, target: Target, state: AnyState, context: Context): Result<DomainEvent[]> {
  switch (command.type) {
    case 'RegisterPublication':
    case 'UpdatePublication':
      return decidePublication(command, state as StateOfKind['publication']);
    case 'DefineProperty':
    case 'UpdateProperty':
      return decideProperty(command, state as StateOfKind['property']);
    case 'RegisterSource':
      return decideSource(command, state as StateOfKind['source'], { newStableId: generateStableId() });
    case 'UpdateSource':
      return decideSource({ type: 'UpdateSource', id: target.id, set: command.set, unset: command.unset }, state as StateOfKind['source']);
    case 'CreatePage':
      return decidePage(command, state as StateOfKind['page']);
    case 'UpdatePage':
      return decidePage({ type: 'UpdatePage', slug: target.id, set: command.set, unset: command.unset }, state as StateOfKind['page']);
    case 'CiteSource':
      return decidePage({ type: 'CiteSource', slug: target.id, sourceId: command.source }, state as StateOfKind['page'], { sourceExists: context.sources.has(command.source) });
    case 'UnciteSource':
      return decidePage({ type: 'UnciteSource', slug: target.id, sourceId: command.source }, state as StateOfKind['page']);
    case 'RegisterEntity': {
      const slug = isRecord(command.fields) && typeof command.fields.slug === 'string' ? command.fields.slug : null;
      return decideEntity({ type: 'RegisterEntity', id: target.id, fields: command.fields }, state as StateOfKind['entity'], { slugOwner: slug ? context.slugOwner.get(slug) ?? null : null });
    }
    case 'UpdateEntity':
      return decideEntity({ type: 'UpdateEntity', id: target.id, set: command.set, unset: command.unset }, state as StateOfKind['entity']);
    case 'RenameEntity': {
      const owner = typeof command.newSlug === 'string' ? context.slugOwner.get(command.newSlug) ?? null : null;
      return decideEntity({ type: 'RenameEntity', id: target.id, newSlug: command.newSlug }, state as StateOfKind['entity'], { slugOwner: owner });
    }
    case 'AssertFact': {
      const fields = {
        entityId: command.entity,
        propertyId: command.property,
        value: command.value,
        asOf: command.asOf ?? undefined,
        validEnd: command.validEnd ?? undefined,
        citations: command.citations == null ? undefined : toCitations(command.citations, context, 'citations'),
        notes: command.notes ?? undefined,
        rank: command.rank ?? undefined,
      };
      const property = context.properties.get(command.property) ?? null;
      return decideFact({ type: 'AssertFact', id: target.id, fields }, state as StateOfKind['fact'], { property, entityExists: context.entities.has(command.entity) });
    }
    case 'CorrectFact': {
      const current = state as StateOfKind['fact'];
      const property = current ? context.properties.get(current.fields.propertyId) ?? null : null;
      const set = isRecord(command.set) && Array.isArray(command.set.citations)
        ? { ...command.set, citations: toCitations(command.set.citations, context, 'set.citations') }
        : command.set;
      return decideFact({ type: 'CorrectFact', id: target.id, set, unset: command.unset }, current, { property, entityExists: true });
    }
    case 'RetractFact':
    case 'DeprecateFact':
      return decideFact(command, state as StateOfKind['fact'], { property: null, entityExists: true });
    default:
      throw new Error(`the importer does not plan ${command.type}`);
  }
}

/** Keeps the batch's context current as its own events land (a registration makes its slug taken). */
function track(event: DomainEvent, context: Context): void {
  switch (event.type) {
    case 'EntityRegistered':
      context.slugOwner.set(event.data.slug, event.data.id);
      context.entities.add(event.data.id);
      break;
    case 'EntityRenamed':
      context.slugOwner.delete(event.data.from);
      context.slugOwner.set(event.data.to, event.data.id);
      break;
    case 'SourceRegistered':
      context.sources.add(event.data.id);
      break;
    case 'PropertyDefined':
      context.properties.set(event.data.id, { id: event.data.id, dataType: event.data.dataType, ...(event.data.unit ? { unit: event.data.unit } : {}) });
      break;
    default:
      break;
  }
}
