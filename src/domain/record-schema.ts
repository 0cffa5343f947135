import { childPath, describeReceived, fail, failInput, ok, type Result } from './errors';
import { applyPatch, bool, integerIn, isRecord, listOf, text, type FieldSpec, type FieldSpecs, type Patch } from './fields';
import { isKebabId } from './ids';
import type { Decider } from './decider';
import { decideRegister, decideUpdate } from './register-update';

/**
 * A record schema (docs/domain.md, "Records"): what the records of one collection hold. It is data in
 * the store, registered and patched by events like a property, and the record decider checks records
 * against the schema's state as it is when the record is written.
 */

/** The types a record field can have. `ref` names an entity; `number` also takes a `[min, max]` range. */
export const RECORD_FIELD_TYPES = ['text', 'date', 'number', 'boolean', 'ref'] as const;
export type RecordFieldType = (typeof RECORD_FIELD_TYPES)[number];

export interface RecordFieldSpec {
  type: RecordFieldType;
  unit?: string;
  required?: boolean;
  description?: string;
}

/**
 * A party a record connects. The implicit endpoint is the entity whose file holds the record; any
 * other is named in the record by entity (or by a display name where `allowDisplayName` says so).
 */
export interface RecordEndpointSpec {
  types: string[];
  required?: boolean;
  implicit?: boolean;
  allowDisplayName?: boolean;
}

export interface RecordSchemaFields {
  name: string;
  description?: string;
  /** The key records of this schema are filed under (`funding-rounds`); fixed once registered. */
  collectionName: string;
  /** Whether records hold over a span of valid time (`validFrom`/`validTo` name the fields that bound it). */
  temporal?: boolean;
  endpoints: Record<string, RecordEndpointSpec>;
  fields: Record<string, RecordFieldSpec>;
  /** A date field whose value starts a record's valid time (temporal schemas). */
  validFrom?: string;
  /** A date field whose value ends a record's valid time (temporal schemas). */
  validTo?: string;
  /** How many days after its latest record a collection is due for review (docs/domain.md, "Freshness"). */
  stalenessDays?: number;
}

const MAX_NAMES = 100;
/** Field and endpoint names as the wiki writes them: `lead_investor`, `team-size`, `foundersPercent`. */
const FIELD_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

function mapOf<T>(item: (raw: unknown, path: string) => Result<T>, what: string): FieldSpec<Record<string, T>> {
  return {
    read(raw, path) {
      if (!isRecord(raw)) return failInput(path, `expected an object of ${what} by name, got ${describeReceived(raw)}`);
      const names = Object.keys(raw);
      if (names.length > MAX_NAMES) return failInput(path, `has ${names.length} entries; the limit is ${MAX_NAMES}`);
      const out: Record<string, T> = {};
      for (const name of names) {
        const at = childPath(path, name);
        if (!FIELD_NAME.test(name)) return failInput(at, 'expected a name of letters, digits, "_" and "-", starting with a letter');
        const r = item(raw[name], at);
        if (!r.ok) return r;
        out[name] = r.value;
      }
      return ok(out);
    },
  };
}

/** Reads an object with exactly the keys `specs` knows (the shared field rules, at a nested path). */
function objectOf<T>(specs: Record<string, FieldSpec<unknown>>, required: readonly string[]) {
  return (raw: unknown, path: string): Result<T> => {
    if (!isRecord(raw)) return failInput(path, `expected an object, got ${describeReceived(raw)}`);
    for (const key of Object.keys(raw)) {
      if (!Object.hasOwn(specs, key))
        return failInput(childPath(path, key), `unknown field; known fields: ${Object.keys(specs).join(', ')}`);
    }
    const out: Record<string, unknown> = {};
    for (const [key, spec] of Object.entries(specs)) {
      const value = raw[key];
      if (value === undefined || value === null) {
        if (required.includes(key)) return failInput(childPath(path, key), 'is required');
        continue;
      }
      const r = spec.read(value, childPath(path, key));
      if (!r.ok) return r;
      out[key] = r.value;
    }
    return ok(out as T);
  };
}

const fieldType: FieldSpec<RecordFieldType> = {
  read: (raw, path) =>
    typeof raw === 'string' && (RECORD_FIELD_TYPES as readonly string[]).includes(raw)
      ? ok(raw as RecordFieldType)
      : failInput(path, `expected one of ${RECORD_FIELD_TYPES.join(', ')}, got ${describeReceived(raw)}`),
};

const readFieldSpec = objectOf<RecordFieldSpec>({ type: fieldType, unit: text(50), required: bool, description: text(2000) }, ['type']);
const readEndpointSpec = objectOf<RecordEndpointSpec>(
  {
    types: listOf(
      { read: (raw, path) => (isKebabId(raw) ? ok(raw) : failInput(path, `expected an entity type, got ${describeReceived(raw)}`)) },
      50,
    ),
    required: bool,
    implicit: bool,
    allowDisplayName: bool,
  },
  ['types'],
);

const fieldName = {
  read: (raw: unknown, path: string): Result<string> =>
    typeof raw === 'string' && FIELD_NAME.test(raw) ? ok(raw) : failInput(path, `expected a field name, got ${describeReceived(raw)}`),
};

export const recordSchemaFields: FieldSpecs<RecordSchemaFields> = {
  name: { ...text(300), required: true },
  description: text(),
  collectionName: {
    read: (raw, path) =>
      isKebabId(raw) ? ok(raw) : failInput(path, `expected a kebab-case collection name, got ${describeReceived(raw)}`),
    required: true,
    immutable: true,
  },
  temporal: bool,
  endpoints: { ...mapOf(readEndpointSpec, 'endpoints'), required: true },
  fields: { ...mapOf(readFieldSpec, 'fields'), required: true },
  validFrom: fieldName,
  validTo: fieldName,
  stalenessDays: integerIn(1, 36_500),
};

/** What the fields must agree on together: names distinct across fields and endpoints, bounds on date fields. */
function checkWhole(f: RecordSchemaFields): Result<RecordSchemaFields> {
  for (const name of Object.keys(f.endpoints)) {
    if (Object.hasOwn(f.fields, name)) return failInput(`endpoints.${name}`, `"${name}" is both a field and an endpoint`);
  }
  if (Object.values(f.endpoints).filter((e) => e.implicit).length > 1)
    return failInput('endpoints', 'at most one endpoint may be implicit');
  for (const bound of ['validFrom', 'validTo'] as const) {
    const name = f[bound];
    if (name === undefined) continue;
    if (f.fields[name]?.type !== 'date') return failInput(bound, `"${name}" is not a date field of this schema`);
  }
  return ok(f);
}

export type RecordSchemaEvent =
  | { type: 'RecordSchemaRegistered'; data: { id: string } & RecordSchemaFields }
  | { type: 'RecordSchemaUpdated'; data: { id: string } & Patch<RecordSchemaFields> };

export type RecordSchemaCommand =
  | { type: 'RegisterRecordSchema'; id: unknown; fields: unknown }
  | { type: 'UpdateRecordSchema'; id: string; set?: unknown; unset?: unknown };

export type RecordSchemaState = { id: string; fields: RecordSchemaFields } | null;

export function decideRecordSchema(command: RecordSchemaCommand, state: RecordSchemaState): Result<RecordSchemaEvent[]> {
  switch (command.type) {
    case 'RegisterRecordSchema': {
      if (!isKebabId(command.id))
        return failInput('id', `expected a kebab-case id such as "funding-round", got ${JSON.stringify(command.id)}`);
      const fields = decideRegister(recordSchemaFields, state !== null, `record schema "${command.id}"`, command.fields);
      if (!fields.ok) return fields;
      const whole = checkWhole(fields.value);
      return whole.ok ? ok([{ type: 'RecordSchemaRegistered', data: { id: command.id, ...whole.value } }]) : whole;
    }
    case 'UpdateRecordSchema': {
      const what = `record schema "${command.id}"`;
      const patch = decideUpdate(recordSchemaFields, state?.fields ?? null, what, command.set, command.unset);
      if (!patch.ok) return fail(patch.error);
      if (!patch.value) return ok([]);
      const whole = checkWhole(applyPatch(state!.fields, patch.value));
      return whole.ok ? ok([{ type: 'RecordSchemaUpdated', data: { id: command.id, ...patch.value } }]) : whole;
    }
  }
}

export function evolveRecordSchema(state: RecordSchemaState, event: RecordSchemaEvent): RecordSchemaState {
  switch (event.type) {
    case 'RecordSchemaRegistered': {
      const { id, ...fields } = event.data;
      return { id, fields };
    }
    case 'RecordSchemaUpdated':
      return state && { ...state, fields: applyPatch(state.fields, event.data) };
  }
}

export const recordSchemaDecider: Decider<RecordSchemaCommand, RecordSchemaState, RecordSchemaEvent> = {
  initialState: null,
  decide: decideRecordSchema,
  evolve: evolveRecordSchema,
};

/**
 * The date a record counts from for its collection's freshness: the start of its valid time where the
 * schema names one, else its first date field (in the schema's order) that holds a value.
 */
export function recordDate(schema: RecordSchemaFields, values: Readonly<Record<string, unknown>>): string | null {
  const names = [schema.validFrom, ...Object.keys(schema.fields).filter((n) => schema.fields[n].type === 'date')];
  for (const name of names) {
    const v = name === undefined ? undefined : values[name];
    if (typeof v === 'string') return v;
  }
  return null;
}
