import { entityFields, relationKey, type EntityFields, type EntityRelation } from '../../domain/entity';
import { decideEntityType, entityTypeFields, type EntityTypeFields } from '../../domain/entity-type';
import { decideFact } from '../../domain/fact';
import type { DataType } from '../../domain/fact-value';
import type { FieldSpecs } from '../../domain/fields';
import { generateStableId, isFactId, isKebabId, isSourceHexId, isStableId, sourceIdForUrl, validateUrl } from '../../domain/ids';
import { pageFields, type PageFields } from '../../domain/page';
import { propertyFields, type PropertyFields } from '../../domain/property';
import { publicationFields, type PublicationFields } from '../../domain/publication';
import { SOURCE_TYPES, sourceFields, type SourceFields } from '../../domain/source';
import { assertJson } from '../../store/canonical-json';
import type { DesiredEntity, DesiredFact, DesiredRelation, DesiredSource, DesiredState } from '../sync/desired';
import type { StoreSnapshot } from '../sync/store-snapshot';
import { DATASET_FILES, type RawDataset, type RawItem, type RawRecord } from './read';
import { at, readRecord, type RecordCtx, type RecordMemo } from '../sync/lenient-fields';
import { Anomalies, Tally, type Loc } from '../sync/vocabulary';
import { DateTag, RefTag, SrcTag } from './yaml';
import {
  ENTITY_REGISTRY_KEYS,
  ENTITY_TYPE_KEYS,
  FACT_KEYS,
  PAGE_KEYS,
  PROPERTY_KEYS,
  PUBLICATION_KEYS,
  SOURCE_KEYS,
  THING_HEADER_KEYS,
} from './layout';
import { coerceDate, coerceValue, EntityIndex } from './values';
import { mapRecords, mapRecordSchemas } from './records';
import { asWrittenOf } from './as-written';
import { resourceItem, thingHeader } from './unmap';

/**
 * Mapping: the records read from the files → the state the store should be in (pure). Every value
 * goes through the domain's own field specs, so what is desired here is byte for byte what the domain
 * would store; a field the domain refuses is reported and left out rather than failing its record.
 */

export interface MapOptions {
  /** Stable ids for entities that have none in the files (tests pass a seeded one). */
  newStableId?: () => string;
  /** Records read by earlier runs over the same parsed files (the history replay's). */
  memo?: RecordMemo;
}

// ---------------------------------------------------------------------------------------------------

/** Resolves the wiki's ways of naming a source to a source id. */
class SourceIndex {
  /** The YAML's resource id (even a wrong one) and the true source id → the source id. */
  readonly byResourceId = new Map<string, string>();
  readonly byStableId = new Map<string, string>();
  readonly snapshotByUrl = new Map<string, RawItem>();
  readonly snapshotById = new Map<string, RawItem>();
  /** Snapshot entries no YAML resource matched: imported only if a fact cites their URL. */
  unmatched: RawItem[] = [];
}

// ---------------------------------------------------------------------------------------------------

export function mapDataset(data: RawDataset, inStore: StoreSnapshot, anomalies: Anomalies, options: MapOptions = {}): DesiredState {
  const conversions = new Tally();
  const unmapped = new Tally();
  const untyped = new Tally();
  const ctxFor = (kind: string, loc: Loc): RecordCtx => ({
    kind,
    loc,
    anomalies,
    conversions,
    unmapped,
    untyped,
    taggedText,
    memo: options.memo,
  });
  const desired: DesiredState = {
    publications: new Map(),
    properties: new Map(),
    entities: new Map(),
    sources: new Map(),
    pages: new Map(),
    relations: { byEntity: new Map() },
    citations: { removals: data.resources.present && data.resources.complete, bySlug: new Map() },
    facts: new Map(),
    recordSchemas: new Map(),
    entityTypes: new Map(),
    records: { byId: new Map(), removals: data.things.present, protectedEntities: new Set() },
    retractions: { enabled: data.things.present, protectedFacts: new Set(), protectedEntities: new Set() },
    inFiles: {
      publications: data.publications.items.length,
      properties: data.properties.items.length,
      entities: data.entities.items.length,
      things: data.things.items.length,
      resources: data.resources.items.length,
      snapshot: data.snapshot.items.length,
      pages: data.pages.items.length,
      facts: data.things.items.reduce((n, t) => n + t.facts.length, 0),
      recordSchemas: data.recordSchemas.items.length,
      entityTypes: data.entityTypes.items.length,
      records: data.things.items.reduce((n, t) => n + t.records.length, 0),
    },
    conversions,
    unmapped,
    untyped,
    removed: {
      citation: (_slug, sourceId) => ({ file: 'resources', at: `${sourceId}.cited_by` }),
      fact: (slug, id) => ({
        loc: { file: `things/${slug}.yaml`, at: id },
        reason: `no longer in the Longterm Wiki files (things/${slug}.yaml)`,
      }),
      record: (slug, collection, key) => ({ file: `things/${slug}.yaml`, at: `records.${collection}.${key}` }),
    },
  };

  mapPublications(data, desired, ctxFor, anomalies);
  mapProperties(data, desired, ctxFor, anomalies);
  const entities = mapEntities(data, inStore, desired, ctxFor, anomalies, options.newStableId ?? generateStableId);
  const sources = mapSources(data, inStore, desired, ctxFor, anomalies);
  mapPages(data, inStore, desired, ctxFor, anomalies);
  mapCitations(inStore, desired, anomalies);
  recordResourcesAsWritten(data, desired);
  recordThingHeadersAsWritten(data, desired);
  mapFacts(data, inStore, desired, entities, sources, ctxFor, anomalies);
  mapRecordSchemas(data, desired, anomalies);
  mapEntityTypes(data, desired, ctxFor, anomalies);
  mapRecords(data, inStore, desired, entities, anomalies);
  for (const t of data.things.items) {
    for (const [key, n] of Object.entries(t.otherKeys)) unmapped.add(`things.${key}`, n);
  }
  return desired;
}

type CtxFor = (kind: string, loc: Loc) => RecordCtx;

/** The wiki's YAML tags (`!date`, `!ref`, `!src`) read as the plain text they wrap. */
const taggedText = (raw: unknown): string | undefined =>
  raw instanceof DateTag || raw instanceof RefTag || raw instanceof SrcTag ? String(raw) : undefined;

function mapPublications(data: RawDataset, desired: DesiredState, ctxFor: CtxFor, anomalies: Anomalies): void {
  for (const { loc, data: raw } of data.publications.items) {
    if (!isKebabId(raw.id)) {
      anomalies.add('invalid-record', loc, `publication id must be kebab-case, got ${JSON.stringify(raw.id)}: skipped`);
      continue;
    }
    const first = desired.publications.get(raw.id);
    if (first) {
      anomalies.add(
        'duplicate-id',
        loc,
        `publication "${raw.id}" is defined twice (first at line ${first.loc.line}): this one was skipped`,
      );
      continue;
    }
    const fields = readRecord<PublicationFields>(publicationFields, PUBLICATION_KEYS, raw, ctxFor('publications', loc), ['id']);
    if (fields) desired.publications.set(raw.id, { loc, fields });
  }
}

function mapProperties(data: RawDataset, desired: DesiredState, ctxFor: CtxFor, anomalies: Anomalies): void {
  for (const { id, loc, data: raw } of data.properties.items) {
    if (!isKebabId(id)) {
      anomalies.add('invalid-record', loc, `property id must be kebab-case, got ${JSON.stringify(id)}: skipped`);
      continue;
    }
    const fields = readRecord<PropertyFields>(propertyFields, PROPERTY_KEYS, raw, ctxFor('properties', loc));
    if (fields) desired.properties.set(id, { loc, fields });
  }
}

/** schemas/<type>.yaml: the file's name is the type; a `type:` that says otherwise is reported and the name wins. */
function mapEntityTypes(data: RawDataset, desired: DesiredState, ctxFor: CtxFor, anomalies: Anomalies): void {
  for (const { id, loc, data: raw } of data.entityTypes.items) {
    if (!isKebabId(id)) {
      anomalies.add('invalid-record', loc, `entity type file name must be kebab-case, got ${JSON.stringify(id)}: skipped`);
      continue;
    }
    if (raw.type !== undefined && raw.type !== id)
      anomalies.add('id-mismatch', loc, `type ${JSON.stringify(raw.type)} is not the file's name: the type is "${id}"`);
    const fields = readRecord<EntityTypeFields>(entityTypeFields, ENTITY_TYPE_KEYS, raw, ctxFor('entityTypes', loc), ['type']);
    if (!fields) continue;
    // The rules across fields (a name both required and recommended) are the domain's, as for a registration.
    const decided = decideEntityType({ type: 'RegisterEntityType', id, fields }, null);
    if (!decided.ok) anomalies.add('invalid-record', loc, `entity type ${id}: ${decided.error.message}: skipped`);
    else desired.entityTypes.set(id, { loc, fields });
  }
}

function mapEntities(
  data: RawDataset,
  inStore: StoreSnapshot,
  desired: DesiredState,
  ctxFor: CtxFor,
  anomalies: Anomalies,
  newStableId: () => string,
): EntityIndex {
  const bySlug = new Map<string, DesiredEntity>();
  const numericOwner = new Map<string, DesiredEntity>();
  const storedBySlug = new Map([...inStore.entities].map(([id, f]) => [f.slug, id]));
  /** Each registry entry's relatedEntries, read once every entity is known. */
  const related: { entity: DesiredEntity; raw: unknown }[] = [];

  const add = (loc: Loc, raw: RawRecord, source: 'registry' | 'things'): void => {
    const ctx = ctxFor(source === 'registry' ? 'entities' : 'things.thing', loc);
    const keys = source === 'registry' ? ENTITY_REGISTRY_KEYS : THING_HEADER_KEYS;
    const fields = readRecord<EntityFields>(entityFields, keys, raw, ctx, ['stableId', 'relatedEntries']);
    if (!fields) return;
    if (source === 'registry') fields.file = loc.file;
    const stableId = raw.stableId;
    if (stableId !== undefined && !isStableId(stableId)) {
      anomalies.add('invalid-field', at(loc, 'stableId'), `stableId must be 10 characters [A-Za-z0-9], got ${JSON.stringify(stableId)}`);
    }
    const existing = bySlug.get(fields.slug);
    if (existing) {
      if (source === 'things') {
        mergeThingHeader(existing, fields, isStableId(stableId) ? stableId : undefined, loc, anomalies);
        return;
      }
      anomalies.add(
        'duplicate-id',
        loc,
        `entity "${fields.slug}" is defined twice (first at ${existing.loc.file}:${existing.loc.line}): this one was skipped`,
      );
      return;
    }
    const id = isStableId(stableId) ? stableId : (storedBySlug.get(fields.slug) ?? newStableId());
    const sameId = desired.entities.get(id);
    if (sameId) {
      anomalies.add('duplicate-id', loc, `stable id ${id} of "${fields.slug}" already belongs to "${sameId.fields.slug}": skipped`);
      return;
    }
    if (fields.numericId) {
      const owner = numericOwner.get(fields.numericId);
      if (owner) {
        anomalies.add(
          'duplicate-id',
          at(loc, 'numericId'),
          `numericId ${fields.numericId} of "${fields.slug}" already belongs to "${owner.fields.slug}": left out`,
        );
        delete fields.numericId;
      }
    }
    const entity: DesiredEntity = { loc, id, fields };
    bySlug.set(fields.slug, entity);
    desired.entities.set(id, entity);
    if (fields.numericId) numericOwner.set(fields.numericId, entity);
    if (source === 'registry') related.push({ entity, raw: raw.relatedEntries });
  };

  for (const { loc, data: raw } of data.entities.items) add(loc, raw, 'registry');
  for (const thing of data.things.items) if (thing.header) add(thing.header.loc, thing.header.data, 'things');

  // Aliases come from the things headers: an entity whose things file could not be read (or all of
  // them, when the folder is missing) keeps the aliases it has, since the file was not emptied.
  const unread = data.things.present ? data.things.unreadable.map((slug) => bySlug.get(slug)) : [...bySlug.values()];
  for (const e of unread) {
    const stored = e && inStore.entities.get(e.id)?.aliases;
    if (e && stored && !e.fields.aliases) e.fields.aliases = [...stored];
  }

  // Aliases must not shadow another entity's slug, or a reference by that slug would be ambiguous.
  for (const e of desired.entities.values()) {
    if (!e.fields.aliases) continue;
    const kept = e.fields.aliases.filter((a) => {
      const other = bySlug.get(a);
      if (other && other !== e) {
        anomalies.add(
          'duplicate-id',
          at(e.loc, 'aliases'),
          `alias "${a}" of "${e.fields.slug}" is the slug of "${other.fields.slug}": left out`,
        );
        return false;
      }
      return true;
    });
    if (kept.length) e.fields.aliases = kept;
    else delete e.fields.aliases;
  }

  const index = new EntityIndex();
  for (const e of desired.entities.values()) index.add(e.id, e.fields);
  for (const [id, f] of inStore.entities) index.add(id, f);
  for (const { entity, raw } of related) desired.relations.byEntity.set(entity.id, mapRelations(entity, raw, index, anomalies));
  return index;
}

/**
 * An entry's relatedEntries → its relations, in the file's order. Each item goes through the same
 * rules the domain applies to RelateEntity; an item it would refuse is reported and left out, and a
 * target no entity has is reported and kept by its slug.
 */
function mapRelations(entity: DesiredEntity, raw: unknown, index: EntityIndex, anomalies: Anomalies): DesiredRelation[] {
  const out: DesiredRelation[] = [];
  if (raw === undefined || raw === null) return out;
  const field = at(entity.loc, 'relatedEntries');
  if (!Array.isArray(raw)) {
    anomalies.add('invalid-field', field, `relatedEntries: expected a list, got ${JSON.stringify(raw)}`);
    return out;
  }
  const seen = new Set<string>();
  raw.forEach((item: unknown, i) => {
    const loc = { ...entity.loc, at: `${entity.fields.slug}.relatedEntries.${i}` };
    const refuse = (why: string) => anomalies.add('invalid-field', loc, `relatedEntries.${i}: ${why}: left out`);
    if (typeof item !== 'object' || item === null || Array.isArray(item))
      return refuse(`expected {id, type?, relationship?}, got ${JSON.stringify(item)}`);
    const { id: target, type, relationship, ...other } = item as Record<string, unknown>;
    const extra = Object.keys(other);
    if (extra.length) return refuse(`unknown key ${JSON.stringify(extra[0])}; known keys: id, type, relationship`);
    if (!isKebabId(target)) return refuse(`id must be an entity slug, got ${JSON.stringify(target)}`);
    if (type !== undefined && !isKebabId(type))
      return refuse(`type must be an entity type such as "organization", got ${JSON.stringify(type)}`);
    if (relationship !== undefined && !isKebabId(relationship))
      return refuse(`relationship must be kebab-case such as "created-by", got ${JSON.stringify(relationship)}`);
    const entityId = index.lookup(target);
    if (entityId === entity.id) return refuse('an entity cannot be related to itself');
    if (!entityId) anomalies.add('unknown-ref', loc, `relatedEntries.${i}: "${target}" names no known entity: kept as written`);
    const relation: EntityRelation = {
      ...(entityId ? { entityId } : { unresolvedSlug: target }),
      ...(type !== undefined ? { type } : {}),
      ...(relationship !== undefined ? { relationship } : {}),
    };
    const key = relationKey(relation);
    if (seen.has(key)) {
      anomalies.add(
        'duplicate-item',
        loc,
        `relatedEntries.${i}: "${target}"${relationship ? ` (${relationship})` : ''} is listed twice; the repeat was dropped`,
      );
      return;
    }
    seen.add(key);
    out.push({ loc, relation });
  });
  return out;
}
/** The things header's keys that name the entity's typed fields (as mapEntities reads them). */
const HEADER_KEYS = ['id', 'stableId', 'name', 'type', 'numericId', 'aliases'];

/** The registry entry wins; the things header adds aliases (and fills what the registry lacks). */
function mergeThingHeader(entity: DesiredEntity, header: EntityFields, stableId: string | undefined, loc: Loc, anomalies: Anomalies): void {
  const disagree = (field: string, registry: unknown, thing: unknown) =>
    anomalies.add(
      'entity-mismatch',
      at(loc, field),
      `${field} is ${JSON.stringify(thing)} here but ${JSON.stringify(registry)} in ${entity.loc.file}:${entity.loc.line}; the registry's value is used`,
    );
  if (stableId && stableId !== entity.id) disagree('stableId', entity.id, stableId);
  if (header.name !== entity.fields.name) disagree('name', entity.fields.name, header.name);
  if (header.type !== entity.fields.type) disagree('type', entity.fields.type, header.type);
  if (header.numericId && entity.fields.numericId && header.numericId !== entity.fields.numericId)
    disagree('numericId', entity.fields.numericId, header.numericId);
  if (header.numericId && !entity.fields.numericId) entity.fields.numericId = header.numericId;
  // The header's own untyped keys are kept too, where the registry entry has no such key; a refused
  // value of a key the registry also gives (numericId: 3) was reported, and the registry's is used.
  for (const [k, v] of Object.entries(header.attributes ?? {})) {
    if (HEADER_KEYS.includes(k)) continue;
    const kept = (entity.fields.attributes ??= {});
    if (!Object.hasOwn(kept, k)) kept[k] = v;
  }
  if (header.aliases) {
    const aliases = [...(entity.fields.aliases ?? [])];
    for (const a of header.aliases) if (!aliases.includes(a) && a !== entity.fields.slug) aliases.push(a);
    entity.fields.aliases = aliases;
  }
}

// ---------------------------------------------------------------------------------------------------

const SOURCE_LIST_FIELDS = ['authors', 'keyPoints', 'tags'] as const;

/** The source fields except stableId (read separately: it comes from the snapshot). */
const { stableId: _stableIdSpec, ...sourceSpecsWithoutStableId } = sourceFields;

interface ResourceRecord {
  loc: Loc;
  id: string;
  fields: DesiredSource['fields'];
  citedBy: { slug: string; loc: Loc }[];
}

function mapSources(data: RawDataset, inStore: StoreSnapshot, desired: DesiredState, ctxFor: CtxFor, anomalies: Anomalies): SourceIndex {
  const index = new SourceIndex();
  for (const item of data.snapshot.items) {
    const url = item.data.url;
    if (typeof url === 'string') index.snapshotByUrl.set(url, item);
    if (typeof item.data.id === 'string') index.snapshotById.set(item.data.id, item);
  }
  const publicationExists = (id: string) => desired.publications.has(id) || inStore.publications.has(id);
  const matchedSnapshot = new Set<RawItem>();

  const resources = new Map<string, ResourceRecord>();
  for (const { loc, data: raw } of data.resources.items) {
    const ctx = ctxFor('resources', loc);
    const fields = readRecord(sourceSpecsWithoutStableId as FieldSpecs<Omit<SourceFields, 'stableId'>>, SOURCE_KEYS, raw, ctx, [
      'id',
      'cited_by',
    ]) as DesiredSource['fields'] | null;
    if (!fields) continue;
    fields.file = loc.file;
    const id = sourceIdForUrl(fields.url);
    if (typeof raw.id === 'string' && raw.id !== id) {
      anomalies.add('id-mismatch', loc, `id ${raw.id} is not sha256(url)[0:16] = ${id} for ${fields.url}; stored as ${id}`);
    }
    if (typeof raw.id === 'string') index.byResourceId.set(raw.id, id);
    index.byResourceId.set(id, id);
    if (typeof raw.published_date === 'string' && /^\d{4}$/.test(raw.published_date) && fields.publishedDate) {
      anomalies.add(
        'bare-year-date',
        at(loc, 'published_date'),
        `published_date "${raw.published_date}" is only a year: stored with year precision`,
      );
    } else if (typeof raw.published_date === 'number' && fields.publishedDate) {
      anomalies.add(
        'bare-year-date',
        at(loc, 'published_date'),
        `published_date ${raw.published_date} is an unquoted YAML number: read as the year ${fields.publishedDate}`,
      );
    }
    if (fields.publicationId && !publicationExists(fields.publicationId)) {
      anomalies.add(
        'dangling-publication',
        at(loc, 'publication_id'),
        `publication "${fields.publicationId}" does not exist; the id was kept`,
      );
    }
    const citedBy: ResourceRecord['citedBy'] = [];
    if (Array.isArray(raw.cited_by)) {
      for (const slug of raw.cited_by) {
        if (typeof slug === 'string' && isKebabId(slug)) citedBy.push({ slug, loc });
        else anomalies.add('invalid-field', at(loc, 'cited_by'), `expected a page slug, got ${JSON.stringify(slug)}`);
      }
    } else if (raw.cited_by !== undefined && raw.cited_by !== null) {
      anomalies.add(
        'invalid-field',
        at(loc, 'cited_by'),
        `expected a list of page slugs, got ${JSON.stringify(raw.cited_by)?.slice(0, 60)}`,
      );
    }

    // The snapshot gives the stable id (and a finer type); matched by id, else by URL.
    let snap = typeof raw.id === 'string' ? index.snapshotById.get(raw.id) : undefined;
    if (snap && snap.data.url !== fields.url) {
      anomalies.add(
        'snapshot-mismatch',
        loc,
        `the snapshot's resource ${raw.id as string} has url ${JSON.stringify(snap.data.url)}, not ${fields.url}; not used`,
      );
      snap = undefined;
    }
    if (!snap) {
      const byUrl = index.snapshotByUrl.get(fields.url);
      if (byUrl) {
        anomalies.add(
          'snapshot-mismatch',
          loc,
          `the snapshot has this url under id ${JSON.stringify(byUrl.data.id)}, the YAML under ${JSON.stringify(raw.id)}; the snapshot's stable id was used`,
        );
        snap = byUrl;
      }
    }
    if (snap) {
      matchedSnapshot.add(snap);
      applySnapshot(fields, snap, loc, anomalies, true);
      fillFromSnapshot(fields, citedBy, raw, snap, ctxFor, anomalies);
    }

    const earlier = resources.get(id);
    if (earlier) {
      anomalies.add(
        'duplicate-id',
        loc,
        `source ${id} (${fields.url}) is listed again (first at ${earlier.loc.file}:${earlier.loc.line}): merged into the first`,
      );
      mergeResource(earlier, fields, citedBy);
      continue;
    }
    resources.set(id, { loc, id, fields, citedBy });
  }

  // Stable ids are unique per source: a repeat would be refused by the store, so it is left out.
  const stableOwner = new Map<string, string>();
  for (const [id, s] of inStore.sources) stableOwner.set(s.fields.stableId, id);
  for (const r of resources.values()) {
    const stable = r.fields.stableId;
    if (!stable) continue;
    const owner = stableOwner.get(stable);
    if (owner && owner !== r.id) {
      anomalies.add('duplicate-id', at(r.loc, 'stable_id'), `stable id ${stable} already belongs to source ${owner}: left out`);
      delete r.fields.stableId;
      continue;
    }
    stableOwner.set(stable, r.id);
  }

  for (const r of resources.values()) {
    desired.sources.set(r.id, { loc: r.loc, id: r.id, fields: r.fields, managed: true });
    for (const c of r.citedBy) {
      const bySource = desired.citations.bySlug.get(c.slug) ?? new Map<string, Loc>();
      if (!bySource.has(r.id)) bySource.set(r.id, c.loc);
      desired.citations.bySlug.set(c.slug, bySource);
    }
    if (r.fields.stableId) index.byStableId.set(r.fields.stableId, r.id);
  }
  for (const [id, s] of inStore.sources) index.byStableId.set(s.fields.stableId, index.byStableId.get(s.fields.stableId) ?? id);

  // Snapshot entries that nothing matched: used if a fact cites their url (see sourceForUrl), else reported.
  index.unmatched = data.snapshot.items.filter((s) => !matchedSnapshot.has(s));
  return index;
}

function applySnapshot(fields: DesiredSource['fields'], snap: RawItem, loc: Loc, anomalies: Anomalies, compareType: boolean): void {
  // Kept whole: the export writes the snapshot back from these entries, not from the YAML's fields.
  fields.snapshot = snap.data as NonNullable<SourceFields['snapshot']>;
  const stable = snap.data.stable_id;
  if (isStableId(stable)) fields.stableId = stable;
  else if (stable !== undefined)
    anomalies.add('invalid-field', at(snap.loc, 'stable_id'), `expected 10 characters [A-Za-z0-9], got ${JSON.stringify(stable)}`);
  const type = snap.data.type;
  if (typeof type === 'string' && (SOURCE_TYPES as readonly string[]).includes(type)) {
    if (compareType && fields.type && fields.type !== type) {
      anomalies.add(
        'snapshot-mismatch',
        at(loc, 'type'),
        `type is "${fields.type}" in the YAML but "${type}" in the snapshot; "${type}" was used`,
      );
    }
    fields.type = type as SourceFields['type'];
  }
}

/** The snapshot keys that are not source fields: its ids (see applySnapshot) and the citing pages. */
const SNAPSHOT_OWN_KEYS = ['id', 'cited_by', 'stable_id'];

/**
 * What the snapshot has and the YAML lacks is used (the YAML's own values win, and a type disagreement
 * is reported by applySnapshot): a field, an untyped key, a citing page.
 */
function fillFromSnapshot(
  fields: DesiredSource['fields'],
  citedBy: ResourceRecord['citedBy'],
  raw: RawRecord,
  snap: RawItem,
  ctxFor: CtxFor,
  anomalies: Anomalies,
): void {
  // Only the keys the YAML lacks are read (and the url the domain requires: the same, as matched), so a
  // value both have is not reported twice.
  const lacking = Object.fromEntries(
    Object.entries(snap.data).filter(([k]) => k === 'url' || (!SNAPSHOT_OWN_KEYS.includes(k) && (raw[k] === undefined || raw[k] === null))),
  );
  if (Object.keys(lacking).length > 1) {
    const read = readRecord(
      sourceSpecsWithoutStableId as FieldSpecs<Omit<SourceFields, 'stableId'>>,
      SOURCE_KEYS,
      lacking,
      ctxFor('resources-snapshot', snap.loc),
    );
    const target = fields as Record<string, unknown>;
    for (const [k, v] of Object.entries(read ?? {})) {
      if (k !== 'attributes' && target[k] === undefined) target[k] = v;
    }
    for (const [k, v] of Object.entries(read?.attributes ?? {})) {
      const kept = (fields.attributes ??= {});
      if (!Object.hasOwn(kept, k)) kept[k] = v;
    }
  }
  // Citations are a set: a page the snapshot names as citing the source cites it, whether or not the
  // YAML's list has it too (the flagship 7512ddb574f82249's citing page is only in the snapshot).
  if (Array.isArray(snap.data.cited_by)) {
    for (const slug of snap.data.cited_by) {
      if (typeof slug === 'string' && isKebabId(slug)) {
        if (!citedBy.some((c) => c.slug === slug)) citedBy.push({ slug, loc: snap.loc });
      } else anomalies.add('invalid-field', at(snap.loc, 'cited_by'), `expected a page slug, got ${JSON.stringify(slug)}`);
    }
  }
}

function mergeResource(into: ResourceRecord, fields: DesiredSource['fields'], citedBy: ResourceRecord['citedBy']): void {
  const target = into.fields as Record<string, unknown>;
  for (const [k, v] of Object.entries(fields)) {
    if (target[k] === undefined) target[k] = v;
    else if ((SOURCE_LIST_FIELDS as readonly string[]).includes(k) && Array.isArray(v)) {
      const list = target[k] as unknown[];
      for (const item of v) if (!list.includes(item)) list.push(item);
    }
  }
  for (const c of citedBy) if (!into.citedBy.some((x) => x.slug === c.slug)) into.citedBy.push(c);
}

// ---------------------------------------------------------------------------------------------------

function mapPages(data: RawDataset, inStore: StoreSnapshot, desired: DesiredState, ctxFor: CtxFor, anomalies: Anomalies): void {
  const numericOwner = new Map<string, string>();
  const entityByNumeric = new Map<string, string>();
  for (const e of desired.entities.values()) if (e.fields.numericId) entityByNumeric.set(e.fields.numericId, e.id);
  for (const [id, f] of inStore.entities) if (f.numericId && !entityByNumeric.has(f.numericId)) entityByNumeric.set(f.numericId, id);
  const slugIndex = new Map<string, string>();
  for (const e of desired.entities.values()) slugIndex.set(e.fields.slug, e.id);
  for (const [id, f] of inStore.entities) if (!slugIndex.has(f.slug)) slugIndex.set(f.slug, id);

  for (const { loc, data: raw } of data.pages.items) {
    if (!isKebabId(raw.slug)) {
      anomalies.add('invalid-record', loc, `page slug must be kebab-case, got ${JSON.stringify(raw.slug)}: skipped`);
      continue;
    }
    const slug = raw.slug;
    const first = desired.pages.get(slug);
    if (first) {
      anomalies.add('duplicate-id', loc, `page "${slug}" is listed twice (first at line ${first.loc.line}): this one was skipped`);
      continue;
    }
    const fields = readRecord<PageFields>(pageFields, PAGE_KEYS, raw, ctxFor('pages', loc), ['slug']);
    if (!fields) continue;
    if (fields.numericId) {
      const owner = numericOwner.get(fields.numericId);
      if (owner) {
        anomalies.add('duplicate-id', at(loc, 'numericId'), `numericId ${fields.numericId} already belongs to page "${owner}": left out`);
        delete fields.numericId;
      } else numericOwner.set(fields.numericId, slug);
    }
    // The page's entity: the one with the page's numericId, else the one with its slug.
    const byNumeric = fields.numericId ? entityByNumeric.get(fields.numericId) : undefined;
    const bySlug = slugIndex.get(slug);
    if (byNumeric && bySlug && byNumeric !== bySlug) {
      anomalies.add(
        'entity-mismatch',
        at(loc, 'numericId'),
        `numericId ${fields.numericId} names entity ${byNumeric} but slug "${slug}" names ${bySlug}; the numericId's entity was used`,
      );
    }
    const entityId = byNumeric ?? bySlug;
    if (entityId) fields.entityId = entityId;
    desired.pages.set(slug, { loc, fields });
  }
}

function mapCitations(inStore: StoreSnapshot, desired: DesiredState, anomalies: Anomalies): void {
  for (const [slug, bySource] of desired.citations.bySlug) {
    if (desired.pages.has(slug) || inStore.pages.has(slug)) continue;
    for (const loc of bySource.values()) {
      anomalies.add('unknown-page', at(loc, 'cited_by'), `cited by page "${slug}", which does not exist: citation skipped`);
    }
    desired.citations.bySlug.delete(slug);
  }
}

/**
 * Where a resource's YAML entry says other than the export would write from what the store now keeps
 * (the snapshot's type or fields, its URL's hash for its id, the citing pages that exist): kept on the
 * source, so the export writes the entry back as it was (as-written.ts).
 */
function recordResourcesAsWritten(data: RawDataset, desired: DesiredState): void {
  const citing = new Map<string, string[]>();
  for (const [slug, bySource] of desired.citations.bySlug) {
    for (const id of bySource.keys()) citing.set(id, [...(citing.get(id) ?? []), slug]);
  }
  // A resource listed twice was merged into one (reported by mapSources): the merge is what it means.
  const entries = new Map<string, RawRecord[]>();
  for (const { data: raw } of data.resources.items) {
    if (typeof raw.url === 'string') entries.set(sourceIdForUrl(raw.url), [...(entries.get(sourceIdForUrl(raw.url)) ?? []), raw]);
  }
  for (const [id, [raw, ...more]] of entries) {
    const source = desired.sources.get(id);
    if (!source || more.length > 0) continue;
    const asWritten = asWrittenOf(resourceItem(source.id, source.fields as SourceFields, citing.get(source.id) ?? []), raw);
    if (asWritten) source.fields.asWritten = asWritten;
  }
}

/**
 * Where a things file's header says other than the export would write from what the store keeps (the
 * registry's name or type, which win): kept on the entity, so the export writes the header back as it was.
 */
function recordThingHeadersAsWritten(data: RawDataset, desired: DesiredState): void {
  const bySlug = new Map([...desired.entities.values()].map((e) => [e.fields.slug, e]));
  for (const { header } of data.things.items) {
    const entity = header && typeof header.data.id === 'string' ? bySlug.get(header.data.id) : undefined;
    if (!header || !entity) continue;
    const asWritten = asWrittenOf(thingHeader(entity.id, entity.fields), header.data);
    if (asWritten) entity.fields.asWritten = asWritten;
  }
}

// ---------------------------------------------------------------------------------------------------

interface EffectiveProperty {
  id: string;
  dataType: DataType;
  unit?: string;
}

function mapFacts(
  data: RawDataset,
  inStore: StoreSnapshot,
  desired: DesiredState,
  entities: EntityIndex,
  sources: SourceIndex,
  ctxFor: CtxFor,
  anomalies: Anomalies,
): void {
  const { retractions } = desired;
  const entityBySlug = new Map<string, string>();
  for (const e of desired.entities.values()) entityBySlug.set(e.fields.slug, e.id);
  for (const [id, f] of inStore.entities) if (!entityBySlug.has(f.slug)) entityBySlug.set(f.slug, id);

  for (const slug of data.things.unreadable) {
    const id = entityBySlug.get(slug);
    if (id) retractions.protectedEntities.add(id);
  }

  const property = (id: string): EffectiveProperty | null => {
    const inFiles = desired.properties.get(id)?.fields;
    const stored = inStore.properties.get(id);
    if (!inFiles && !stored) return null;
    // dataType is fixed once defined; the unit follows the files when they define the property.
    const dataType = stored?.dataType ?? inFiles!.dataType;
    const unit = inFiles ? inFiles.unit : stored?.unit;
    return unit === undefined ? { id, dataType } : { id, dataType, unit };
  };

  const firstSeen = new Map<string, Loc>();
  const snapshotUsed = new Set<RawItem>();

  /** A URL a fact cites → its source id, registering it (from the snapshot if it has it) when new. */
  const sourceForUrl = (url: string, loc: Loc): string => {
    const id = sourceIdForUrl(url);
    if (!desired.sources.has(id)) {
      const snap = sources.snapshotByUrl.get(url);
      const fields: DesiredSource['fields'] = { url };
      let managed = false;
      if (snap) {
        const ctx = ctxFor('resources-snapshot', snap.loc);
        const read = readRecord(
          sourceSpecsWithoutStableId as FieldSpecs<Omit<SourceFields, 'stableId'>>,
          SOURCE_KEYS,
          snap.data,
          ctx,
          SNAPSHOT_OWN_KEYS,
        );
        if (read) Object.assign(fields, read);
        applySnapshot(fields, snap, snap.loc, anomalies, false);
        const owner = fields.stableId ? sources.byStableId.get(fields.stableId) : undefined;
        if (owner && owner !== id) {
          anomalies.add(
            'duplicate-id',
            at(snap.loc, 'stable_id'),
            `stable id ${fields.stableId} already belongs to source ${owner}: left out`,
          );
          delete fields.stableId;
        }
        snapshotUsed.add(snap);
        managed = true;
      }
      desired.sources.set(id, { loc, id, fields, managed });
    }
    return id;
  };

  const resolveSourceRef = (key: string, loc: Loc): string | null => {
    if (/^https?:\/\//i.test(key)) {
      const url = validateUrl(key, 'source');
      if (!url.ok) {
        anomalies.add('invalid-field', at(loc, 'source'), url.error.message);
        return null;
      }
      return sourceForUrl(url.value, loc);
    }
    const byResource = sources.byResourceId.get(key);
    if (byResource) return byResource;
    if (isSourceHexId(key) && inStore.sources.has(key)) return key;
    const snap = sources.snapshotById.get(key);
    if (snap && typeof snap.data.url === 'string') return sourceForUrl(snap.data.url, loc);
    if (isStableId(key) && sources.byStableId.has(key)) return sources.byStableId.get(key)!;
    anomalies.add('unknown-source', at(loc, 'source'), `no resource has id ${JSON.stringify(key)}: citation left out`);
    return null;
  };

  for (const thing of data.things.items) {
    const entityId = thing.header && typeof thing.header.data.id === 'string' ? entityBySlug.get(thing.header.data.id) : undefined;
    const entityKnown = entityId !== undefined && desired.entities.has(entityId);
    if (!entityKnown) {
      // The header was refused (reported by mapEntities): keep whatever this file imported before.
      const byFile = entityBySlug.get(thing.slug);
      if (byFile) retractions.protectedEntities.add(byFile);
      if (entityId) retractions.protectedEntities.add(entityId);
      for (const f of thing.facts) if (typeof f.data.id === 'string') retractions.protectedFacts.add(f.data.id);
      if (thing.facts.length > 0) {
        anomalies.add(
          'invalid-record',
          thing.header?.loc ?? { file: thing.file },
          `the entity of this file could not be imported: its ${thing.facts.length} facts were skipped`,
        );
      }
      continue;
    }
    for (const item of thing.facts) {
      const fact = mapFact(item, entityId!, property, entities, resolveSourceRef, ctxFor('things.facts', item.loc), anomalies);
      const id = typeof item.data.id === 'string' ? item.data.id : undefined;
      if (id !== undefined) {
        const first = firstSeen.get(id);
        if (first) {
          anomalies.add(
            'duplicate-id',
            item.loc,
            `fact id ${id} is used again (first at ${first.file}:${first.line}): this one was skipped`,
          );
          continue;
        }
        firstSeen.set(id, item.loc);
      }
      if (!fact) {
        if (id !== undefined) retractions.protectedFacts.add(id);
        continue;
      }
      desired.facts.set(fact.id, fact);
    }
  }

  // Nothing is dropped: a source only the snapshot lists is imported from it, and its file says so.
  // Only beside complete resources: without them every entry would look like one only the snapshot has.
  const resourcesRead = data.resources.present && data.resources.complete;
  for (const snap of sources.unmatched) {
    if (snapshotUsed.has(snap) || !resourcesRead) continue;
    const url = validateUrl(snap.data.url, 'url');
    if (!url.ok) {
      anomalies.add('invalid-record', at(snap.loc, 'url'), `${url.error.message}: the snapshot's entry was skipped`);
      continue;
    }
    const listed = desired.sources.get(sourceIdForUrl(url.value));
    if (listed) {
      // Its URL is a resource's whose own entry did not match (another id): kept on that source if it has none.
      if (listed.fields.snapshot) {
        anomalies.add('snapshot-mismatch', snap.loc, `a second snapshot entry for ${url.value} (id ${String(snap.data.id)}): not kept`);
      } else listed.fields.snapshot = snap.data as NonNullable<SourceFields['snapshot']>;
      continue;
    }
    anomalies.add(
      'snapshot-only',
      snap.loc,
      `source ${url.value} is only in the snapshot and no fact cites it: imported from the snapshot`,
    );
    desired.sources.get(sourceForUrl(url.value, snap.loc))!.fields.file = DATASET_FILES.snapshot;
  }
}

function mapFact(
  item: RawItem,
  entityId: string,
  propertyOf: (id: string) => EffectiveProperty | null,
  entities: EntityIndex,
  resolveSourceRef: (key: string, loc: Loc) => string | null,
  ctx: RecordCtx,
  anomalies: Anomalies,
): DesiredFact | null {
  const { loc, data: raw } = item;
  for (const key of Object.keys(raw)) if (!FACT_KEYS.includes(key)) ctx.unmapped.add(`things.facts.${key}`);
  if (!isFactId(raw.id)) {
    anomalies.add(
      'invalid-record',
      loc,
      `fact id ${raw.id === undefined ? 'is missing' : `${JSON.stringify(raw.id)} is not usable`}: skipped`,
    );
    return null;
  }
  const id = raw.id;
  if (typeof raw.property !== 'string') {
    anomalies.add('invalid-record', loc, 'fact has no property: skipped');
    return null;
  }
  const property = propertyOf(raw.property);
  if (!property) {
    anomalies.add('unknown-property', loc, `property "${raw.property}" is not defined: fact skipped`);
    return null;
  }
  if (raw.value === undefined || raw.value === null) {
    anomalies.add('unparsable-value', loc, 'fact has no value: skipped');
    return null;
  }
  const value = coerceValue(raw.value, property.dataType, { entities, loc, anomalies, conversions: ctx.conversions });
  if (!value.ok) {
    anomalies.add(
      'unparsable-value',
      at(loc, 'value'),
      `${value.message} (property "${property.id}" is ${property.dataType}): fact skipped`,
    );
    return null;
  }

  const input: DesiredFact['input'] = { value: value.value };
  for (const key of ['asOf', 'validEnd'] as const) {
    const date = coerceDate(raw[key], key, loc, anomalies);
    if (date === false) return null;
    if (date !== undefined) input[key] = date;
  }
  const sourceKeys: string[] = [];
  for (const key of ['source', 'sourceResource'] as const) {
    const v = raw[key];
    if (v === undefined || v === null) continue;
    for (const one of Array.isArray(v) ? v : [v]) {
      if (typeof one === 'string' || one instanceof SrcTag) sourceKeys.push(String(one).trim());
      else
        anomalies.add(
          'invalid-field',
          at(loc, key),
          `expected a URL or resource id, got ${JSON.stringify(one)?.slice(0, 60)}: citation left out`,
        );
    }
  }
  const sources: string[] = [];
  for (const key of sourceKeys) {
    const sourceId = resolveSourceRef(key, loc);
    if (sourceId && !sources.includes(sourceId)) sources.push(sourceId);
  }
  if (sources.length) input.sources = sources;
  if (raw.notes !== undefined && raw.notes !== null) {
    const notes =
      typeof raw.notes === 'string'
        ? raw.notes
        : typeof raw.notes === 'number' || typeof raw.notes === 'boolean'
          ? String(raw.notes)
          : undefined;
    if (notes === undefined || notes.trim() === '') {
      anomalies.add('invalid-field', at(loc, 'notes'), `expected text, got ${JSON.stringify(raw.notes)?.slice(0, 60)}: left out`);
    } else input.notes = notes;
  }

  // The domain decides as it would for the command: what it refuses is reported here, by file and line.
  const decided = decideFact(
    {
      type: 'AssertFact',
      id,
      fields: {
        entityId,
        propertyId: property.id,
        value: input.value,
        asOf: input.asOf,
        validEnd: input.validEnd,
        citations: input.sources?.map((sourceId) => ({ sourceId })),
        notes: input.notes,
      },
    },
    null,
    { property, entityExists: true },
  );
  if (!decided.ok) {
    anomalies.add('unparsable-value', loc, `${decided.error.message}: fact skipped`);
    return null;
  }
  try {
    assertJson(decided.value[0].data, id);
  } catch (err) {
    anomalies.add('unparsable-value', loc, `${(err as Error).message}: fact skipped`);
    return null;
  }
  const event = decided.value[0];
  if (event.type !== 'FactAsserted') throw new Error('expected FactAsserted');
  const { value: storedValue, asOf, validEnd, citations, notes } = event.data;
  const stored: DesiredFact['stored'] = { value: storedValue };
  if (asOf !== undefined) stored.asOf = asOf;
  if (validEnd !== undefined) stored.validEnd = validEnd;
  if (citations !== undefined) stored.citations = citations;
  if (notes !== undefined) stored.notes = notes;
  return { loc, id, entityId, propertyId: property.id, input, stored };
}
