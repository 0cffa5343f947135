import { entityDecider } from '../domain/entity';
import { entityTypeDecider } from '../domain/entity-type';
import { DomainError, type Result } from '../domain/errors';
import type { DomainEvent, Kind } from '../domain/events';
import type { AnyState, StateOfKind } from '../domain/evolve';
import { factDecider, type FactContext } from '../domain/fact';
import { isRecord } from '../domain/fields';
import { generateFactId, generateStableId } from '../domain/ids';
import { notFound } from '../domain/register-update';
import { pageDecider } from '../domain/page';
import { propertyDecider } from '../domain/property';
import { publicationDecider } from '../domain/publication';
import { readRecordIdentity, recordDecider, referencesIn, type RecordContext } from '../domain/record';
import { recordSchemaDecider } from '../domain/record-schema';
import { sourceDecider, sourceIdOf } from '../domain/source';
import { parseTarget, targetKey, verificationDecider } from '../domain/verification';
import type { Command } from './commands';
import type { CommandLookups, NameLookups } from './lookups';

/**
 * A command made concrete: the stream it acts on, and how it decides once that stream's state is
 * loaded. Lookups beyond the target happen at decide time, not at planning, because the importer's
 * answers change as its batch's own events land (a registration earlier in the batch takes a slug).
 */
export interface Plan {
  kind: Kind;
  id: string;
  /**
   * The id was generated for this command, so its stream cannot exist yet and there is no state to
   * load; the append's "no stream" expectation still refuses the (astronomically unlikely) collision.
   */
  newStream?: boolean;
  decide(state: AnyState, lookups: CommandLookups): Promise<Result<DomainEvent[]>>;
}

/**
 * The one place that maps a caller's command to its kind's decider. `names` resolves the target;
 * the handler resolves names the caller used, the importer passes ids its planner already resolved.
 */
export async function planCommand(command: Command, names: NameLookups): Promise<Plan> {
  switch (command.type) {
    case 'RegisterPublication':
    case 'UpdatePublication':
      return on('publication', String(command.id), async (s) => publicationDecider.decide(command, s));
    case 'DefineProperty':
    case 'UpdateProperty':
      return on('property', String(command.id), async (s) => propertyDecider.decide(command, s));
    case 'RegisterRecordSchema':
    case 'UpdateRecordSchema':
      return on('recordSchema', String(command.id), async (s) => recordSchemaDecider.decide(command, s));
    case 'RegisterEntityType':
    case 'UpdateEntityType':
      return on('entityType', String(command.id), async (s) => entityTypeDecider.decide(command, s));

    case 'CreateRecord':
    case 'UpdateRecord':
    case 'RemoveRecord': {
      const entityId = await required(names, 'entityId', command.entity, 'entity');
      const identity = readRecordIdentity(entityId, command.collection, command.key);
      if (!identity.ok) throw identity.error;
      const { id, collection, key } = identity.value;
      return on('record', id, async (s, lookups) => {
        const schema = await lookups.recordSchema(collection);
        const raw = command.type === 'CreateRecord' ? command.fields : command.type === 'UpdateRecord' ? command.set : undefined;
        const context: RecordContext = { schema, refs: await references(lookups, schema ? referencesIn(schema.fields, raw) : []) };
        switch (command.type) {
          case 'CreateRecord':
            return recordDecider.decide(
              { type: 'CreateRecord', id, entityId, collection, key, fields: command.fields, unchecked: command.unchecked },
              s,
              context,
            );
          case 'UpdateRecord':
            return recordDecider.decide(
              { type: 'UpdateRecord', id, set: command.set, unset: command.unset, unchecked: command.unchecked },
              s,
              context,
            );
          case 'RemoveRecord':
            return recordDecider.decide({ type: 'RemoveRecord', id }, s, context);
        }
      });
    }

    case 'RegisterSource': {
      const id = sourceIdOf(command.fields);
      if (!id.ok) throw id.error;
      return on('source', id.value, async (s) => sourceDecider.decide(command, s, { newStableId: generateStableId() }));
    }
    case 'UpdateSource': {
      const id = await required(names, 'sourceId', command.source, 'source');
      return on('source', id, async (s) => sourceDecider.decide({ type: command.type, id, set: command.set, unset: command.unset }, s));
    }
    case 'CaptureSourceContent': {
      const id = await required(names, 'sourceId', command.source, 'source');
      return on('source', id, async (s) => sourceDecider.decide({ type: command.type, id, content: command.content }, s));
    }
    case 'MergeSources': {
      const from = await required(names, 'sourceId', command.from, 'from');
      return on('source', from, async (s, lookups) => {
        const into = await required(lookups, 'sourceId', command.into, 'into');
        return sourceDecider.decide({ type: 'MergeSources', from, into }, s);
      });
    }

    case 'CreatePage':
      return on('page', String(command.slug), async (s) => pageDecider.decide(command, s));
    case 'UpdatePage': {
      const slug = await required(names, 'pageSlug', command.page, 'page');
      return on('page', slug, async (s) => pageDecider.decide({ type: 'UpdatePage', slug, set: command.set, unset: command.unset }, s));
    }
    case 'CiteSource':
    case 'UnciteSource': {
      const slug = await required(names, 'pageSlug', command.page, 'page');
      return on('page', slug, async (s, lookups) => {
        // Unciting a source that is gone (or never was) is still allowed, by the id the page keeps.
        const sourceId =
          command.type === 'CiteSource'
            ? await required(lookups, 'sourceId', command.source, 'source')
            : ((await lookups.sourceId(command.source)) ?? command.source);
        return pageDecider.decide({ type: command.type, slug, sourceId }, s, { sourceExists: true });
      });
    }

    case 'RegisterEntity': {
      const id = command.id ?? generateStableId();
      const slug = isRecord(command.fields) && typeof command.fields.slug === 'string' ? command.fields.slug : null;
      return on('entity', id, async (s, lookups) =>
        entityDecider.decide({ type: 'RegisterEntity', id, fields: command.fields }, s, {
          slugOwner: slug ? await lookups.slugOwner(slug) : null,
        }),
      );
    }
    case 'UpdateEntity': {
      const id = await required(names, 'entityId', command.entity, 'entity');
      return on('entity', id, async (s) => entityDecider.decide({ type: 'UpdateEntity', id, set: command.set, unset: command.unset }, s));
    }
    case 'RenameEntity': {
      const id = await required(names, 'entityId', command.entity, 'entity');
      const { newSlug } = command;
      return on('entity', id, async (s, lookups) =>
        entityDecider.decide({ type: 'RenameEntity', id, newSlug }, s, {
          slugOwner: typeof newSlug === 'string' ? await lookups.slugOwner(newSlug) : null,
        }),
      );
    }
    case 'RelateEntity': {
      const id = await required(names, 'entityId', command.entity, 'entity');
      const { target, targetType, relationship, unresolved } = command;
      return on('entity', id, async (s, lookups) => {
        if (unresolved)
          return entityDecider.decide({ type: 'RelateEntity', id, target: { unresolvedSlug: target }, targetType, relationship }, s);
        const targetId = typeof target === 'string' ? await lookups.entityId(target) : null;
        if (!targetId) throw notFound(`entity ${JSON.stringify(target)}`, 'target');
        return entityDecider.decide({ type: 'RelateEntity', id, target: { entityId: targetId }, targetType, relationship }, s, {
          targetExists: true,
        });
      });
    }
    case 'UnrelateEntity': {
      const id = await required(names, 'entityId', command.entity, 'entity');
      const { target, relationship, unresolved } = command;
      return on('entity', id, async (s, lookups) => {
        // A relation to an entity that is gone (or never was) is still taken away by the id it keeps.
        const entityId = unresolved ? null : ((await lookups.entityId(target)) ?? target);
        return entityDecider.decide(
          { type: 'UnrelateEntity', id, target: entityId === null ? { unresolvedSlug: target } : { entityId }, relationship },
          s,
        );
      });
    }

    case 'AssertFact': {
      const id = command.id ?? generateFactId();
      return on(
        'fact',
        id,
        async (s, lookups) => {
          // Two independent reads: on PostgreSQL they overlap on two connections instead of waiting in turn.
          const [entityId, property] = await Promise.all([
            typeof command.entity === 'string' ? lookups.entityId(command.entity) : null,
            typeof command.property === 'string' ? lookups.property(command.property) : null,
          ]);
          const fields = {
            entityId: entityId ?? command.entity,
            propertyId: command.property,
            value: command.value,
            asOf: command.asOf ?? undefined,
            validEnd: command.validEnd ?? undefined,
            citations: command.citations == null ? undefined : await citations(lookups, command.citations, 'citations'),
            notes: command.notes ?? undefined,
            rank: command.rank ?? undefined,
          };
          return factDecider.decide({ type: 'AssertFact', id, fields }, s, { property, entityExists: entityId !== null });
        },
        command.id === undefined,
      );
    }
    case 'CorrectFact':
      return on('fact', command.id, async (s, lookups) => {
        // A fact's property never changes, so the fact's own state names the property to check against.
        const property = s ? await lookups.property(s.fields.propertyId) : null;
        const set =
          isRecord(command.set) && Array.isArray(command.set.citations)
            ? { ...command.set, citations: await citations(lookups, command.set.citations, 'set.citations') }
            : command.set;
        return factDecider.decide({ type: 'CorrectFact', id: command.id, set, unset: command.unset }, s, { property, entityExists: true });
      });
    case 'RetractFact':
    case 'DeprecateFact':
      return on('fact', command.id, async (s) => factDecider.decide(command, s, ABOUT_NOTHING_ELSE));
    case 'AddFactCitation':
      return on('fact', command.id, async (s, lookups) => {
        const [citation] = await citations(lookups, [command.citation], 'citation');
        return factDecider.decide({ type: 'AddFactCitation', id: command.id, citation }, s, ABOUT_NOTHING_ELSE);
      });
    case 'RemoveFactCitation':
      return on('fact', command.id, async (s, lookups) => {
        const sourceId = (await lookups.sourceId(command.source)) ?? command.source;
        return factDecider.decide({ type: 'RemoveFactCitation', id: command.id, sourceId }, s, ABOUT_NOTHING_ELSE);
      });

    case 'RecordEvidence':
    case 'WithdrawEvidence': {
      const target = parseTarget(command.target);
      if (!target.ok) throw target.error;
      return on('verification', targetKey(target.value), async (s, lookups) => {
        if (command.type === 'WithdrawEvidence') {
          // Evidence from a source that is gone is still withdrawn by the id it keeps.
          const sourceId = (await lookups.sourceId(command.source)) ?? command.source;
          const targetExists = await lookups.verificationTarget(target.value);
          return verificationDecider.decide({ type: command.type, target: target.value, sourceId }, s, {
            targetExists,
            sourceContentHash: null,
          });
        }
        const sourceId = await required(lookups, 'sourceId', command.source, 'source');
        return verificationDecider.decide({ type: command.type, target: target.value, sourceId, fields: command.evidence }, s, {
          targetExists: await lookups.verificationTarget(target.value),
          sourceContentHash: await lookups.sourceContentHash(sourceId),
        });
      });
    }
  }
}

/** The entity each name a record command uses resolves to (null: none has that name). */
async function references(lookups: CommandLookups, names: readonly string[]): Promise<Map<string, string | null>> {
  const out = new Map<string, string | null>();
  for (const name of new Set(names)) out.set(name, await lookups.entityId(name));
  return out;
}

/** These fact commands check nothing in other streams. */
const ABOUT_NOTHING_ELSE: FactContext = { property: null, entityExists: true };

function on<K extends Kind>(
  kind: K,
  id: string,
  decide: (state: StateOfKind[K], lookups: CommandLookups) => Promise<Result<DomainEvent[]>>,
  newStream = false,
): Plan {
  // The only narrowing of a loaded state: a stream's name carries its kind, and its events are folded
  // by that kind's evolve, so the state of stream `<kind>-<id>` is a StateOfKind[kind].
  return { kind, id, newStream, decide: (state, lookups) => decide(state as StateOfKind[K], lookups) };
}

const WHAT: Record<keyof NameLookups, string> = { entityId: 'entity', sourceId: 'source', pageSlug: 'page' };

async function required(names: NameLookups, name: keyof NameLookups, key: unknown, path: string): Promise<string> {
  const id = typeof key === 'string' ? await names[name](key) : null;
  if (!id) throw notFound(`${WHAT[name]} ${JSON.stringify(key)}`, path);
  return id;
}

/** API citations name sources by id, stable id or URL; events keep the hex id. */
async function citations(
  lookups: CommandLookups,
  raw: unknown,
  path: string,
): Promise<{ sourceId: string; quote?: unknown; locator?: unknown }[]> {
  if (!Array.isArray(raw)) throw new DomainError('BAD_USER_INPUT', `${path}: expected a list of {source, quote?, locator?}`, [path]);
  return Promise.all(
    raw.map(async (c: unknown, i) => {
      if (!isRecord(c)) throw new DomainError('BAD_USER_INPUT', `${path}.${i}: expected {source, quote?, locator?}`, [path, String(i)]);
      const { source, ...rest } = c;
      return { ...rest, sourceId: await required(lookups, 'sourceId', source, `${path}.${i}.source`) };
    }),
  );
}
