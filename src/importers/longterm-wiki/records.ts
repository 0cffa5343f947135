import type { JsonValue } from '../../domain/fact-value';
import { recordFieldSpecs, recordId, isRecordKey, referenceNames, type RecordValues } from '../../domain/record';
import { decideRecordSchema, type RecordSchemaFields } from '../../domain/record-schema';
import { isKebabId } from '../../domain/ids';
import type { DesiredRecord, DesiredState } from '../sync/desired';
import type { StoreSnapshot } from '../sync/store-snapshot';
import { at } from '../sync/lenient-fields';
import { Anomalies, type Loc } from '../sync/vocabulary';
import type { RawDataset, RawRecord } from './read';
import type { EntityIndex } from './values';
import { DateTag, RefTag, SrcTag } from './yaml';

/**
 * Mapping the wiki's records (docs/domain.md, "Records"): schemas/records/*.yaml → record schemas,
 * and each things file's `records:` → records on its entity. A value that does not fit its schema is
 * reported and kept verbatim as unchecked, never dropped.
 */

/**
 * Which date fields bound a temporal record's valid time. The wiki's schemas do not say; these are
 * the names its temporal schemas use (board seats: appointed/departed, key persons: start/end, model
 * releases: released). They are Factlog's own keys (validFrom/validTo), not the wiki's.
 */
const VALID_FROM_NAMES = ['start', 'appointed', 'released', 'startDate', 'since'];
const VALID_TO_NAMES = ['end', 'departed', 'endDate', 'until'];

const SCHEMA_KEYS = ['name', 'description', 'collectionName', 'temporal', 'endpoints', 'fields', 'stalenessDays'];
const ENDPOINT_KEYS: Record<string, string> = {
  types: 'types',
  required: 'required',
  implicit: 'implicit',
  allow_display_name: 'allowDisplayName',
};
const FIELD_KEYS = ['type', 'unit', 'required', 'description'];

const isObject = (x: unknown): x is RawRecord => typeof x === 'object' && x !== null && !Array.isArray(x);

/** A YAML value as JSON: the wiki's tags as the text they wrap (`!ref id:slug` → its id). */
function plain(raw: unknown): JsonValue {
  if (raw instanceof RefTag) return raw.id;
  if (raw instanceof DateTag || raw instanceof SrcTag) return raw.value;
  if (Array.isArray(raw)) return raw.map(plain);
  if (isObject(raw)) return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, plain(v)]));
  return raw as JsonValue;
}

/** The verbatim form of an unchecked value: every tag as the text it was written with. */
function verbatim(raw: unknown): JsonValue {
  if (raw instanceof RefTag || raw instanceof DateTag || raw instanceof SrcTag) return String(raw);
  if (Array.isArray(raw)) return raw.map(verbatim);
  if (isObject(raw)) return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, verbatim(v)]));
  return raw as JsonValue;
}

export function mapRecordSchemas(data: RawDataset, desired: DesiredState, anomalies: Anomalies): void {
  for (const { id, loc, data: raw } of data.recordSchemas.items) {
    const fields: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(raw)) {
      if (!SCHEMA_KEYS.includes(key)) {
        desired.unmapped.add(`recordSchemas.${key}`);
        continue;
      }
      fields[key] = plain(value);
    }
    if (isObject(fields.endpoints)) {
      fields.endpoints = Object.fromEntries(
        Object.entries(fields.endpoints).map(([name, e]) => [
          name,
          isObject(e)
            ? Object.fromEntries(
                Object.entries(e).flatMap(([k, v]) => {
                  if (ENDPOINT_KEYS[k]) return [[ENDPOINT_KEYS[k], v]];
                  desired.unmapped.add(`recordSchemas.endpoints.${k}`);
                  return [];
                }),
              )
            : e,
        ]),
      );
    }
    if (isObject(fields.fields)) {
      const specs = Object.fromEntries(
        Object.entries(fields.fields).map(([name, f]) => [
          name,
          isObject(f)
            ? Object.fromEntries(
                Object.entries(f).filter(([k]) => {
                  if (FIELD_KEYS.includes(k)) return true;
                  desired.unmapped.add(`recordSchemas.fields.${k}`);
                  return false;
                }),
              )
            : f,
        ]),
      );
      fields.fields = specs;
      if (fields.temporal === true) {
        const dates = Object.entries(specs)
          .filter(([, f]) => isObject(f) && f.type === 'date')
          .map(([n]) => n);
        const from = VALID_FROM_NAMES.find((n) => dates.includes(n));
        const to = VALID_TO_NAMES.find((n) => dates.includes(n));
        if (from) fields.validFrom = from;
        if (to) fields.validTo = to;
      }
    }
    // Checked by the domain's own rules, as a registration would be.
    const decided = decideRecordSchema({ type: 'RegisterRecordSchema', id, fields }, null);
    if (!decided.ok) {
      anomalies.add('invalid-record', loc, `record schema ${id}: ${decided.error.message}: skipped (its records are kept unchecked)`);
      continue;
    }
    const [event] = decided.value;
    if (event.type !== 'RecordSchemaRegistered') continue;
    const { id: _id, ...schema } = event.data;
    desired.recordSchemas.set(id, { loc, fields: schema });
  }
}

export function mapRecords(
  data: RawDataset,
  inStore: StoreSnapshot,
  desired: DesiredState,
  entities: EntityIndex,
  anomalies: Anomalies,
): void {
  const { records } = desired;
  const entityBySlug = new Map<string, string>();
  for (const e of desired.entities.values()) entityBySlug.set(e.fields.slug, e.id);
  for (const [id, f] of inStore.entities) if (!entityBySlug.has(f.slug)) entityBySlug.set(f.slug, id);
  for (const slug of data.things.unreadable) {
    const id = entityBySlug.get(slug);
    if (id) records.protectedEntities.add(id);
  }

  // Schemas by collection: the files' own, else the store's (a schema the files no longer define).
  const schemas = new Map<string, { id: string; fields: RecordSchemaFields }>();
  for (const [id, fields] of inStore.recordSchemas) schemas.set(fields.collectionName, { id, fields });
  for (const [id, d] of desired.recordSchemas) schemas.set(d.fields.collectionName, { id, fields: d.fields });

  for (const thing of data.things.items) {
    if (thing.records.length === 0) continue;
    const entityId = thing.header && typeof thing.header.data.id === 'string' ? entityBySlug.get(thing.header.data.id) : undefined;
    if (entityId === undefined || !desired.entities.has(entityId)) {
      const byFile = entityBySlug.get(thing.slug);
      if (byFile) records.protectedEntities.add(byFile);
      if (entityId) records.protectedEntities.add(entityId);
      anomalies.add(
        'invalid-record',
        thing.header?.loc ?? { file: thing.file },
        `the entity of this file could not be imported: its ${thing.records.length} records were skipped`,
      );
      continue;
    }
    for (const r of thing.records) {
      if (!isKebabId(r.collection) || !isRecordKey(r.key)) {
        anomalies.add(
          'invalid-record',
          r.loc,
          `record ${r.collection}.${r.key}: the collection must be kebab-case and the key of letters, digits, "_", "." and "-": skipped`,
        );
        continue;
      }
      const id = recordId(entityId, r.collection, r.key);
      const mapped = mapRecord(r.data, schemas.get(r.collection) ?? null, entities, r.loc, anomalies);
      const d: DesiredRecord = { loc: r.loc, id, entityId, collection: r.collection, key: r.key, ...mapped };
      records.byId.set(id, d);
    }
  }
}

function mapRecord(
  raw: RawRecord,
  schema: { id: string; fields: RecordSchemaFields } | null,
  entities: EntityIndex,
  loc: Loc,
  anomalies: Anomalies,
): Pick<DesiredRecord, 'input' | 'stored'> {
  const input: Record<string, unknown> = {};
  const stored: RecordValues = {};
  const unchecked: RecordValues = {};
  const keep = (name: string, why: string) => {
    unchecked[name] = verbatim(raw[name]);
    anomalies.add('unchecked-record-value', at(loc, name), `${why}: kept verbatim`);
  };
  if (!schema) {
    for (const name of Object.keys(raw)) unchecked[name] = verbatim(raw[name]);
    anomalies.add(
      'unchecked-record-value',
      loc,
      `no record schema has the collection of this record: its ${Object.keys(raw).length} fields were kept verbatim`,
    );
    return { input: { fields: {}, unchecked }, stored: { fields: {}, unchecked } };
  }
  const refs = new Map<string, string | null>();
  const refNames = new Set(referenceNames(schema.fields));
  for (const name of refNames) {
    const v = plain(raw[name]);
    if (typeof v === 'string') refs.set(v, entities.lookup(v));
  }
  const specs = recordFieldSpecs(schema.fields, refs);
  const displayEndpoint = Object.entries(schema.fields.endpoints).find(([, e]) => e.allowDisplayName && !e.implicit)?.[0];
  for (const name of Object.keys(raw)) {
    const value = plain(raw[name]);
    if (name === 'display_name' && displayEndpoint && raw[displayEndpoint] === undefined && typeof value === 'string') {
      // The wiki names a party without an entity by `display_name` (docs/domain.md, "Records").
      input[displayEndpoint] = { displayName: value };
      stored[displayEndpoint] = { displayName: value };
      continue;
    }
    if (!Object.hasOwn(specs, name)) {
      keep(name, `"${name}" is not a field of record schema ${schema.id}`);
      continue;
    }
    const read = specs[name].read(value, name);
    if (!read.ok) {
      keep(name, read.error.code === 'NOT_FOUND' ? `${name}: no entity is named ${JSON.stringify(value)}` : read.error.message);
      continue;
    }
    stored[name] = read.value;
    // Commands name entities by the stable id the value resolved to.
    input[name] = refNames.has(name) && typeof value === 'string' ? refs.get(value)! : read.value;
  }
  const hasUnchecked = Object.keys(unchecked).length > 0;
  return {
    input: { fields: input, ...(hasUnchecked ? { unchecked } : {}) },
    stored: { fields: stored, ...(hasUnchecked ? { unchecked } : {}) },
  };
}
