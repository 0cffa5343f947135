import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { mapKeyNodes, mapValueNode, parseYaml, seqItems, locOf, type ParsedYaml } from './yaml';
import { RecordMemo } from '../sync/lenient-fields';
import { Anomalies, type Anomaly, type Loc } from '../sync/vocabulary';

/**
 * Reading: the data set's files → plain records with their locations, and the anomalies of reading
 * them (missing files, YAML errors, records that are not objects). No field is interpreted here;
 * map.ts decides what a field means.
 */

export type RawRecord = Readonly<Record<string, unknown>>;

export interface RawItem {
  loc: Loc;
  data: RawRecord;
}

/**
 * One part of the data set. `present` is false when its file or folder is missing; `complete` is
 * false when some of its files could not be read. Removals (retracting facts, unciting sources) are
 * only decided from parts that are present and complete: a file that failed to parse must not look
 * like a file whose records were all deleted.
 */
export interface Section<T> {
  present: boolean;
  complete: boolean;
  items: T[];
  files: string[];
}

export interface ThingFile {
  file: string;
  /** The file name without `.yaml`: the entity slug by the wiki's convention. */
  slug: string;
  header: RawItem | null;
  facts: RawItem[];
  /** `records: {collection: {key: record}}`, each record with its line. */
  records: ThingRecord[];
  /** Top-level keys other than `thing`, `facts` and `records` (items, …), with how many entries each. */
  otherKeys: Record<string, number>;
}

/** One entry of a things file's `records:` map (docs/domain.md, "Records"). */
export interface ThingRecord extends RawItem {
  collection: string;
  key: string;
}

export interface RawDataset {
  dir: string;
  publications: Section<RawItem>;
  properties: Section<RawItem & { id: string }>;
  entities: Section<RawItem>;
  things: Section<ThingFile> & {
    /** Slugs (file names) of things files that could not be read: their entities' facts are left alone. */
    unreadable: string[];
  };
  resources: Section<RawItem>;
  snapshot: Section<RawItem>;
  pages: Section<RawItem>;
  /** schemas/records/*.yaml, one record schema per file (its name without `.yaml` is the id). */
  recordSchemas: Section<RawItem & { id: string }>;
  /** schemas/*.yaml, one entity type per file (its name without `.yaml` is the id). */
  entityTypes: Section<RawItem & { id: string }>;
}

export const DATASET_FILES = {
  publications: 'publications.yaml',
  properties: 'properties.yaml',
  entities: 'entities',
  things: 'things',
  resources: 'resources',
  snapshot: 'resources-snapshot.json',
  pages: 'pages.yaml',
  schemas: 'schemas',
} as const;

/** Where the record schemas are, inside the schemas folder. */
export const RECORD_SCHEMAS_DIR = `${DATASET_FILES.schemas}/records`;

export type ReadProgress = (done: number, total: number, file: string) => void;

/**
 * What reading each file gave (its records and the anomalies of reading them), by the file's name and
 * the git blob hash of its text: a run that reads the same data set again (the history replay, one
 * run per commit over mostly unchanged files) parses only the files that changed. The records are
 * shared between runs, so nothing after reading may change them (map.ts only reads them).
 */
export class ReadCache {
  /** And what mapping read from those records (their fields, through the domain's specs). */
  readonly records = new RecordMemo();
  private readonly files = new Map<string, { result: unknown; anomalies: Anomaly[] }>();

  read<T>(file: string, text: string, anomalies: Anomalies, parse: (anomalies: Anomalies) => T): T {
    const blob = createHash('sha1')
      .update(`blob ${Buffer.byteLength(text)}\0`)
      .update(text)
      .digest('hex');
    const key = `${file}\u0000${blob}`;
    let hit = this.files.get(key);
    if (!hit) {
      const own = new Anomalies();
      hit = { result: parse(own), anomalies: own.list };
      this.files.set(key, hit);
    }
    for (const a of hit.anomalies) anomalies.list.push({ ...a });
    return hit.result as T;
  }
}

/** Without a cache, every file is parsed. */
const NO_CACHE = {
  read: <T>(_file: string, _text: string, anomalies: Anomalies, parse: (anomalies: Anomalies) => T): T => parse(anomalies),
};

const isObject = (x: unknown): x is RawRecord => typeof x === 'object' && x !== null && !Array.isArray(x);

const emptySection = <T>(present: boolean): Section<T> => ({ present, complete: present, items: [], files: [] });

async function readText(dir: string, rel: string): Promise<string | null> {
  try {
    return await fs.readFile(path.join(dir, rel), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

async function listYaml(dir: string, rel: string): Promise<string[] | null> {
  try {
    const names = await fs.readdir(path.join(dir, rel));
    return names
      .filter((n) => /\.ya?ml$/.test(n))
      .sort()
      .map((n) => `${rel}/${n}`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
    throw err;
  }
}

/** Reads a top-level list of objects; each item keeps its line. */
function listItems(file: string, parsed: ParsedYaml, anomalies: Anomalies, idKey: string): RawItem[] | null {
  if (!Array.isArray(parsed.value)) {
    if (parsed.value === null || parsed.value === undefined) return [];
    anomalies.add('parse-error', { file }, `expected a list of records at the top level, got ${describe(parsed.value)}`);
    return null;
  }
  const nodes = seqItems(parsed.doc.contents);
  const out: RawItem[] = [];
  parsed.value.forEach((data, i) => {
    const at = isObject(data) && typeof data[idKey] === 'string' ? (data[idKey] as string) : `[${i}]`;
    const loc = locOf(file, parsed, nodes[i], at);
    if (!isObject(data)) {
      anomalies.add('invalid-record', loc, `expected a record (key: value lines), got ${describe(data)}`);
      return;
    }
    out.push({ loc, data });
  });
  return out;
}

const describe = (x: unknown): string =>
  x === null
    ? 'null'
    : Array.isArray(x)
      ? `a list of ${x.length}`
      : typeof x === 'object'
        ? 'a map'
        : `${typeof x} ${JSON.stringify(x)?.slice(0, 60)}`;

export async function readDataset(dir: string, anomalies: Anomalies, onProgress?: ReadProgress, cache?: ReadCache): Promise<RawDataset> {
  const files = cache ?? NO_CACHE;
  const parsedList = (file: string, text: string, idKey: string) =>
    files.read(file, text, anomalies, (a) => listFromText(text, file, idKey, a));
  const entityFiles = await listYaml(dir, DATASET_FILES.entities);
  const thingFiles = await listYaml(dir, DATASET_FILES.things);
  const resourceFiles = await listYaml(dir, DATASET_FILES.resources);
  const recordSchemaFiles = await listYaml(dir, RECORD_SCHEMAS_DIR);
  const entityTypeFiles = await listYaml(dir, DATASET_FILES.schemas);
  const total =
    4 + [entityFiles, thingFiles, resourceFiles, recordSchemaFiles, entityTypeFiles].reduce((n, list) => n + (list?.length ?? 0), 0);
  let done = 0;
  const tick = (file: string) => onProgress?.(++done, total, file);

  const missing = (what: string, rel: string) =>
    anomalies.add('missing-input', { file: rel }, `${what} not found in ${dir}: ${what} are neither imported nor synced`);

  // ---- publications.yaml: a list of venues ----
  const publications = await readList(dir, DATASET_FILES.publications, 'id', parsedList, () =>
    missing('publications', DATASET_FILES.publications),
  );
  tick(DATASET_FILES.publications);

  // ---- properties.yaml: `properties:` map of id → definition ----
  const properties = emptySection<RawItem & { id: string }>(true);
  {
    const file = DATASET_FILES.properties;
    properties.files.push(file);
    const text = await readText(dir, file);
    if (text === null) {
      properties.present = properties.complete = false;
      missing('properties', file);
    } else {
      const items = files.read(file, text, anomalies, (a) => propertiesFromText(text, file, a));
      if (items === null) properties.complete = false;
      else properties.items.push(...items);
    }
    tick(file);
  }

  // ---- entities/*.yaml: lists of registry entries ----
  const entities = emptySection<RawItem>(entityFiles !== null);
  if (entityFiles === null) missing('entities', DATASET_FILES.entities);
  for (const file of entityFiles ?? []) {
    entities.files.push(file);
    const items = await readListFile(dir, file, 'id', parsedList);
    if (items === null) entities.complete = false;
    else entities.items.push(...items);
    tick(file);
  }

  // ---- things/*.yaml: `thing:` header + `facts:` list (+ records the domain has no place for) ----
  const things: RawDataset['things'] = { ...emptySection<ThingFile>(thingFiles !== null), unreadable: [] };
  if (thingFiles === null) missing('things (entities with facts)', DATASET_FILES.things);
  for (const file of thingFiles ?? []) {
    things.files.push(file);
    const slug = path.basename(file).replace(/\.ya?ml$/, '');
    const text = await readText(dir, file);
    const thing = text === null ? null : files.read(file, text, anomalies, (a) => thingFromText(text, file, slug, a));
    if (thing === null) {
      things.complete = false;
      things.unreadable.push(slug);
    } else things.items.push(thing);
    tick(file);
  }

  // ---- resources/*.yaml: lists of sources ----
  const resources = emptySection<RawItem>(resourceFiles !== null);
  if (resourceFiles === null) missing('resources', DATASET_FILES.resources);
  for (const file of resourceFiles ?? []) {
    resources.files.push(file);
    const items = await readListFile(dir, file, 'id', parsedList);
    if (items === null) resources.complete = false;
    else resources.items.push(...items);
    tick(file);
  }

  // ---- resources-snapshot.json: the wiki database's export, with stable ids ----
  const snapshot = emptySection<RawItem>(true);
  {
    const file = DATASET_FILES.snapshot;
    snapshot.files.push(file);
    const text = await readText(dir, file);
    if (text === null) {
      snapshot.present = snapshot.complete = false;
      anomalies.add('missing-input', { file }, `${file} not found in ${dir}: sources without a stable id get a generated one`);
    } else {
      const items = files.read(file, text, anomalies, (a) => snapshotFromText(text, file, a));
      if (items === null) snapshot.complete = false;
      else snapshot.items.push(...items);
    }
    tick(file);
  }

  // ---- pages.yaml: the pages' front matter ----
  const pages = await readList(dir, DATASET_FILES.pages, 'slug', parsedList, () => missing('pages', DATASET_FILES.pages));
  tick(DATASET_FILES.pages);

  /** A folder of schema files, one map per file, named by the file's name without `.yaml`. */
  const schemaSection = async (list: string[] | null, rel: string, what: string, keys: string) => {
    const section = emptySection<RawItem & { id: string }>(list !== null);
    if (list === null) missing(what, rel);
    for (const file of list ?? []) {
      section.files.push(file);
      const id = path.basename(file).replace(/\.ya?ml$/, '');
      const text = await readText(dir, file);
      const item = text === null ? null : files.read(file, text, anomalies, (a) => schemaFromText(text, file, id, keys, a));
      if (item === null) section.complete = false;
      else section.items.push(item);
      tick(file);
    }
    return section;
  };
  const recordSchemas = await schemaSection(
    recordSchemaFiles,
    RECORD_SCHEMAS_DIR,
    'record schemas',
    'name, collectionName, endpoints, fields',
  );
  const entityTypes = await schemaSection(entityTypeFiles, DATASET_FILES.schemas, 'entity types', 'type, name, required, recommended');

  return { dir, publications, properties, entities, things, resources, snapshot, pages, recordSchemas, entityTypes };
}

/** A schema file: a map of the keys named; null when unusable. */
function schemaFromText(text: string, file: string, id: string, keys: string, anomalies: Anomalies): (RawItem & { id: string }) | null {
  const parsed = parseYaml(text, file, anomalies);
  if (!parsed) return null;
  if (!isObject(parsed.value)) {
    anomalies.add('parse-error', { file }, `expected a map (${keys}), got ${describe(parsed.value)}`);
    return null;
  }
  return { id, loc: { file, line: 1, at: id }, data: parsed.value };
}

/** A list file's records (null: unreadable), through the run's cache. */
type ParsedList = (file: string, text: string, idKey: string) => RawItem[] | null;

async function readList(dir: string, file: string, idKey: string, parse: ParsedList, onMissing: () => void): Promise<Section<RawItem>> {
  const section = emptySection<RawItem>(true);
  section.files.push(file);
  const text = await readText(dir, file);
  if (text === null) {
    onMissing();
    return emptySection(false);
  }
  const items = parse(file, text, idKey);
  if (items === null) section.complete = false;
  else section.items = [...items];
  return section;
}

async function readListFile(dir: string, file: string, idKey: string, parse: ParsedList): Promise<RawItem[] | null> {
  const text = await readText(dir, file);
  return text === null ? null : parse(file, text, idKey);
}

/** properties.yaml: `properties:` map of id → definition; null when the file is unusable. */
function propertiesFromText(text: string, file: string, anomalies: Anomalies): (RawItem & { id: string })[] | null {
  const parsed = parseYaml(text, file, anomalies);
  const map = parsed && isObject(parsed.value) ? parsed.value.properties : undefined;
  if (!parsed) return null;
  if (!isObject(map)) {
    anomalies.add('parse-error', { file }, 'expected a top-level "properties:" map of property id → definition');
    return null;
  }
  const items: (RawItem & { id: string })[] = [];
  const keyNodes = mapKeyNodes(mapValueNode(parsed.doc.contents, 'properties'));
  for (const [id, data] of Object.entries(map)) {
    const loc = locOf(file, parsed, keyNodes.get(id), id);
    if (!isObject(data)) anomalies.add('invalid-record', loc, `expected the definition of property "${id}", got ${describe(data)}`);
    else items.push({ id, loc, data });
  }
  return items;
}

/** resources-snapshot.json: a JSON list of resources (or `{resources: [...]}`); null when unusable. */
function snapshotFromText(text: string, file: string, anomalies: Anomalies): RawItem[] | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    anomalies.add('parse-error', { file }, `not valid JSON: ${(err as Error).message}`);
    return null;
  }
  const list = Array.isArray(value) ? value : isObject(value) && Array.isArray(value.resources) ? value.resources : null;
  if (!list) {
    anomalies.add('parse-error', { file }, 'expected a JSON list of resources');
    return null;
  }
  const items: RawItem[] = [];
  list.forEach((data: unknown, i: number) => {
    const loc: Loc = { file, at: isObject(data) && typeof data.id === 'string' ? `[${i}] ${data.id}` : `[${i}]` };
    if (isObject(data)) items.push({ loc, data });
    else anomalies.add('invalid-record', loc, `expected a resource object, got ${describe(data)}`);
  });
  return items;
}

function listFromText(text: string, file: string, idKey: string, anomalies: Anomalies): RawItem[] | null {
  const parsed = parseYaml(text, file, anomalies);
  return parsed ? listItems(file, parsed, anomalies, idKey) : null;
}

function thingFromText(text: string, file: string, slug: string, anomalies: Anomalies): ThingFile | null {
  const parsed = parseYaml(text, file, anomalies);
  if (!parsed) return null;
  if (!isObject(parsed.value)) {
    anomalies.add('parse-error', { file }, `expected a map with "thing:" and "facts:", got ${describe(parsed.value)}`);
    return null;
  }
  const root = parsed.value;
  const headerNode = mapValueNode(parsed.doc.contents, 'thing');
  if (!isObject(root.thing)) {
    anomalies.add(
      'parse-error',
      locOf(file, parsed, headerNode),
      'has no "thing:" header (id, stableId, type, name): the file was skipped',
    );
    return null;
  }
  const header: RawItem = {
    loc: locOf(file, parsed, headerNode, typeof root.thing.id === 'string' ? root.thing.id : slug),
    data: root.thing,
  };
  const facts: RawItem[] = [];
  if (root.facts !== undefined && root.facts !== null) {
    if (!Array.isArray(root.facts)) {
      anomalies.add(
        'parse-error',
        locOf(file, parsed, mapValueNode(parsed.doc.contents, 'facts')),
        `"facts:" must be a list, got ${describe(root.facts)}: the file was skipped`,
      );
      return null;
    }
    const nodes = seqItems(mapValueNode(parsed.doc.contents, 'facts'));
    root.facts.forEach((data: unknown, i: number) => {
      const at = isObject(data) && typeof data.id === 'string' ? data.id : `facts[${i}]`;
      const loc = locOf(file, parsed, nodes[i], at);
      if (isObject(data)) facts.push({ loc, data });
      else anomalies.add('invalid-record', loc, `expected a fact (id, property, value, …), got ${describe(data)}`);
    });
  }
  const records: ThingRecord[] = [];
  const otherKeys: Record<string, number> = {};
  const recordsNode = mapValueNode(parsed.doc.contents, 'records');
  if (isObject(root.records)) {
    const collectionNodes = mapKeyNodes(recordsNode);
    for (const [collection, entries] of Object.entries(root.records)) {
      const collectionNode = mapValueNode(recordsNode, collection);
      if (!isObject(entries)) {
        // Not the wiki's layout: counted as unmapped below rather than read.
        anomalies.add(
          'invalid-record',
          locOf(file, parsed, collectionNodes.get(collection), `records.${collection}`),
          `expected a map of record key → record, got ${describe(entries)}: not imported`,
        );
        otherKeys[`records.${collection}`] = countEntries(entries);
        continue;
      }
      const keyNodes = mapKeyNodes(collectionNode);
      for (const [key, data] of Object.entries(entries)) {
        const loc = locOf(file, parsed, keyNodes.get(key), `${collection}.${key}`);
        if (isObject(data)) records.push({ collection, key, loc, data });
        else {
          anomalies.add('invalid-record', loc, `expected a record (field: value lines), got ${describe(data)}: not imported`);
          otherKeys[`records.${collection}`] = (otherKeys[`records.${collection}`] ?? 0) + 1;
        }
      }
    }
  }
  for (const [key, value] of Object.entries(root)) {
    if (key === 'thing' || key === 'facts' || (key === 'records' && isObject(value))) continue;
    otherKeys[key] = countEntries(value);
  }
  return { file, slug, header, facts, records, otherKeys };
}

/** Records nest one level (`records: {funding-rounds: [...]}`); count the leaves people would call records. */
function countEntries(value: unknown): number {
  if (Array.isArray(value)) return value.length;
  if (!isObject(value)) return 1;
  let n = 0;
  for (const v of Object.values(value)) {
    if (Array.isArray(v)) n += v.length;
    else if (isObject(v) && isObject(v.entries))
      n += Object.keys(v.entries).length; // older `items:` layout
    else if (isObject(v) && Array.isArray(v.entries)) n += v.entries.length;
    else if (isObject(v))
      n += Object.keys(v).length; // `records: {collection: {key: record}}`
    else n += 1;
  }
  return n;
}
