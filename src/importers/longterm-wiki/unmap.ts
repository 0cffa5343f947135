import type { Attributes } from '../../domain/fields';
import type { EntityFields, EntityRelation } from '../../domain/entity';
import type { StoredFactValue } from '../../domain/fact';
import { SOURCE_TYPES, type SourceFields } from '../../domain/source';
import type { RecordState } from '../../domain/record';
import type { RecordSchemaFields } from '../../domain/record-schema';
import type { SnapshotFact, StoreSnapshot } from '../sync/store-snapshot';
import {
  ENTITY_REGISTRY_KEYS,
  PAGE_KEYS,
  ENTITY_TYPE_KEYS,
  PROPERTY_KEYS,
  PUBLICATION_KEYS,
  SOURCE_KEYS,
  THING_HEADER_KEYS,
  type KeyMapping,
} from './layout';
import { DATASET_FILES, RECORD_SCHEMAS_DIR } from './read';
import { writtenBack } from './as-written';

/**
 * Unmapping: what the store holds → the wiki's files (pure), the inverse of map.ts. Each item goes
 * into the file it came from (its `file` field); one the store got from elsewhere goes where the
 * wiki keeps its kind. Reading these files back (map.ts) gives exactly the state they were written
 * from, so importing an export into its own store appends nothing.
 */

/** One file of the data set: its path relative to the data set's folder, and its content as plain values. */
export interface DatasetFile {
  path: string;
  format: 'yaml' | 'json';
  value: unknown;
}

export interface UnmappedStore {
  files: DatasetFile[];
  /** Items written, by kind. */
  counts: Record<
    'publications' | 'properties' | 'entities' | 'things' | 'facts' | 'sources' | 'pages' | 'recordSchemas' | 'entityTypes' | 'records',
    number
  >;
}

type Plain = Record<string, unknown>;

/**
 * The fields a mapping names, under their file keys, in the mapping's order, then the item's
 * attributes: the keys it has no typed field for, and a value a typed field refused (or kept only in
 * part), which wins over the typed one, as written (docs/domain.md, Attributes).
 */
function unmapFields<F extends { attributes?: Attributes }>(fields: F, keys: KeyMapping<F>, skip: readonly (keyof F)[] = []): Plain {
  const out: Plain = {};
  for (const [field, key] of Object.entries(keys) as [keyof F & string, string][]) {
    const value = fields[field];
    if (value !== undefined && !skip.includes(field)) out[key] = value;
  }
  if (!skip.includes('attributes')) Object.assign(out, fields.attributes);
  return out;
}

/** What a things header repeats of an entity the registry lists: who it is, and its aliases. */
const HEADER_ONLY: readonly (keyof EntityFields)[] = ['slug', 'name', 'type', 'numericId', 'aliases'];

/** A fact's stored value → the value as the wiki writes it (the inverse of values.ts coerceValue). */
export function fileValue(v: StoredFactValue): unknown {
  switch (v.kind) {
    case 'range':
      return [v.low, v.high];
    case 'min':
      return { min: v.min };
    case 'date':
      return (v.value as { value: string }).value;
    case 'ref':
      return v.entity;
    case 'refs':
      return v.entities;
    default:
      return v.value;
  }
}

const RESOURCES_FALLBACK = `${DATASET_FILES.resources}/web-other.yaml`;

export function unmapStore(store: StoreSnapshot): UnmappedStore {
  const files: DatasetFile[] = [];
  const counts: UnmappedStore['counts'] = {
    publications: 0,
    properties: 0,
    entities: 0,
    things: 0,
    facts: 0,
    sources: 0,
    pages: 0,
    recordSchemas: 0,
    entityTypes: 0,
    records: 0,
  };

  files.push({
    path: DATASET_FILES.publications,
    format: 'yaml',
    value: [...store.publications].map(([id, f]) => ({ id, ...unmapFields(f, PUBLICATION_KEYS) })),
  });
  counts.publications = store.publications.size;

  const properties: Plain = {};
  for (const [id, f] of store.properties) properties[id] = unmapFields(f, PROPERTY_KEYS);
  files.push({ path: DATASET_FILES.properties, format: 'yaml', value: { properties } });
  counts.properties = store.properties.size;

  const factsByEntity = new Map<string, [string, SnapshotFact][]>();
  for (const [id, f] of store.facts) {
    if (f.retracted) continue;
    const list = factsByEntity.get(f.entityId) ?? [];
    list.push([id, f]);
    factsByEntity.set(f.entityId, list);
  }

  const recordsByEntity = new Map<string, RecordState[]>();
  for (const r of store.records.values()) {
    if (r.removed) continue;
    const list = recordsByEntity.get(r.entityId) ?? [];
    list.push(r);
    recordsByEntity.set(r.entityId, list);
  }
  for (const [id, schema] of store.recordSchemas) {
    files.push({ path: `${RECORD_SCHEMAS_DIR}/${id}.yaml`, format: 'yaml', value: schemaItem(schema) });
    counts.recordSchemas++;
  }
  for (const [id, f] of store.entityTypes) {
    files.push({ path: `${DATASET_FILES.schemas}/${id}.yaml`, format: 'yaml', value: { type: id, ...unmapFields(f, ENTITY_TYPE_KEYS) } });
    counts.entityTypes++;
  }
  counts.records = [...recordsByEntity.values()].reduce((n, l) => n + l.length, 0);

  const registries = new Map<string, Plain[]>();
  for (const [id, f] of store.entities) {
    const facts = factsByEntity.get(id) ?? [];
    // The wiki keeps an entity with facts, or with no registry entry, in things/<slug>.yaml; its
    // aliases live in that header then, since the importer reads them from either place.
    const records = recordsByEntity.get(id);
    const thingsFile = facts.length > 0 || records !== undefined || !f.file;
    if (f.file) {
      const list = registries.get(f.file) ?? [];
      const item = entityItem(id, f, ENTITY_REGISTRY_KEYS, thingsFile ? ['aliases'] : []);
      const related = relatedEntries(store.relations.get(id) ?? [], store);
      if (related.length) item.relatedEntries = related;
      list.push(item);
      registries.set(f.file, list);
      counts.entities++;
    }
    if (thingsFile) {
      const value: Plain = { thing: writtenBack(thingHeader(id, f), f.asWritten) };
      if (facts.length > 0) value.facts = facts.map(([factId, fact]) => factItem(factId, fact, store));
      if (records) value.records = recordsSection(records, store);
      files.push({ path: `${DATASET_FILES.things}/${f.slug}.yaml`, format: 'yaml', value });
      counts.things++;
      counts.facts += facts.length;
    }
  }
  for (const [path, list] of registries) files.push({ path, format: 'yaml', value: list });

  const citedBy = new Map<string, string[]>();
  for (const [slug, page] of store.pages) {
    for (const sourceId of page.citations) {
      const list = citedBy.get(sourceId) ?? [];
      list.push(slug);
      citedBy.set(sourceId, list);
    }
  }
  const citedByFacts = new Set<string>();
  for (const f of store.facts.values()) if (!f.retracted) for (const c of f.citations) citedByFacts.add(c.sourceId);
  const homeOfType = commonestFile(
    [...store.sources.values()].map((s) => s.fields),
    (f) => f.type ?? '',
  );

  const resources = new Map<string, Plain[]>();
  const snapshot: Plain[] = [];
  for (const [id, { fields }] of store.sources) {
    if (fields.snapshot) snapshot.push(snapshotEntry(fields));
    // A source only a fact names (by URL) comes back through that fact (and the snapshot, if it has an entry).
    const file = fields.file ?? (citedByFacts.has(id) ? undefined : (homeOfType.get(fields.type ?? '') ?? RESOURCES_FALLBACK));
    if (!file || file === DATASET_FILES.snapshot) continue;
    const item = writtenBack(resourceItem(id, fields, citedBy.get(id) ?? []), fields.asWritten, RESOURCE_SETS);
    const list = resources.get(file) ?? [];
    list.push(item);
    resources.set(file, list);
    counts.sources++;
  }
  for (const [path, list] of resources) files.push({ path, format: 'yaml', value: list });
  // The wiki's database export lists its entries by id.
  snapshot.sort((a, b) => (String(a.id) < String(b.id) ? -1 : String(a.id) > String(b.id) ? 1 : 0));
  files.push({ path: DATASET_FILES.snapshot, format: 'json', value: snapshot });

  files.push({
    path: DATASET_FILES.pages,
    format: 'yaml',
    value: [...store.pages].map(([slug, p]) => ({ slug, ...unmapFields(p.fields, PAGE_KEYS) })),
  });
  counts.pages = store.pages.size;
  return { files, counts };
}

/** A resource's cited_by lists the pages that cite it: a set. */
export const RESOURCE_SETS = ['cited_by'];

/** A source as its resources YAML entry, before its file's own spellings are put back (as-written.ts). */
export function resourceItem(id: string, fields: SourceFields, citedBy: readonly string[]): Plain {
  const item: Plain = { id, ...unmapFields(fields, SOURCE_KEYS) };
  if (typeof item.fetched_at === 'string') item.fetched_at = yamlTime(item.fetched_at);
  // A set: in one order, whichever order the pages came in, so that the file's own order is recorded.
  if (citedBy.length) item.cited_by = [...citedBy].sort();
  return item;
}

/**
 * A source's snapshot entry as it was read. Its type is the one the importer takes over the YAML's, so
 * it follows the store's (changed through the API, say); a source only the snapshot lists follows the
 * store in every field the snapshot and the YAML share.
 */
function snapshotEntry(fields: SourceFields): Plain {
  const entry: Plain = { ...fields.snapshot };
  if (fields.file === DATASET_FILES.snapshot) Object.assign(entry, unmapFields(fields, SOURCE_KEYS));
  if (fields.type && (SOURCE_TYPES as readonly unknown[]).includes(entry.type)) entry.type = fields.type;
  return entry;
}

/**
 * An entry's relations as its relatedEntries, in the entity's order: a target by its slug (a target
 * kept unresolved by the slug the wiki wrote), with the type and relationship the item had.
 */
function relatedEntries(relations: readonly EntityRelation[], store: StoreSnapshot): Plain[] {
  return relations.map((r) => ({
    id: 'entityId' in r ? (store.entities.get(r.entityId)?.slug ?? r.entityId) : r.unresolvedSlug,
    ...(r.type !== undefined ? { type: r.type } : {}),
    ...(r.relationship !== undefined ? { relationship: r.relationship } : {}),
  }));
}

/**
 * An instant as the wiki's resources YAML writes it, `2025-12-28 03:52:37` (UTC, whole seconds); the
 * importer reads that spelling back as the same instant. Finer instants keep their ISO form.
 */
const yamlTime = (iso: string): string => iso.replace(/^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})\.000Z$/, '$1 $2');

/** A record schema as the wiki writes it; `validFrom`/`validTo` are the store's own (records.ts), not the wiki's. */
function schemaItem(f: RecordSchemaFields): Plain {
  const { validFrom: _from, validTo: _to, endpoints, ...rest } = f;
  const out: Plain = {};
  for (const key of ['name', 'description', 'collectionName', 'temporal'] as const) if (rest[key] !== undefined) out[key] = rest[key];
  if (rest.stalenessDays !== undefined) out.stalenessDays = rest.stalenessDays;
  out.endpoints = Object.fromEntries(
    Object.entries(endpoints).map(([name, e]) => {
      const { allowDisplayName, ...own } = e;
      return [name, allowDisplayName === undefined ? own : { ...own, allow_display_name: allowDisplayName }];
    }),
  );
  out.fields = rest.fields;
  return out;
}

/** An entity's records as its things file's `records:` (collection → key → fields), unchecked values as they were written. */
function recordsSection(records: readonly RecordState[], store: StoreSnapshot): Plain {
  const out: Record<string, Plain> = {};
  for (const r of records) {
    const item: Plain = {};
    for (const [name, value] of Object.entries(r.fields)) {
      const ref = value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Plain) : null;
      if (ref && typeof ref.entityId === 'string' && Object.keys(ref).length === 1) {
        item[name] = store.entities.get(ref.entityId)?.slug ?? ref.entityId;
      } else if (ref && typeof ref.displayName === 'string' && Object.keys(ref).length === 1) {
        item.display_name = ref.displayName;
      } else item[name] = value;
    }
    Object.assign(item, r.unchecked);
    (out[r.collection] ??= {})[r.key] = item;
  }
  return out;
}

/**
 * An entity as its things file's header, before the file's own spellings are put back (as-written.ts):
 * who it is, when a registry lists it; else all its fields.
 */
export function thingHeader(id: string, f: EntityFields): Plain {
  const beside = f.file ? (Object.keys(f) as (keyof EntityFields)[]).filter((k) => !HEADER_ONLY.includes(k)) : [];
  return entityItem(id, f, THING_HEADER_KEYS, beside);
}

function entityItem(id: string, f: EntityFields, keys: KeyMapping<EntityFields>, skip: readonly (keyof EntityFields)[]): Plain {
  const { id: slug, ...rest } = unmapFields(f, keys, skip);
  return { id: slug, stableId: id, ...rest };
}

function factItem(id: string, f: SnapshotFact, store: StoreSnapshot): Plain {
  const item: Plain = { id, property: f.propertyId, value: fileValue(f.value) };
  if (f.asOf !== undefined) item.asOf = f.asOf;
  if (f.validEnd !== undefined) item.validEnd = f.validEnd;
  const urls = f.citations.map((c) => store.sources.get(c.sourceId)?.fields.url ?? c.sourceId);
  if (urls.length === 1) item.source = urls[0];
  else if (urls.length > 1) item.source = urls;
  if (f.notes !== undefined) item.notes = f.notes;
  return item;
}

/** For each type, the file that holds most of the sources of that type: where a new one of it goes. */
function commonestFile(sources: SourceFields[], typeOf: (f: SourceFields) => string): Map<string, string> {
  const tally = new Map<string, Map<string, number>>();
  for (const f of sources) {
    if (!f.file) continue;
    const byFile = tally.get(typeOf(f)) ?? new Map<string, number>();
    byFile.set(f.file, (byFile.get(f.file) ?? 0) + 1);
    tally.set(typeOf(f), byFile);
  }
  const out = new Map<string, string>();
  for (const [type, byFile] of tally) out.set(type, [...byFile].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0][0]);
  return out;
}
