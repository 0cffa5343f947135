import { promises as fs, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { parse, type ScalarTag } from 'yaml';
import type { FactlogDb } from '../../src/projections/tables';

/**
 * Helpers for the Longterm Wiki importer tests. The data set is read in place (never copied into the
 * project); fixtures are temp folders of symlinks to it plus the things files a test wants to vary.
 */

export const DATA_DIR = process.env.LONGTERM_WIKI_DIR ?? path.resolve(__dirname, '../../../shared/datasets/longterm-wiki');

const tempDirs: string[] = [];

/** A temp data folder: symlinks for the given shared files, and `things/` with these contents. */
export async function buildFixture(options: {
  link?: string[];
  things?: Record<string, string>;
  files?: Record<string, string>;
}): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lw-fixture-'));
  tempDirs.push(dir);
  for (const rel of options.link ?? []) await fs.symlink(path.join(DATA_DIR, rel), path.join(dir, rel));
  if (options.things) {
    await fs.mkdir(path.join(dir, 'things'));
    for (const [name, text] of Object.entries(options.things)) await fs.writeFile(path.join(dir, 'things', name), text);
  }
  for (const [rel, text] of Object.entries(options.files ?? {})) {
    await fs.mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await fs.writeFile(path.join(dir, rel), text);
  }
  return dir;
}

export async function removeFixtures(): Promise<void> {
  await Promise.all(tempDirs.splice(0).map((d) => fs.rm(d, { recursive: true, force: true })));
}

export const currentThing = (file: string): string => readFileSync(path.join(DATA_DIR, 'things', file), 'utf8');

interface HistoryLine {
  commit: string;
  committedAt: string;
  file: string;
  yaml?: string;
  deleted?: boolean;
}

let history: HistoryLine[] | null = null;

/** A things file as it was at a commit of the wiki's real history. */
export function thingAt(file: string, commit: string): string {
  history ??= readFileSync(path.join(DATA_DIR, 'history', 'things-history.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as HistoryLine);
  const line = history.find((l) => l.file === file && l.commit === commit && l.yaml !== undefined);
  if (!line?.yaml) throw new Error(`no version of ${file} at ${commit} in the history`);
  return line.yaml;
}

export interface LoggedEvent {
  stream: string;
  type: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
}

/** The events one import run appended (its correlation id). */
export async function eventsOfRun(db: FactlogDb, correlationId: string): Promise<LoggedEvent[]> {
  const rows = await db
    .selectFrom('events')
    .select(['stream', 'type', 'data', 'metadata'])
    .where(sql<boolean>`metadata->>'correlationId' = ${correlationId}`)
    .orderBy('position')
    .execute();
  return rows.map((r) => ({
    stream: r.stream,
    type: r.type,
    data: r.data as Record<string, unknown>,
    metadata: r.metadata as Record<string, unknown>,
  }));
}

export async function eventCount(db: FactlogDb): Promise<number> {
  const row = await db.selectFrom('log_head').select('position').executeTakeFirstOrThrow();
  return Number(row.position);
}

// ---- an independent reading of the files, for the tests' expectations ----

export class Ref {
  constructor(readonly text: string) {}
}
export class Tagged {
  constructor(readonly text: string) {}
}
const TAGS: ScalarTag[] = [
  { tag: '!ref', resolve: (s: string) => new Ref(s.trim()), identify: (v) => v instanceof Ref },
  { tag: '!date', resolve: (s: string) => new Tagged(s.trim()), identify: (v) => v instanceof Tagged },
  { tag: '!src', resolve: (s: string) => new Tagged(s.trim()), identify: (v) => v instanceof Tagged },
];

export const readYaml = (text: string): any => parse(text, { schema: 'core', customTags: TAGS });
export const readDataYaml = (rel: string): any => readYaml(readFileSync(path.join(DATA_DIR, rel), 'utf8'));
export const dataFiles = (rel: string): string[] =>
  readdirSync(path.join(DATA_DIR, rel))
    .filter((f) => f.endsWith('.yaml'))
    .sort();

/** slug → stable id, from the registry and the things headers. */
export function entitySlugs(): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of dataFiles('entities')) for (const e of readDataYaml(`entities/${f}`)) out.set(e.id, e.stableId);
  for (const f of dataFiles('things')) {
    const t = readDataYaml(`things/${f}`).thing;
    if (!out.has(t.id)) out.set(t.id, t.stableId);
  }
  return out;
}

export const propertyTypes = (): Map<string, string> =>
  new Map(
    Object.entries(readDataYaml('properties.yaml').properties as Record<string, { dataType: string }>).map(([id, p]) => [id, p.dataType]),
  );

/**
 * A fact as the tests compare versions of it: references by stable id (a `!ref id:slug` or a bare slug
 * means the entity), sources as the set of `source` URLs. Two versions that normalize the same must
 * produce no event.
 */
export function normalizedFacts(text: string, slugs: Map<string, string>, types: Map<string, string>): Map<string, string> {
  const doc = readYaml(text);
  const out = new Map<string, string>();
  const ref = (v: unknown): unknown => {
    if (v instanceof Ref) return v.text.split(':')[0].trim();
    if (typeof v === 'string') return slugs.get(v) ?? v;
    return v;
  };
  for (const f of doc.facts ?? []) {
    const type = types.get(f.property);
    let value: unknown = f.value instanceof Tagged ? f.value.text : f.value;
    if (type === 'ref') value = ref(value);
    if (type === 'refs') value = (Array.isArray(value) ? value : [value]).map(ref);
    const sources = [f.source]
      .flat()
      .filter((s): s is string => typeof s === 'string')
      .sort();
    const date = (d: unknown) => (d instanceof Tagged ? d.text : d === undefined ? null : String(d));
    out.set(
      f.id,
      JSON.stringify({ property: f.property, value, asOf: date(f.asOf), validEnd: date(f.validEnd), sources, notes: f.notes ?? null }),
    );
  }
  return out;
}

export const sourceUrls = (text: string): Set<string> =>
  new Set(
    (readYaml(text).facts ?? [])
      .flatMap((f: { source?: unknown }) => [f.source].flat())
      .filter((s: unknown): s is string => typeof s === 'string' && /^https?:/.test(s)),
  );

/**
 * The registry entries a set of things files needs (their own entities and every entity their facts
 * reference), as a file for `entities/`: keeps fixtures small while references resolve as they would
 * against the whole registry. JSON is valid YAML.
 */
export function registryFor(thingTexts: string[]): string {
  const wanted = new Set<string>();
  const collect = (v: unknown): void => {
    if (v instanceof Ref) for (const part of v.text.split(':')) wanted.add(part.trim());
    else if (typeof v === 'string') wanted.add(v);
    else if (Array.isArray(v)) v.forEach(collect);
  };
  for (const text of thingTexts) {
    const doc = readYaml(text);
    wanted.add(doc.thing.id);
    for (const f of doc.facts ?? []) collect(f.value);
  }
  const entries = dataFiles('entities')
    .flatMap((f) => readDataYaml(`entities/${f}`) as { id: string; stableId: string }[])
    .filter((e) => wanted.has(e.id) || wanted.has(e.stableId));
  return JSON.stringify(entries, null, 1);
}
