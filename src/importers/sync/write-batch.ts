import type { Transaction } from 'kysely';
import { planCommand, type Plan } from '../../commands/deciders';
import type { CommandLookups, NameLookups } from '../../commands/lookups';
import type { FactProperty } from '../../domain/fact';
import { DomainError, type Result } from '../../domain/errors';
import { CURRENT_SCHEMA_VERSION, streamName, streamOf, upcast, type DomainEvent } from '../../domain/events';
import { evolveAny, type AnyState } from '../../domain/evolve';
import type { DataType } from '../../domain/fact-value';
import { applyPatch, isRecord } from '../../domain/fields';
import { isStableId } from '../../domain/ids';
import type { RecordSchemaState } from '../../domain/record-schema';
import type { FactlogSchema } from '../../projections/tables';
import { assertJson } from '../../store/canonical-json';
import type { AppendMetadata, EventStore, StreamWrite } from '../../store/event-store';
import type { StoreSchema } from '../../store/schema';
import type { PlannedCommand } from './plan';

/**
 * The fast writer: one batch of planned commands → one append. It decides each command with the same
 * plan as CommandHandler (`planCommand`), but loads the state of all the batch's streams and the
 * answers to its lookups in a few queries, and appends the batch's events with a single
 * `appendWithin`: per-command queries would make an import of the whole wiki take minutes.
 *
 * The log head is locked first, so nothing can append between the reads and the append: the versions
 * read are the versions the append expects, and a batch is all-or-nothing.
 */

export type Outcome = { planned: PlannedCommand; events: number; error?: DomainError };

/** What the batch's commands need to know beyond their own streams, loaded once per batch. */
interface Context {
  slugOwner: Map<string, string>;
  entities: Set<string>;
  sources: Set<string>;
  properties: Map<string, FactProperty>;
  /** Record schemas by collection name. */
  recordSchemas: Map<string, NonNullable<RecordSchemaState>>;
}

const uniq = <T>(xs: Iterable<T>): T[] => [...new Set(xs)];

export async function writeBatch(
  trx: Transaction<StoreSchema>,
  store: EventStore,
  planned: readonly PlannedCommand[],
  metadata: AppendMetadata,
): Promise<{ outcomes: Outcome[]; appended: number }> {
  const db = trx as unknown as Transaction<FactlogSchema>;
  await trx.selectFrom('log_head').select('position').forUpdate().executeTakeFirstOrThrow();

  // A command whose target cannot even be named (say, a URL the domain refuses) is refused on its own.
  const plans = await Promise.all(
    planned.map(async (s): Promise<Plan | DomainError> => {
      try {
        return await planCommand(s.command, PLANNED_NAMES);
      } catch (err) {
        if (err instanceof DomainError) return err;
        throw err;
      }
    }),
  );
  const streams = uniq(plans.flatMap((p) => (p instanceof DomainError ? [] : [streamName(p.kind, p.id)])));
  const versions = new Map<string, number>();
  const states = new Map<string, AnyState>();
  if (streams.length) {
    for (const r of await trx.selectFrom('streams').select(['stream', 'version']).where('stream', 'in', streams).execute())
      versions.set(r.stream, r.version);
    const things = streams.filter((s) => !s.startsWith('fact-') && versions.has(s));
    if (things.length) {
      for (const r of await db
        .selectFrom('state_versions')
        .select(['stream', 'state'])
        .where('stream', 'in', things)
        .where('tx_to', 'is', null)
        .execute()) {
        states.set(r.stream, (typeof r.state === 'string' ? JSON.parse(r.state) : r.state) as AnyState);
      }
    }
    // A fact's state is the fold of its own events, as the handler computes it.
    const facts = streams.filter((s) => s.startsWith('fact-') && versions.has(s));
    if (facts.length) {
      const rows = await trx
        .selectFrom('events')
        .select(['stream', 'type', 'schema_version', 'data'])
        .where('stream', 'in', facts)
        .orderBy('stream')
        .orderBy('stream_version')
        .execute();
      for (const r of rows)
        states.set(r.stream, evolveAny(states.get(r.stream) ?? null, upcast(r.type, r.schema_version, r.data as Record<string, unknown>)));
    }
  }
  const context = await loadContext(db, planned);

  const lookups = batchLookups(context);

  const outcomes: Outcome[] = [];
  const writes = new Map<string, StreamWrite>();
  for (const [i, command] of planned.entries()) {
    const plan = plans[i];
    if (plan instanceof DomainError) {
      outcomes.push({ planned: command, events: 0, error: plan });
      continue;
    }
    const state = states.get(streamName(plan.kind, plan.id)) ?? null;
    let decided: Result<DomainEvent[]>;
    try {
      decided = await plan.decide(state, lookups);
      if (decided.ok) for (const e of decided.value) assertJson(e.data, 'event');
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      decided = { ok: false, error: err };
    }
    if (!decided.ok) {
      outcomes.push({ planned: command, events: 0, error: decided.error });
      continue;
    }
    for (const event of decided.value) {
      const own = streamOf(event);
      let write = writes.get(own);
      if (!write) {
        const version = versions.get(own) ?? 0;
        write = { stream: own, expectedVersion: version === 0 ? 'no_stream' : version, events: [] };
        writes.set(own, write);
      }
      write.events.push({
        type: event.type,
        schemaVersion: CURRENT_SCHEMA_VERSION[event.type],
        data: event.data as Record<string, unknown>,
      });
      states.set(own, evolveAny(states.get(own) ?? null, event));
      track(event, context);
    }
    outcomes.push({ planned: command, events: decided.value.length });
  }

  if (writes.size === 0) return { outcomes, appended: 0 };
  const result = await store.appendWithin(trx, [...writes.values()], metadata);
  return { outcomes, appended: result.lastPosition - result.firstPosition + 1 };
}

async function loadContext(db: Transaction<FactlogSchema>, planned: readonly PlannedCommand[]): Promise<Context> {
  const slugs: string[] = [];
  const entities: string[] = [];
  const sources: string[] = [];
  const properties: string[] = [];
  const facts: string[] = [];
  const collections: string[] = [];
  for (const { command: c } of planned) {
    if (c.type === 'RegisterEntity' && isRecord(c.fields) && typeof c.fields.slug === 'string') slugs.push(c.fields.slug);
    if (c.type === 'RenameEntity' && typeof c.newSlug === 'string') slugs.push(c.newSlug);
    if (c.type === 'CiteSource') sources.push(c.source);
    if (c.type === 'RelateEntity' && !c.unresolved) entities.push(c.target);
    if (c.type === 'AssertFact') {
      entities.push(c.entity);
      properties.push(c.property);
      for (const s of citationSources(c.citations)) sources.push(s);
    }
    if (c.type === 'CreateRecord' || c.type === 'UpdateRecord') {
      if (typeof c.collection === 'string') collections.push(c.collection);
      // The entities a record names (the planner passes stable ids): loaded so that they resolve.
      const raw = c.type === 'CreateRecord' ? c.fields : c.set;
      if (isRecord(raw)) for (const v of Object.values(raw)) if (isStableId(v)) entities.push(v);
    }
    if (c.type === 'CorrectFact') {
      facts.push(c.id);
      if (isRecord(c.set)) for (const s of citationSources(c.set.citations)) sources.push(s);
    }
  }
  const context: Context = {
    slugOwner: new Map(),
    entities: new Set(),
    sources: new Set(),
    properties: new Map(),
    recordSchemas: new Map(),
  };
  if (slugs.length) {
    for (const r of await db
      .selectFrom('entity_keys')
      .select(['key', 'entity_id'])
      .where('rank', '=', 1)
      .where('key', 'in', uniq(slugs))
      .execute())
      context.slugOwner.set(r.key, r.entity_id);
  }
  if (entities.length) {
    for (const r of await db.selectFrom('entities').select('id').where('id', 'in', uniq(entities)).execute()) context.entities.add(r.id);
  }
  if (sources.length) {
    for (const r of await db.selectFrom('sources').select('id').where('id', 'in', uniq(sources)).where('merged_into', 'is', null).execute())
      context.sources.add(r.id);
  }
  if (facts.length) {
    for (const r of await db.selectFrom('facts').select('property_id').where('id', 'in', uniq(facts)).execute())
      properties.push(r.property_id);
  }
  if (properties.length) {
    for (const r of await db.selectFrom('properties').select(['id', 'data_type', 'unit']).where('id', 'in', uniq(properties)).execute()) {
      context.properties.set(r.id, { id: r.id, dataType: r.data_type as DataType, ...(r.unit ? { unit: r.unit } : {}) });
    }
  }
  if (collections.length) {
    for (const r of await db
      .selectFrom('record_schemas')
      .select(['collection_name', 'state'])
      .where('collection_name', 'in', uniq(collections))
      .orderBy('id', 'desc')
      .execute())
      context.recordSchemas.set(
        r.collection_name,
        (typeof r.state === 'string' ? JSON.parse(r.state) : r.state) as NonNullable<RecordSchemaState>,
      );
  }
  return context;
}

const citationSources = (raw: unknown): string[] =>
  Array.isArray(raw)
    ? raw
        .filter(isRecord)
        .map((c) => c.source)
        .filter((s): s is string => typeof s === 'string')
    : [];

/** The planner already turned the wiki's names into ids, so a target is named by its id as is. */
const PLANNED_NAMES: NameLookups = {
  entityId: async (id) => id,
  sourceId: async (id) => id,
  pageSlug: async (slug) => slug,
};

/** The batch's answers, kept current by `track`; an id the batch never loaded or made does not exist. */
function batchLookups(context: Context): CommandLookups {
  return {
    ...PLANNED_NAMES,
    entityId: async (id) => (context.entities.has(id) ? id : null),
    sourceId: async (id) => (context.sources.has(id) ? id : null),
    slugOwner: async (slug) => context.slugOwner.get(slug) ?? null,
    property: async (id) => context.properties.get(id) ?? null,
    recordSchema: async (collection) => context.recordSchemas.get(collection) ?? null,
    // The importer writes no verification evidence (the data set has none), so no batch asks these.
    verificationTarget: async () => false,
    sourceContentHash: async () => null,
  };
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
      context.properties.set(event.data.id, {
        id: event.data.id,
        dataType: event.data.dataType,
        ...(event.data.unit ? { unit: event.data.unit } : {}),
      });
      break;
    case 'RecordSchemaRegistered': {
      const { id, ...fields } = event.data;
      context.recordSchemas.set(fields.collectionName, { id, fields });
      break;
    }
    case 'RecordSchemaUpdated': {
      const cur = [...context.recordSchemas.values()].find((s) => s.id === event.data.id);
      if (cur) context.recordSchemas.set(cur.fields.collectionName, { id: cur.id, fields: applyPatch(cur.fields, event.data) });
      break;
    }
    default:
      break;
  }
}
