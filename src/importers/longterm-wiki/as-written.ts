import type { JsonValue } from '../../domain/fact-value';
import type { AsWritten } from '../../domain/fields';
import { canonicalJson, jsonEqual } from '../../store/canonical-json';

/**
 * A thing's `asWritten` (docs/domain.md, "As written"): where the wiki's file spells an item otherwise
 * than the export writes the store's state, because the store took another file's value (a resource's
 * type from the snapshot, an entity's name from the registry over its things header), could not keep
 * the file's value as such (a resource id that is not its URL's hash, a citing page that does not
 * exist), or filled in what the file lacked. Recording both sides lets the export write the file's own
 * spelling back for as long as the store still holds what it held then, and the store's once it changed.
 */

type Item = Record<string, unknown>;

/** Keys whose values are sets: compared whatever their order. */
export type SetKeys = readonly string[];

const same = (a: unknown, b: unknown, isSet: boolean): boolean => {
  if (a === undefined || b === undefined) return a === b;
  if (isSet && Array.isArray(a) && Array.isArray(b))
    return canonicalJson([...a].map(canonicalJson).sort()) === canonicalJson([...b].map(canonicalJson).sort());
  return jsonEqual(a, b);
};

/** JSON values only: a YAML tag's object (a `!ref`) is the mapping's business, not a spelling. */
const isJson = (v: unknown): v is JsonValue => {
  try {
    return v === null || canonicalJson(JSON.parse(JSON.stringify(v))) === canonicalJson(v);
  } catch {
    return false;
  }
};

/**
 * The keys where `written` (the file's item as parsed) and `kept` (the item the export writes from the
 * store's state) differ, or undefined when they agree. A set's order counts here: it is how the file
 * spelled it.
 */
export function asWrittenOf(kept: Item, written: Item): AsWritten | undefined {
  const out: AsWritten = {};
  for (const key of new Set([...Object.keys(written), ...Object.keys(kept)])) {
    const [k, w] = [kept[key], written[key]];
    if (same(k, w, false) || !isJson(w ?? null) || !isJson(k ?? null)) continue;
    out[key] = { ...(k !== undefined ? { kept: k as JsonValue } : {}), ...(w !== undefined ? { written: w as JsonValue } : {}) };
  }
  return Object.keys(out).length ? out : undefined;
}

/**
 * The item to write: the file's spelling of each key whose value the store still holds as it did (a
 * set in any order: `sets` names those keys).
 */
export function writtenBack(item: Item, asWritten: AsWritten | undefined, sets: SetKeys = []): Item {
  if (!asWritten) return item;
  const out: Item = { ...item };
  for (const [key, { kept, written }] of Object.entries(asWritten)) {
    if (!same(item[key], kept, sets.includes(key))) continue;
    if (written === undefined) delete out[key];
    else out[key] = written;
  }
  return out;
}
