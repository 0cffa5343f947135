import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type ScalarTag } from 'yaml';
import type { Anomalies, Loc } from '../sync/vocabulary';

/** `!ref id`, `!ref id:slug`: a reference to an entity by stable id, with the slug as a reading aid. */
export class RefTag {
  constructor(
    readonly id: string,
    readonly slug?: string,
  ) {}
  toString(): string {
    return this.slug ? `${this.id}:${this.slug}` : this.id;
  }
}

/** `!date 2025-11`: a partial date written as such, so that a bare year is not read as a number. */
export class DateTag {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** `!src x`: a source by resource id, stable id or URL. */
export class SrcTag {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const scalarTag = <T>(tag: string, make: (s: string) => T, cls: abstract new (...args: never[]) => T): ScalarTag => ({
  tag,
  identify: (v: unknown) => v instanceof cls,
  resolve: (s: string) => make(s.trim()),
  stringify: (item) => String((item as { value: unknown }).value),
});

/** The wiki's custom tags. Anything else tagged is reported by the parser as a warning. */
export const WIKI_TAGS: ScalarTag[] = [
  scalarTag(
    '!ref',
    (s) => {
      const colon = s.indexOf(':');
      return colon < 0 ? new RefTag(s) : new RefTag(s.slice(0, colon).trim(), s.slice(colon + 1).trim() || undefined);
    },
    RefTag,
  ),
  scalarTag('!date', (s) => new DateTag(s), DateTag),
  scalarTag('!src', (s) => new SrcTag(s), SrcTag),
];

export interface ParsedYaml {
  doc: Document;
  /** The document as plain values (tags as RefTag/DateTag/SrcTag). */
  value: unknown;
  lineOf(node: unknown): number | undefined;
}

/**
 * Parses one YAML file with the core schema: `2019-05-01` stays a string (no timestamps), `2019` is
 * a number. Errors make the file unusable (null, each error reported with its line); warnings are
 * reported and the file is used.
 */
export function parseYaml(text: string, file: string, anomalies: Anomalies): ParsedYaml | null {
  const lines = new LineCounter();
  const doc = parseDocument(text, { schema: 'core', customTags: WIKI_TAGS, lineCounter: lines, prettyErrors: false });
  const lineAt = (offset: number | undefined): number | undefined => (offset === undefined ? undefined : lines.linePos(offset).line);
  if (doc.errors.length > 0) {
    for (const e of doc.errors) anomalies.add('parse-error', { file, line: lineAt(e.pos[0]) }, `${e.code}: ${firstLine(e.message)}`);
    return null;
  }
  for (const w of doc.warnings) anomalies.add('yaml-warning', { file, line: lineAt(w.pos[0]) }, firstLine(w.message));
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 1000 });
  } catch (err) {
    anomalies.add('parse-error', { file }, (err as Error).message);
    return null;
  }
  return {
    doc,
    value,
    lineOf: (node) => (node && typeof node === 'object' && 'range' in node ? lineAt((node as Node).range?.[0]) : undefined),
  };
}

const firstLine = (s: string): string => s.split('\n')[0].trim();

/** The nodes of a sequence (for line numbers), parallel to its plain values. */
export function seqItems(node: unknown): unknown[] {
  return isSeq(node) ? node.items : [];
}

/** The key nodes of a map by key, for line numbers of map entries. */
export function mapKeyNodes(node: unknown): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (!isMap(node)) return out;
  for (const pair of node.items) {
    if (isPair(pair) && isScalar(pair.key)) out.set(String(pair.key.value), pair.key);
  }
  return out;
}

export function mapValueNode(node: unknown, key: string): unknown {
  if (!isMap(node)) return undefined;
  for (const pair of node.items) {
    if (isPair(pair) && isScalar(pair.key) && String(pair.key.value) === key) return pair.value;
  }
  return undefined;
}

export const locOf = (file: string, parsed: ParsedYaml, node: unknown, at?: string): Loc => {
  const loc: Loc = { file };
  const line = parsed.lineOf(node);
  if (line !== undefined) loc.line = line;
  if (at !== undefined) loc.at = at;
  return loc;
};
