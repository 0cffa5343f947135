import { canonicalJson } from '../store/canonical-json';
import { sha256Hex } from '../store/event-hash';
import { DomainError, type Result } from '../domain/errors';
import { decideEntity } from '../domain/entity';
import { CURRENT_SCHEMA_VERSION, streamName, streamOf, upcast, type DomainEvent, type Kind } from '../domain/events';
import { evolveAny, type AnyState, type StateOfKind } from '../domain/evolve';
import { decideFact } from '../domain/fact';
import { generateFactId, generateStableId } from '../domain/ids';
import { notFound } from '../domain/kind';
import { decidePage } from '../domain/page';
import { decideProperty } from '../domain/property';
import { decidePublication } from '../domain/publication';
import { decideSource, sourceIdOf } from '../domain/source';
import { isRecord } from '../domain/fields';
import type { EventStore, ExpectedVersion, StreamWrite } from '../store/event-store';
import { factProperty, resolveEntityId, resolvePageSlug, resolveSourceId, slugOwner } from '../projections/lookup';
import type { FactlogDb } from '../projections/tables';
import type { Command, CommandOptions, CommandResult } from './commands';

/** A command made concrete: which stream it acts on, and how to decide given that stream's state. */
interface Plan {
  kind: Kind;
  id: string;
  decide(state: AnyState): Result<DomainEvent[]>;
}

/**
 * Runs commands: resolves the names in them (slugs, URLs, stable ids), loads the target stream's
 * state by folding its events, lets the pure domain decide, and appends the result with optimistic
 * concurrency and idempotency. GraphQL, the CLI and importers all write through here.
 */
export class CommandHandler {
  constructor(
    private readonly store: EventStore,
    private readonly db: FactlogDb,
  ) {}

  async execute(command: Command, options: CommandOptions = {}): Promise<CommandResult> {
    const fingerprint = sha256Hex(canonicalJson({ command, expectedVersion: options.expectedVersion ?? null }));
    const key = options.idempotencyKey;
    if (key) {
      const earlier = await this.replayOf(key, fingerprint, options.idempotencyScope);
      if (earlier) return earlier;
    }
    try {
      return await this.decideAndAppend(command, options, fingerprint);
    } catch (err) {
      // A retry racing the request it repeats can lose: the first one commits between this one's
      // idempotency check and its decision, so the domain sees the fact already asserted (or the
      // version moved on). If the key is now recorded, this is that retry: answer as a replay.
      if (key && err instanceof DomainError) {
        const earlier = await this.replayOf(key, fingerprint, options.idempotencyScope);
        if (earlier) return earlier;
      }
      throw err;
    }
  }

  private async replayOf(key: string, fingerprint: string, scope: string | undefined): Promise<CommandResult | null> {
    const earlier = await this.store.idempotentResult(key, fingerprint, scope);
    return earlier ? this.resultOf(earlier.streams[0].stream, earlier.streams[0].version, earlier.lastPosition, false, true) : null;
  }

  private async decideAndAppend(command: Command, options: CommandOptions, fingerprint: string): Promise<CommandResult> {
    const plan = await this.plan(command);
    const stream = streamName(plan.kind, plan.id);
    const { state, version, lastPosition } = await this.load(stream);
    // A stream that does not exist is better reported by the domain (NOT_FOUND) than as a conflict;
    // the append's compare-and-set still guards a creation racing with this command.
    if (options.expectedVersion !== undefined && options.expectedVersion !== version && version > 0) {
      throw new DomainError('CONFLICT', `${stream} is at version ${version}, not at the expected ${options.expectedVersion}`,
        ['expectedVersion'], { stream, expectedVersion: options.expectedVersion, actualVersion: version });
    }
    const decided = plan.decide(state);
    if (!decided.ok) throw decided.error;
    if (decided.value.length === 0) return this.resultOf(stream, version, lastPosition, false, false);

    const writes = groupByStream(decided.value, stream, options.expectedVersion ?? version);
    const { expectedVersion: _seen, idempotencyScope, ...metadata } = options;
    const appended = await this.store.appendMany(writes, metadata, { fingerprint, idempotencyScope });
    const own = appended.streams.find((s) => s.stream === stream) ?? appended.streams[0];
    return this.resultOf(own.stream, own.version, appended.lastPosition, true, appended.replayed);
  }

  private resultOf(stream: string, version: number, position: number, changed: boolean, replayed: boolean): CommandResult {
    const dash = stream.indexOf('-');
    return { kind: stream.slice(0, dash) as Kind, id: stream.slice(dash + 1), stream, version, position, changed, replayed };
  }

  /** A stream's current state by folding its events through the domain's evolve. */
  private async load(stream: string): Promise<{ state: AnyState; version: number; lastPosition: number }> {
    const version = await this.store.streamVersion(stream);
    if (version === 0) return { state: null, version: 0, lastPosition: 0 };
    const events = await this.store.readStream(stream);
    const state = events.reduce<AnyState>((s, e) => evolveAny(s, upcast(e.type, e.schemaVersion, e.data)), null);
    return { state, version, lastPosition: events[events.length - 1].position };
  }

  private async plan(command: Command): Promise<Plan> {
    const db = this.db;
    switch (command.type) {
      case 'RegisterPublication':
      case 'UpdatePublication':
        return { kind: 'publication', id: String(command.id), decide: (s) => decidePublication(command, s as StateOfKind['publication']) };
      case 'DefineProperty':
      case 'UpdateProperty':
        return { kind: 'property', id: String(command.id), decide: (s) => decideProperty(command, s as StateOfKind['property']) };

      case 'RegisterSource': {
        const id = sourceIdOf(command.fields);
        if (!id.ok) throw id.error;
        const context = { newStableId: generateStableId() };
        return { kind: 'source', id: id.value, decide: (s) => decideSource(command, s as StateOfKind['source'], context) };
      }
      case 'UpdateSource':
      case 'CaptureSourceContent': {
        const id = await this.sourceId(command.source, 'source');
        const domain = command.type === 'UpdateSource'
          ? { type: command.type, id, set: command.set, unset: command.unset }
          : { type: command.type, id, content: command.content };
        return { kind: 'source', id, decide: (s) => decideSource(domain, s as StateOfKind['source']) };
      }
      case 'MergeSources': {
        const from = await this.sourceId(command.from, 'from');
        const into = await this.sourceId(command.into, 'into');
        return { kind: 'source', id: from, decide: (s) => decideSource({ type: 'MergeSources', from, into }, s as StateOfKind['source']) };
      }

      case 'CreatePage':
        return { kind: 'page', id: String(command.slug), decide: (s) => decidePage(command, s as StateOfKind['page']) };
      case 'UpdatePage': {
        const slug = await this.pageSlug(command.page);
        return { kind: 'page', id: slug, decide: (s) => decidePage({ type: 'UpdatePage', slug, set: command.set, unset: command.unset }, s as StateOfKind['page']) };
      }
      case 'CiteSource':
      case 'UnciteSource': {
        const slug = await this.pageSlug(command.page);
        const sourceId = command.type === 'CiteSource'
          ? await this.sourceId(command.source, 'source')
          : (await resolveSourceId(db, command.source)) ?? command.source;
        return { kind: 'page', id: slug, decide: (s) => decidePage({ type: command.type, slug, sourceId }, s as StateOfKind['page'], { sourceExists: true }) };
      }

      case 'RegisterEntity': {
        const id = command.id ?? generateStableId();
        const slug = isRecord(command.fields) && typeof command.fields.slug === 'string' ? command.fields.slug : null;
        const context = { slugOwner: slug ? await slugOwner(db, slug) : null };
        return { kind: 'entity', id, decide: (s) => decideEntity({ type: 'RegisterEntity', id, fields: command.fields }, s as StateOfKind['entity'], context) };
      }
      case 'UpdateEntity': {
        const id = await this.entityId(command.entity, 'entity');
        return { kind: 'entity', id, decide: (s) => decideEntity({ type: 'UpdateEntity', id, set: command.set, unset: command.unset }, s as StateOfKind['entity']) };
      }
      case 'RenameEntity': {
        const id = await this.entityId(command.entity, 'entity');
        const context = { slugOwner: typeof command.newSlug === 'string' ? await slugOwner(db, command.newSlug) : null };
        return { kind: 'entity', id, decide: (s) => decideEntity({ type: 'RenameEntity', id, newSlug: command.newSlug }, s as StateOfKind['entity'], context) };
      }

      case 'AssertFact': {
        const id = command.id ?? generateFactId();
        const entityId = typeof command.entity === 'string' ? await resolveEntityId(db, command.entity) : null;
        const property = typeof command.property === 'string' ? await factProperty(db, command.property) : null;
        const fields = {
          entityId: entityId ?? command.entity,
          propertyId: command.property,
          value: command.value,
          asOf: command.asOf ?? undefined,
          validEnd: command.validEnd ?? undefined,
          citations: command.citations == null ? undefined : await this.citations(command.citations, 'citations'),
          notes: command.notes ?? undefined,
          rank: command.rank ?? undefined,
        };
        const context = { property, entityExists: entityId !== null };
        return { kind: 'fact', id, decide: (s) => decideFact({ type: 'AssertFact', id, fields }, s as StateOfKind['fact'], context) };
      }
      case 'CorrectFact': {
        const property = await this.propertyOfFact(command.id);
        const set = isRecord(command.set) && Array.isArray(command.set.citations)
          ? { ...command.set, citations: await this.citations(command.set.citations, 'set.citations') }
          : command.set;
        return { kind: 'fact', id: command.id, decide: (s) => decideFact({ type: 'CorrectFact', id: command.id, set, unset: command.unset }, s as StateOfKind['fact'], { property, entityExists: true }) };
      }
      case 'RetractFact':
      case 'DeprecateFact':
        return { kind: 'fact', id: command.id, decide: (s) => decideFact(command, s as StateOfKind['fact'], { property: null, entityExists: true }) };
      case 'AddFactCitation': {
        const [citation] = await this.citations([command.citation], 'citation');
        return { kind: 'fact', id: command.id, decide: (s) => decideFact({ type: 'AddFactCitation', id: command.id, citation }, s as StateOfKind['fact'], { property: null, entityExists: true }) };
      }
      case 'RemoveFactCitation': {
        const sourceId = (await resolveSourceId(db, command.source)) ?? command.source;
        return { kind: 'fact', id: command.id, decide: (s) => decideFact({ type: 'RemoveFactCitation', id: command.id, sourceId }, s as StateOfKind['fact'], { property: null, entityExists: true }) };
      }
    }
  }

  private async sourceId(key: unknown, path: string): Promise<string> {
    const id = typeof key === 'string' ? await resolveSourceId(this.db, key) : null;
    if (!id) throw notFound(`source ${JSON.stringify(key)}`, path);
    return id;
  }

  private async entityId(key: unknown, path: string): Promise<string> {
    const id = typeof key === 'string' ? await resolveEntityId(this.db, key) : null;
    if (!id) throw notFound(`entity ${JSON.stringify(key)}`, path);
    return id;
  }

  private async pageSlug(key: unknown): Promise<string> {
    const slug = typeof key === 'string' ? await resolvePageSlug(this.db, key) : null;
    if (!slug) throw notFound(`page ${JSON.stringify(key)}`, 'page');
    return slug;
  }

  private async propertyOfFact(factId: string): Promise<Awaited<ReturnType<typeof factProperty>>> {
    const row = await this.db.selectFrom('facts').select('property_id').where('id', '=', factId).executeTakeFirst();
    return row ? factProperty(this.db, row.property_id) : null;
  }

  /** API citations name sources by id, stable id or URL; events keep the hex id. */
  private async citations(raw: unknown, path: string): Promise<{ sourceId: string; quote?: unknown; locator?: unknown }[]> {
    if (!Array.isArray(raw)) throw new DomainError('BAD_USER_INPUT', `${path}: expected a list of {source, quote?, locator?}`, [path]);
    return Promise.all(raw.map(async (c: unknown, i) => {
      if (!isRecord(c)) throw new DomainError('BAD_USER_INPUT', `${path}.${i}: expected {source, quote?, locator?}`, [path, String(i)]);
      const { source, ...rest } = c;
      return { ...rest, sourceId: await this.sourceId(source, `${path}.${i}.source`) };
    }));
  }
}

/** Events go to the stream they name; the command's own stream is expected at the loaded version. */
function groupByStream(events: DomainEvent[], ownStream: string, ownVersion: number): StreamWrite[] {
  const writes = new Map<string, StreamWrite>();
  for (const event of events) {
    const stream = streamOf(event);
    const expectedVersion: ExpectedVersion = stream === ownStream ? (ownVersion === 0 ? 'no_stream' : ownVersion) : 'exists';
    const write = writes.get(stream) ?? { stream, expectedVersion, events: [] };
    write.events.push({ type: event.type, schemaVersion: CURRENT_SCHEMA_VERSION[event.type], data: event.data as Record<string, unknown> });
    writes.set(stream, write);
  }
  return [...writes.values()];
}

