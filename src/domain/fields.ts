import { childPath, describeReceived, failInput, ok, type Result } from './errors';
import type { JsonValue } from './fact-value';
import { parsePartialDate } from './partial-date';

/**
 * Field-level validation shared by every kind of thing. A kind declares its fields once as a spec;
 * the same spec checks a registration (required fields present) and a patch (`set` some fields,
 * `unset` others), so the rules for a field cannot drift between create and update.
 */
export interface FieldSpec<T> {
  read(raw: unknown, path: string): Result<T>;
  /** Must be given on registration and can never be unset. */
  required?: boolean;
  /** Set once on registration; a patch may not change it (identity fields). */
  immutable?: boolean;
  /**
   * A keyed map (an object of named values, see `keyedMap`): a patch changes it key by key. `set` merges
   * the keys it names into the stored map, `unset: ['field.key']` removes one key and `unset: ['field']`
   * the whole map, so an event names exactly the keys that changed.
   */
  keyed?: boolean;
}

export type FieldSpecs<F> = { readonly [K in keyof F]-?: FieldSpec<NonNullable<F[K]>> };

/** A name under `unset`: a field, or `field.key` for one key of a keyed map field. */
export type UnsetName<F> = (keyof F & string) | `${keyof F & string}.${string}`;

/** A patch as stored in an event: the fields it sets and the names it clears. */
export interface Patch<F> {
  /** A keyed map field here holds only the keys that change, merged into the stored map. */
  set: Partial<F>;
  unset: UnsetName<F>[];
}

type Raw = Readonly<Record<string, unknown>>;

export const isRecord = (x: unknown): x is Raw => typeof x === 'object' && x !== null && !Array.isArray(x);

/** Reads every field the spec knows from `raw`; unknown keys are an error, not silently dropped. */
export function readFields<F>(
  specs: FieldSpecs<F>,
  raw: unknown,
  path: string,
  { requireAll }: { requireAll: boolean },
): Result<Partial<F>> {
  if (!isRecord(raw)) return failInput(path || 'input', `expected an object, got ${describeReceived(raw)}`);
  const out: Partial<F> = {};
  for (const key of Object.keys(raw)) {
    if (!Object.hasOwn(specs, key)) {
      return failInput(childPath(path, key), `unknown field; known fields: ${Object.keys(specs).join(', ')}`);
    }
  }
  for (const key of Object.keys(specs) as (keyof F & string)[]) {
    const spec = specs[key] as FieldSpec<unknown>;
    const value = raw[key];
    if (value === undefined || value === null) {
      if (requireAll && spec.required) return failInput(childPath(path, key), 'is required');
      continue;
    }
    const read = spec.read(value, childPath(path, key));
    if (!read.ok) return read;
    out[key] = read.value as F[typeof key];
  }
  return ok(out);
}

/** Reads `{set, unset}` against a spec: required and immutable fields cannot be unset or changed. */
export function readPatch<F>(specs: FieldSpecs<F>, set: unknown, unset: unknown, path = ''): Result<Patch<F>> {
  // A null under `set` would be silently read as "absent"; clearing is what `unset` is for.
  if (isRecord(set)) {
    const nulled = Object.keys(set).find((k) => set[k] === null);
    if (nulled)
      return failInput(childPath(childPath(path, 'set'), nulled), `null is not a value; list "${nulled}" under unset to clear it`);
  }
  const fields = readFields(specs, set ?? {}, childPath(path, 'set'), { requireAll: false });
  if (!fields.ok) return fields;
  for (const key of Object.keys(fields.value) as (keyof F & string)[]) {
    if ((specs[key] as FieldSpec<unknown>).immutable) return failInput(childPath(childPath(path, 'set'), key), 'cannot be changed');
  }
  const names: UnsetName<F>[] = [];
  if (unset !== undefined && unset !== null) {
    if (!Array.isArray(unset)) return failInput(childPath(path, 'unset'), `expected a list of field names, got ${describeReceived(unset)}`);
    for (const [i, name] of unset.entries()) {
      const at = childPath(childPath(path, 'unset'), i);
      const named = typeof name === 'string' ? unsetTarget(specs, name) : null;
      if (!named) {
        return failInput(at, `unknown field ${describeReceived(name)}; known fields: ${Object.keys(specs).join(', ')}`);
      }
      const [field, key] = named;
      const spec = specs[field] as FieldSpec<unknown>;
      if (spec.required || spec.immutable) return failInput(at, `"${field}" is required and cannot be unset`);
      const setMap = (fields.value as Record<string, unknown>)[field];
      if (setMap !== undefined && (key === undefined || Object.hasOwn(setMap as object, key)))
        return failInput(at, `"${name as string}" is both set and unset`);
      if (!names.includes(name as UnsetName<F>)) names.push(name as UnsetName<F>);
    }
  }
  if (Object.keys(fields.value).length === 0 && names.length === 0) {
    return failInput(path || 'set', 'the patch changes nothing: give fields under "set" or names under "unset"');
  }
  return ok({ set: fields.value, unset: names });
}

/**
 * `name` under unset → the field and, for `field.key` of a keyed map, the key. A field's own name
 * wins over a split at its dot, so a plain field may not contain a dot anyway.
 */
function unsetTarget<F>(specs: FieldSpecs<F>, name: string): [keyof F & string, string | undefined] | null {
  if (Object.hasOwn(specs, name)) return [name as keyof F & string, undefined];
  const dot = name.indexOf('.');
  if (dot <= 0 || dot === name.length - 1) return null;
  const field = name.slice(0, dot);
  if (!Object.hasOwn(specs, field) || !(specs[field as keyof F] as FieldSpec<unknown>).keyed) return null;
  return [field as keyof F & string, name.slice(dot + 1)];
}

type KeyedMap = Record<string, unknown>;

/** Without specs (a kind with no keyed field) every field is a plain one. */
const isKeyed = <F>(specs: FieldSpecs<F> | null, field: string): boolean =>
  specs !== null && Object.hasOwn(specs, field) && (specs[field as keyof F] as FieldSpec<unknown>).keyed === true;

/**
 * Applies a patch: named fields change, unset fields go, every other field is untouched. A keyed map
 * takes the patch's keys into its own, and `field.key` under unset removes one key; a map left with no
 * key is no map, so an emptied map and an absent one are the same state. A kind with a keyed field
 * passes its specs (they say which fields are keyed).
 */
export function applyPatch<F extends object>(fields: F, patch: Patch<F>, specs: FieldSpecs<F> | null = null): F {
  const next = { ...fields } as Record<string, unknown>;
  for (const [field, value] of Object.entries(patch.set)) {
    next[field] = isKeyed(specs, field) ? { ...((next[field] as KeyedMap | undefined) ?? {}), ...(value as KeyedMap) } : value;
  }
  for (const name of patch.unset) {
    const [field, key] = (specs && unsetTarget(specs, name)) ?? [name, undefined];
    if (key === undefined) {
      delete next[field];
      continue;
    }
    const map = next[field] as KeyedMap | undefined;
    if (!map || !Object.hasOwn(map, key)) continue;
    const rest = { ...map };
    delete rest[key];
    if (Object.keys(rest).length) next[field] = rest;
    else delete next[field];
  }
  return next as F;
}

/**
 * Drops the parts of a patch that would not change anything, so a no-op update appends no event; of a
 * keyed map it keeps only the keys whose values change.
 */
export function effectivePatch<F extends object>(fields: F, patch: Patch<F>, specs: FieldSpecs<F> | null = null): Patch<F> {
  const set: Partial<F> = {};
  const have = fields as Record<string, unknown>;
  for (const field of Object.keys(patch.set) as (keyof F & string)[]) {
    if (isKeyed(specs, field)) {
      const stored = (have[field] as KeyedMap | undefined) ?? {};
      const changed = Object.entries(patch.set[field] as KeyedMap).filter(
        ([k, v]) => !Object.hasOwn(stored, k) || canonical(stored[k]) !== canonical(v),
      );
      if (changed.length) set[field] = Object.fromEntries(changed) as F[typeof field];
    } else if (JSON.stringify(fields[field]) !== JSON.stringify(patch.set[field])) set[field] = patch.set[field];
  }
  const unset = patch.unset.filter((name) => {
    const [field, key] = (specs && unsetTarget(specs, name)) ?? [name, undefined];
    const value = have[field];
    return key === undefined ? value !== undefined : value !== undefined && Object.hasOwn(value as KeyedMap, key);
  });
  return { set, unset };
}

/** JSON with object keys sorted, so two maps that differ only in key order compare equal. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    isRecord(v)
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, v[k]]),
        )
      : v,
  );
}

export const isEmptyPatch = <F>(p: Patch<F>): boolean => Object.keys(p.set).length === 0 && p.unset.length === 0;

// ---- field readers shared by the kinds ----

export const text = (max = 10_000) => ({
  read(raw: unknown, path: string): Result<string> {
    if (typeof raw !== 'string') return failInput(path, `expected a string, got ${describeReceived(raw)}`);
    if (raw.trim() === '') return failInput(path, 'must not be empty');
    if (raw.length > max) return failInput(path, `is ${raw.length} characters; the limit is ${max}`);
    return ok(raw);
  },
});

export const oneOf = <T extends string>(values: readonly T[]) => ({
  read(raw: unknown, path: string): Result<T> {
    return typeof raw === 'string' && (values as readonly string[]).includes(raw)
      ? ok(raw as T)
      : failInput(path, `expected one of ${values.join(', ')}, got ${describeReceived(raw)}`);
  },
});

export const integerIn = (min: number, max: number) => ({
  read(raw: unknown, path: string): Result<number> {
    return typeof raw === 'number' && Number.isInteger(raw) && raw >= min && raw <= max
      ? ok(raw)
      : failInput(path, `expected an integer from ${min} to ${max}, got ${describeReceived(raw)}`);
  },
});

export const numberIn = (min: number, max: number) => ({
  read(raw: unknown, path: string): Result<number> {
    return typeof raw === 'number' && Number.isFinite(raw) && raw >= min && raw <= max
      ? ok(raw)
      : failInput(path, `expected a number from ${min} to ${max}, got ${describeReceived(raw)}`);
  },
});

export const bool = {
  read(raw: unknown, path: string): Result<boolean> {
    return typeof raw === 'boolean' ? ok(raw) : failInput(path, `expected true or false, got ${describeReceived(raw)}`);
  },
};

/** A partial date, stored as its canonical string (`2025`, `2025-05`, `2025-05-22`): precision is the shape. */
export const partialDateString = {
  read(raw: unknown, path: string): Result<string> {
    const d = parsePartialDate(raw, path);
    return d.ok ? ok(d.value.value) : d;
  },
};

export const id = (test: (s: unknown) => boolean, expected: string) => ({
  read(raw: unknown, path: string): Result<string> {
    return test(raw) ? ok(raw as string) : failInput(path, `expected ${expected}, got ${describeReceived(raw)}`);
  },
});

/** A list of distinct items, each read by `item`. */
export const listOf = <T>(item: { read(raw: unknown, path: string): Result<T> }, max = 1000) => ({
  read(raw: unknown, path: string): Result<T[]> {
    if (!Array.isArray(raw)) return failInput(path, `expected a list, got ${describeReceived(raw)}`);
    if (raw.length > max) return failInput(path, `has ${raw.length} items; the limit is ${max}`);
    const out: T[] = [];
    for (const [i, x] of raw.entries()) {
      const r = item.read(x, childPath(path, i));
      if (!r.ok) return r;
      if (out.some((o) => JSON.stringify(o) === JSON.stringify(r.value))) {
        return failInput(childPath(path, i), `duplicate item ${describeReceived(x)}`);
      }
      out.push(r.value);
    }
    return ok(out);
  },
});

/**
 * Where an item is kept in its data set's files, as a path relative to the data set's folder
 * (`entities/ai-models.yaml`): an export writes the item back into the file it came from.
 */
export const dataFile = {
  read(raw: unknown, path: string): Result<string> {
    if (typeof raw !== 'string' || raw.length > 300 || !/^(?!\/)(?!.*(?:^|\/)\.\.?(?:\/|$))[A-Za-z0-9._/-]+$/.test(raw)) {
      return failInput(path, `expected a relative file path such as "entities/people.yaml", got ${describeReceived(raw)}`);
    }
    return ok(raw);
  },
};

/**
 * A keyed map of verbatim JSON values (`attributes`): any key that is not empty, any JSON value,
 * null included (a file may hold a key with no value). Patched key by key (see FieldSpec.keyed).
 */
export const keyedMap = (maxKeys = 1000, maxKeyLength = 200): FieldSpec<{ [key: string]: JsonValue }> => ({
  keyed: true,
  read(raw: unknown, path: string): Result<{ [key: string]: JsonValue }> {
    if (!isRecord(raw)) return failInput(path, `expected an object of named values, got ${describeReceived(raw)}`);
    const keys = Object.keys(raw);
    if (keys.length === 0) return failInput(path, 'expected at least one key; unset the field to clear it');
    if (keys.length > maxKeys) return failInput(path, `has ${keys.length} keys; the limit is ${maxKeys}`);
    for (const key of keys) {
      if (key.trim() === '' || key.length > maxKeyLength)
        return failInput(childPath(path, key), `a key must be 1 to ${maxKeyLength} characters`);
      const bad = notJson(raw[key]);
      if (bad) return failInput(childPath(path, key), bad);
    }
    return ok(raw as { [key: string]: JsonValue });
  },
});

/** Why a value is not plain JSON (undefined, a function, NaN, a Date…), or null when it is. */
function notJson(value: unknown): string | null {
  const stack: unknown[] = [value];
  while (stack.length) {
    const v = stack.pop();
    if (v === null || typeof v === 'string' || typeof v === 'boolean') continue;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) return `${String(v)} is not a JSON number`;
      continue;
    }
    if (Array.isArray(v)) {
      stack.push(...v);
      continue;
    }
    if (isRecord(v) && Object.getPrototypeOf(v) === Object.prototype) {
      stack.push(...Object.values(v));
      continue;
    }
    return `expected a JSON value, got ${describeReceived(v)}`;
  }
  return null;
}

/** What a kind keeps of its file's keys that it has no typed field for: key → the value as written. */
export type Attributes = { [key: string]: JsonValue };

/**
 * The lossless field every kind read from files has (docs/domain.md, Attributes): the file's other keys
 * verbatim, and a value a typed field refused, under its file key, so nothing read is dropped.
 */
export const attributesField: FieldSpec<Attributes> = keyedMap();

/**
 * Where the file a thing was read from spells one of its keys otherwise than the store keeps it
 * (docs/domain.md, "As written"): file key → the value the store held when the file was read (`kept`,
 * as an export writes it) and the file's own (`written`). Either is absent where that side had no
 * such key. An export writes `written` back for as long as the store still holds `kept`.
 */
export type AsWritten = { [key: string]: { kept?: JsonValue; written?: JsonValue } };

export const asWrittenField: FieldSpec<AsWritten> = {
  read(raw: unknown, path: string): Result<AsWritten> {
    const map = keyedMap().read(raw, path);
    if (!map.ok) return map;
    for (const [key, entry] of Object.entries(map.value)) {
      if (!isRecord(entry) || Object.keys(entry).some((k) => k !== 'kept' && k !== 'written'))
        return failInput(childPath(path, key), `expected { kept?, written? }, got ${describeReceived(entry)}`);
    }
    return ok(map.value as AsWritten);
  },
};

export const jsonObject = {
  read(raw: unknown, path: string): Result<{ [key: string]: JsonValue }> {
    if (!isRecord(raw)) return failInput(path, `expected an object, got ${describeReceived(raw)}`);
    return ok(raw as { [key: string]: JsonValue });
  },
};
