import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Ref, Tagged, readYaml } from './longterm-wiki-support';

/**
 * Two Longterm Wiki data set folders compared as parsed YAML, item by item, written here without the
 * importer's or the exporter's code: what issue 17 calls "means the same". Formatting, comments, key
 * order and number spelling may differ (`1e+9` and `1000000000`, `2024` and `'2024'`); a slug and the
 * stable id it names count as equal (`!ref id:slug` is its id); everything else must be there, and
 * nothing more. Returns one line per difference.
 */
export function datasetDifferences(originalDir: string, exportDir: string): string[] {
  const out: string[] = [];
  const slugToId = entityIds(originalDir);
  const same = (a: unknown, b: unknown): boolean => equal(norm(a, slugToId), norm(b, slugToId));

  const compareItems = (where: string, a: Map<string, unknown>, b: Map<string, unknown>) => {
    for (const [key, item] of a) {
      if (!b.has(key)) out.push(`${where}: ${key} is missing`);
      else diffObject(`${where}: ${key}`, item, b.get(key), same, out);
    }
    for (const key of b.keys()) if (!a.has(key)) out.push(`${where}: ${key} is invented`);
  };
  const list = (dir: string, rel: string, idKey: string): Map<string, unknown> => {
    const file = path.join(dir, rel);
    if (!existsSync(file)) return new Map();
    const items = (rel.endsWith('.json') ? JSON.parse(readFileSync(file, 'utf8')) : readYaml(readFileSync(file, 'utf8'))) as Record<
      string,
      unknown
    >[];
    return new Map((items ?? []).map((i, n) => [String(i[idKey] ?? `[${n}]`), i]));
  };
  const yamlFiles = (dir: string, rel: string): string[] =>
    existsSync(path.join(dir, rel))
      ? readdirSync(path.join(dir, rel))
          .filter((f) => f.endsWith('.yaml'))
          .sort()
      : [];
  const filesOf = (rel: string) => [...new Set([...yamlFiles(originalDir, rel), ...yamlFiles(exportDir, rel)])];

  compareItems('publications.yaml', list(originalDir, 'publications.yaml', 'id'), list(exportDir, 'publications.yaml', 'id'));
  const props = (dir: string) =>
    new Map(Object.entries(readYaml(readFileSync(path.join(dir, 'properties.yaml'), 'utf8')).properties ?? {}));
  compareItems('properties.yaml', props(originalDir), props(exportDir));
  compareItems('pages.yaml', list(originalDir, 'pages.yaml', 'slug'), list(exportDir, 'pages.yaml', 'slug'));
  compareItems(
    'resources-snapshot.json',
    list(originalDir, 'resources-snapshot.json', 'id'),
    list(exportDir, 'resources-snapshot.json', 'id'),
  );
  for (const f of filesOf('entities'))
    compareItems(`entities/${f}`, list(originalDir, `entities/${f}`, 'id'), list(exportDir, `entities/${f}`, 'id'));
  for (const f of filesOf('resources'))
    compareItems(`resources/${f}`, list(originalDir, `resources/${f}`, 'url'), list(exportDir, `resources/${f}`, 'url'));
  /** A file that holds one item (a map), or null (reported) when either side lacks it. */
  const pair = (rel: string): [Record<string, unknown>, Record<string, unknown>] | null => {
    const read = (dir: string) =>
      existsSync(path.join(dir, rel)) ? (readYaml(readFileSync(path.join(dir, rel), 'utf8')) as Record<string, unknown>) : null;
    const a = read(originalDir);
    const b = read(exportDir);
    if (a && b) return [a, b];
    out.push(`${rel} is ${a ? 'missing' : 'invented'}`);
    return null;
  };
  // The entity types (schemas/*.yaml) and the record schemas (schemas/records/*.yaml): one item per file.
  for (const dir of ['schemas', 'schemas/records']) {
    for (const f of filesOf(dir)) {
      const both = pair(`${dir}/${f}`);
      if (both) diffObject(`${dir}/${f}`, both[0], both[1], same, out);
    }
  }
  for (const f of filesOf('things')) {
    const both = pair(`things/${f}`);
    if (!both) continue;
    const [a, b] = both;
    const { facts: factsA, ...restA } = a;
    const { facts: factsB, ...restB } = b;
    diffObject(`things/${f}`, restA, restB, same, out);
    const byId = (facts: unknown) => new Map(((facts as Record<string, unknown>[]) ?? []).map((x) => [String(x.id), x]));
    compareItems(`things/${f} facts`, byId(factsA), byId(factsB));
  }
  return out;
}

function diffObject(where: string, a: unknown, b: unknown, same: (a: unknown, b: unknown) => boolean, out: string[]): void {
  if (!isPlain(a) || !isPlain(b)) {
    if (!same(a, b)) out.push(`${where}: ${show(a)} ≠ ${show(b)}`);
    return;
  }
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (!(key in b)) out.push(`${where}.${key} is missing (${show(a[key])})`);
    else if (!(key in a)) out.push(`${where}.${key} is invented (${show(b[key])})`);
    else if (!same(a[key], b[key])) out.push(`${where}.${key}: ${show(a[key])} ≠ ${show(b[key])}`);
  }
}

const isPlain = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && !Array.isArray(x) && !(x instanceof Ref) && !(x instanceof Tagged);

/** Scalars as text (number spelling), references and slugs as stable ids, tags as their text. */
function norm(v: unknown, slugToId: Map<string, string>): unknown {
  if (v instanceof Ref) return v.text.split(':')[0].trim();
  if (v instanceof Tagged) return v.text;
  if (Array.isArray(v)) return v.map((x) => norm(x, slugToId));
  if (isPlain(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, norm(x, slugToId)]));
  if (typeof v === 'string') return slugToId.get(v) ?? v;
  if (typeof v === 'number') return String(v);
  return v;
}

function equal(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => equal(x, b[i]));
  if (isPlain(a) && isPlain(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && equal(a[k], b[k]));
  }
  return a === b;
}

const show = (v: unknown): string => {
  const s = JSON.stringify(v, (_k, x: unknown) => (x instanceof Ref || x instanceof Tagged ? `!${x.text}` : x));
  return s === undefined ? String(v) : s.length > 100 ? `${s.slice(0, 100)}…` : s;
};

/** slug → stable id for every entity the original files name. */
function entityIds(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const files = (rel: string) =>
    existsSync(path.join(dir, rel)) ? readdirSync(path.join(dir, rel)).filter((f) => f.endsWith('.yaml')) : [];
  for (const f of files('entities')) {
    for (const e of readYaml(readFileSync(path.join(dir, 'entities', f), 'utf8')) ?? []) if (e.stableId) out.set(e.id, e.stableId);
  }
  for (const f of files('things')) {
    const t = readYaml(readFileSync(path.join(dir, 'things', f), 'utf8'))?.thing;
    if (t?.stableId && !out.has(t.id)) out.set(t.id, t.stableId);
  }
  return out;
}
