import { inputError, type StoreError } from './errors';

/**
 * The one serialization the hash chain and idempotency fingerprints are computed over: object keys
 * sorted, no whitespace. It must be a function of the value alone, because the verifier recomputes it
 * from what PostgreSQL hands back (jsonb reorders keys; JSON numbers round-trip exactly for JS doubles).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.keys(value as Record<string, unknown>)
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
  return `{${entries.join(',')}}`;
}

/**
 * `canonicalJson(a) === canonicalJson(b)` without building either string: the importer compares every
 * field of every thing this way on each sync, 70 times over in a history replay, where the strings
 * were a sixth of its CPU. Key order and undefined members do not count, as in the serialization.
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  const aObject = a !== null && typeof a === 'object';
  const bObject = b !== null && typeof b === 'object';
  if (!aObject || !bObject) return !aObject && !bObject && JSON.stringify(a) === JSON.stringify(b);
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b)) return false;
    // An undefined element serializes to nothing at all: leave such arrays to the serialization itself.
    if (a.length !== b.length || a.includes(undefined) || b.includes(undefined)) return canonicalJson(a) === canonicalJson(b);
    return a.every((item, i) => jsonEqual(item, b[i]));
  }
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  const keys = Object.keys(x).filter((k) => x[k] !== undefined);
  if (keys.length !== Object.keys(y).filter((k) => y[k] !== undefined).length) return false;
  return keys.every((k) => y[k] !== undefined && jsonEqual(x[k], y[k]));
}

/**
 * Rejects what JSON (and jsonb) cannot hold faithfully, naming the first offending path: functions,
 * symbols, bigints, non-finite numbers, NUL characters (jsonb refuses \u0000), class instances other
 * than plain objects and arrays, and cycles. `undefined` object members are dropped, as JSON does.
 */
export function assertJson(value: unknown, path: string): void {
  const seen = new Set<object>();
  const visit = (v: unknown, at: string): void => {
    switch (typeof v) {
      case 'string':
        if (v.includes('\u0000')) throw invalid(at, 'strings may not contain the NUL character');
        if (LONE_SURROGATE.test(v)) throw invalid(at, 'the string is not well-formed UTF-16 (lone surrogate)');
        return;
      case 'boolean':
        return;
      case 'number':
        if (!Number.isFinite(v)) throw invalid(at, `${v} is not a JSON number`);
        return;
      case 'object': {
        if (v === null) return;
        if (seen.has(v)) throw invalid(at, 'the value is circular');
        const proto = Object.getPrototypeOf(v);
        if (!Array.isArray(v) && proto !== Object.prototype && proto !== null) {
          throw invalid(at, `a ${proto?.constructor?.name ?? 'non-plain'} object is not JSON; send plain objects`);
        }
        seen.add(v);
        if (Array.isArray(v)) v.forEach((item, i) => visit(item, `${at}[${i}]`));
        else for (const [k, item] of Object.entries(v)) if (item !== undefined) visit(item, `${at}.${k}`);
        seen.delete(v);
        return;
      }
      default:
        throw invalid(at, `a ${typeof v} is not JSON`);
    }
  };
  visit(value, path);
}

// jsonb stores UTF-8, which cannot encode half of a surrogate pair.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Input: event data and metadata carry what clients sent (a NUL in a note, say). */
function invalid(path: string, message: string): StoreError {
  return inputError(`${path}: ${message}`, path.split('.'));
}
