import { childPath, describeReceived, DomainError, fail, failInput, ok, type Result } from './errors';
import type { JsonValue } from './fact-value';
import {
  applyPatch,
  bool,
  effectivePatch,
  isEmptyPatch,
  isRecord,
  partialDateString,
  readFields,
  readPatch,
  text,
  type FieldSpec,
  type FieldSpecs,
  type Patch,
} from './fields';
import { isKebabId, isStableId } from './ids';
import type { Decider } from './decider';
import { notFound } from './register-update';
import type { RecordSchemaFields } from './record-schema';

/**
 * A record (docs/domain.md, "Records"): one entry of a collection on an entity — a funding round, a
 * board seat — identified by (entity, collection, key). Its fields and endpoints are checked against
 * the collection's schema as the schema stands when the record is written; the schema is looked up by
 * the caller and passed in (RecordContext), as a page's decider is told whether a source exists.
 */

/** An endpoint or `ref` field as stored: an entity by stable id, or a display name where the schema allows one. */
export type RecordRef = { entityId: string } | { displayName: string };

export type RecordValues = Record<string, JsonValue>;

export interface RecordIdentity {
  id: string;
  entityId: string;
  collection: string;
  key: string;
}

export interface RecordState extends RecordIdentity {
  /** Absent for a record an importer kept whole (all unchecked) because no schema has its collection. */
  schemaId?: string;
  /** Field and endpoint values, typed by the schema (endpoints and refs as RecordRef). */
  fields: RecordValues;
  /**
   * Values kept exactly as an importer read them because they did not fit the schema (reported as
   * anomalies there). The API never writes them; a patch of a field by the API replaces its unchecked value.
   */
  unchecked?: RecordValues;
  /** The span of valid time a record of a temporal schema holds over (its schema's validFrom/validTo fields). */
  validFrom?: string;
  validTo?: string;
  removed: boolean;
}

export interface Validity {
  validFrom?: string;
  validTo?: string;
}

export type RecordEvent =
  | { type: 'RecordCreated'; data: RecordIdentity & { schemaId?: string; fields: RecordValues; unchecked?: RecordValues } & Validity }
  | {
      type: 'RecordUpdated';
      data: { id: string } & Patch<RecordValues> & {
          /** The whole unchecked map after the update, when it changed (empty: none left). */
          unchecked?: RecordValues;
          /** The valid span after the update, when it changed. */
          valid?: Validity;
        };
    }
  | { type: 'RecordRemoved'; data: { id: string } };

export type RecordCommand =
  | { type: 'CreateRecord'; id: string; entityId: string; collection: string; key: string; fields: unknown; unchecked?: unknown }
  | { type: 'UpdateRecord'; id: string; set?: unknown; unset?: unknown; unchecked?: unknown }
  | { type: 'RemoveRecord'; id: string };

/** What deciding a record needs from other streams, looked up by the caller. */
export interface RecordContext {
  /** The schema of the record's collection now, or null when no schema has that collection name. */
  schema: { id: string; fields: RecordSchemaFields } | null;
  /** The entity each reference the command names resolves to (null: no such entity). */
  refs: ReadonlyMap<string, string | null>;
}

/** Record keys as the wiki writes them: `series-a`, `dario-amodei`, `i_cO1zA2bC3d`. */
const RECORD_KEY = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$/;
export const isRecordKey = (s: unknown): s is string => typeof s === 'string' && RECORD_KEY.test(s);

/**
 * A record's stream id: its entity's stable id, collection and key. `:` occurs in none of them, so the
 * id is unambiguous, and the entity's id (not its slug) keeps it through renames.
 */
export const recordId = (entityId: string, collection: string, key: string): string => `${entityId}:${collection}:${key}`;

/** Checks the parts of a record's identity a caller sent; the error names the part. */
export function readRecordIdentity(entityId: string, collection: unknown, key: unknown): Result<RecordIdentity> {
  if (!isKebabId(collection)) return failInput('collection', `expected a kebab-case collection name, got ${describeReceived(collection)}`);
  if (!isRecordKey(key))
    return failInput('key', `expected a record key of letters, digits, "_", "." and "-", got ${describeReceived(key)}`);
  if (!isStableId(entityId)) return failInput('entity', `expected an entity id, got ${describeReceived(entityId)}`);
  return ok({ id: recordId(entityId, collection, key), entityId, collection, key });
}

/** The names in a schema that hold references: endpoints other than the implicit one, and `ref` fields. */
export function referenceNames(schema: RecordSchemaFields): string[] {
  return [
    ...Object.entries(schema.endpoints)
      .filter(([, e]) => !e.implicit)
      .map(([n]) => n),
    ...Object.entries(schema.fields)
      .filter(([, f]) => f.type === 'ref')
      .map(([n]) => n),
  ];
}

/** The strings a command names entities by, for the caller to resolve before deciding. */
export function referencesIn(schema: RecordSchemaFields, raw: unknown): string[] {
  if (!isRecord(raw)) return [];
  return referenceNames(schema)
    .map((n) => raw[n])
    .filter((v): v is string => typeof v === 'string');
}

const number: FieldSpec<JsonValue> = {
  read(raw, path) {
    if (typeof raw === 'number' && Number.isFinite(raw)) return ok(raw);
    if (Array.isArray(raw) && raw.length === 2 && raw.every((x) => typeof x === 'number' && Number.isFinite(x))) {
      const [lo, hi] = raw as [number, number];
      return lo <= hi ? ok([lo, hi]) : failInput(path, `a range must run from its lower to its upper bound, got [${lo}, ${hi}]`);
    }
    return failInput(path, `expected a number or a [min, max] range, got ${describeReceived(raw)}`);
  },
};

function reference(refs: RecordContext['refs'], allowDisplayName: boolean): FieldSpec<JsonValue> {
  return {
    read(raw, path) {
      if (typeof raw === 'string') {
        const entityId = refs.get(raw);
        if (!entityId) return fail(new DomainError('NOT_FOUND', `${path}: entity ${JSON.stringify(raw)} does not exist`, path.split('.')));
        return ok({ entityId });
      }
      if (isRecord(raw) && Object.keys(raw).length === 1 && typeof raw.displayName === 'string') {
        if (!allowDisplayName) return failInput(path, 'this endpoint names an entity; a display name is not allowed');
        const name = text(300).read(raw.displayName, childPath(path, 'displayName'));
        return name.ok ? ok({ displayName: name.value }) : name;
      }
      return failInput(path, `expected an entity's slug or id${allowDisplayName ? ' or {displayName}' : ''}, got ${describeReceived(raw)}`);
    },
  };
}

/** The field specs a schema gives its records: the shared field rules then check creates and patches alike. */
export function recordFieldSpecs(
  schema: RecordSchemaFields,
  refs: RecordContext['refs'],
  present: ReadonlySet<string> = new Set(),
): FieldSpecs<RecordValues> {
  const specs: Record<string, FieldSpec<JsonValue>> = {};
  for (const [name, f] of Object.entries(schema.fields)) {
    const base: FieldSpec<JsonValue> =
      f.type === 'text'
        ? text()
        : f.type === 'date'
          ? partialDateString
          : f.type === 'number'
            ? number
            : f.type === 'boolean'
              ? bool
              : reference(refs, false);
    specs[name] = { read: base.read, required: (f.required ?? false) && !present.has(name) };
  }
  for (const [name, e] of Object.entries(schema.endpoints)) {
    if (e.implicit) continue;
    specs[name] = { read: reference(refs, e.allowDisplayName ?? false).read, required: (e.required ?? false) && !present.has(name) };
  }
  return specs as FieldSpecs<RecordValues>;
}

function readUnchecked(raw: unknown, path: string): Result<RecordValues | undefined> {
  if (raw === undefined || raw === null) return ok(undefined);
  if (!isRecord(raw)) return failInput(path, `expected an object of values by field name, got ${describeReceived(raw)}`);
  return ok(Object.keys(raw).length ? (raw as RecordValues) : undefined);
}

function validityOf(schema: RecordSchemaFields, fields: RecordValues): Validity {
  if (!schema.temporal) return {};
  const out: Validity = {};
  const from = schema.validFrom && fields[schema.validFrom];
  const to = schema.validTo && fields[schema.validTo];
  if (typeof from === 'string') out.validFrom = from;
  if (typeof to === 'string') out.validTo = to;
  return out;
}

const isEmptyObject = (raw: unknown): boolean => raw === undefined || raw === null || (isRecord(raw) && Object.keys(raw).length === 0);

/** What a record without a schema is checked against when only its unchecked values change. */
const NO_FIELDS: RecordSchemaFields = { name: 'none', collectionName: 'none', endpoints: {}, fields: {} };

const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

export function decideRecord(command: RecordCommand, state: RecordState | null, context: RecordContext): Result<RecordEvent[]> {
  const live = state && !state.removed ? state : null;
  switch (command.type) {
    case 'CreateRecord': {
      const what = `record ${command.collection}/${command.key}`;
      if (live) return fail(new DomainError('CONFLICT', `${what} already exists on this entity`, ['key'], { actualVersion: null }));
      const { schema } = context;
      const unchecked = readUnchecked(command.unchecked, 'unchecked');
      if (!unchecked.ok) return unchecked;
      if (!schema) {
        // Only an importer's record kept whole, with nothing to check, may lack a schema.
        if (!unchecked.value || !isEmptyObject(command.fields))
          return fail(notFound(`record collection "${command.collection}"`, 'collection'));
        const { id, entityId, collection, key } = command;
        return ok([{ type: 'RecordCreated', data: { id, entityId, collection, key, fields: {}, unchecked: unchecked.value } }]);
      }
      const present = new Set(Object.keys(unchecked.value ?? {}));
      const fields = readFields(recordFieldSpecs(schema.fields, context.refs, present), command.fields ?? {}, 'fields', {
        requireAll: true,
      });
      if (!fields.ok) return fields;
      const both = Object.keys(fields.value).find((k) => present.has(k));
      if (both) return failInput(`unchecked.${both}`, `"${both}" is given both as a field and unchecked`);
      const values = fields.value as RecordValues;
      return ok([
        {
          type: 'RecordCreated',
          data: {
            id: command.id,
            entityId: command.entityId,
            collection: command.collection,
            key: command.key,
            schemaId: schema.id,
            fields: values,
            ...(unchecked.value ? { unchecked: unchecked.value } : {}),
            ...validityOf(schema.fields, values),
          },
        },
      ]);
    }
    case 'UpdateRecord': {
      if (!live) return fail(notFound('record', 'key'));
      const patching = command.set !== undefined || command.unset !== undefined || command.unchecked === undefined;
      const schema = context.schema ?? (patching ? null : { id: '', fields: NO_FIELDS });
      if (!schema) return fail(notFound(`record collection "${live.collection}"`, 'collection'));
      const specs = recordFieldSpecs(schema.fields, context.refs);
      let patch: Patch<RecordValues> = { set: {}, unset: [] };
      if (patching) {
        const read = readPatch(specs, command.set, command.unset);
        if (!read.ok) return read;
        patch = effectivePatch(live.fields, read.value);
      }
      // The importer gives the whole unchecked map; otherwise a field the caller sets or clears is no longer unchecked.
      let unchecked: RecordValues;
      if (command.unchecked !== undefined) {
        const read = readUnchecked(command.unchecked, 'unchecked');
        if (!read.ok) return read;
        unchecked = read.value ?? {};
      } else {
        const touched = new Set([...Object.keys(patch.set), ...patch.unset]);
        unchecked = Object.fromEntries(Object.entries(live.unchecked ?? {}).filter(([k]) => !touched.has(k)));
      }
      const next = applyPatch(live.fields, patch);
      const both = Object.keys(unchecked).find((k) => Object.hasOwn(next, k));
      if (both) return failInput(`unchecked.${both}`, `"${both}" is given both as a field and unchecked`);
      const uncheckedChanged = !sameJson(unchecked, live.unchecked ?? {});
      const valid = validityOf(schema.fields, next);
      const validChanged = !sameJson(valid, { validFrom: live.validFrom, validTo: live.validTo });
      if (isEmptyPatch(patch) && !uncheckedChanged && !validChanged) return ok([]);
      return ok([
        {
          type: 'RecordUpdated',
          data: {
            id: live.id,
            ...patch,
            ...(uncheckedChanged ? { unchecked } : {}),
            ...(validChanged ? { valid } : {}),
          },
        },
      ]);
    }
    case 'RemoveRecord':
      if (!live) return fail(notFound('record', 'key'));
      return ok([{ type: 'RecordRemoved', data: { id: live.id } }]);
  }
}

export function evolveRecord(state: RecordState | null, event: RecordEvent): RecordState | null {
  switch (event.type) {
    case 'RecordCreated':
      return { ...event.data, removed: false };
    case 'RecordUpdated': {
      if (!state) return state;
      const next: RecordState = { ...state, fields: applyPatch(state.fields, event.data) };
      if (event.data.unchecked !== undefined) {
        if (Object.keys(event.data.unchecked).length) next.unchecked = event.data.unchecked;
        else delete next.unchecked;
      }
      if (event.data.valid !== undefined) {
        delete next.validFrom;
        delete next.validTo;
        Object.assign(next, event.data.valid);
      }
      return next;
    }
    case 'RecordRemoved':
      return state && { ...state, removed: true };
  }
}

export const recordDecider: Decider<RecordCommand, RecordState | null, RecordEvent, RecordContext> = {
  initialState: null,
  decide: decideRecord,
  evolve: evolveRecord,
};
