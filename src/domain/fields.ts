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
}

export type FieldSpecs<F> = { readonly [K in keyof F]-?: FieldSpec<NonNullable<F[K]>> };

/** A patch as stored in an event: the fields it sets and the names it clears. */
export interface Patch<F> {
  set: Partial<F>;
  unset: (keyof F & string)[];
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
  const names: (keyof F & string)[] = [];
  if (unset !== undefined && unset !== null) {
    if (!Array.isArray(unset)) return failInput(childPath(path, 'unset'), `expected a list of field names, got ${describeReceived(unset)}`);
    for (const [i, name] of unset.entries()) {
      const at = childPath(childPath(path, 'unset'), i);
      if (typeof name !== 'string' || !Object.hasOwn(specs, name)) {
        return failInput(at, `unknown field ${describeReceived(name)}; known fields: ${Object.keys(specs).join(', ')}`);
      }
      const spec = specs[name as keyof F] as FieldSpec<unknown>;
      if (spec.required || spec.immutable) return failInput(at, `"${name}" is required and cannot be unset`);
      if (name in fields.value) return failInput(at, `"${name}" is both set and unset`);
      if (!names.includes(name as keyof F & string)) names.push(name as keyof F & string);
    }
  }
  if (Object.keys(fields.value).length === 0 && names.length === 0) {
    return failInput(path || 'set', 'the patch changes nothing: give fields under "set" or names under "unset"');
  }
  return ok({ set: fields.value, unset: names });
}

/** Applies a patch: named fields change, unset fields go, every other field is untouched. */
export function applyPatch<F extends object>(fields: F, patch: Patch<F>): F {
  const next = { ...fields, ...patch.set } as F;
  for (const name of patch.unset) delete (next as Record<string, unknown>)[name];
  return next;
}

/** Drops the parts of a patch that would not change anything, so a no-op update appends no event. */
export function effectivePatch<F extends object>(fields: F, patch: Patch<F>): Patch<F> {
  const set: Partial<F> = {};
  for (const key of Object.keys(patch.set) as (keyof F & string)[]) {
    if (JSON.stringify(fields[key]) !== JSON.stringify(patch.set[key])) set[key] = patch.set[key];
  }
  const unset = patch.unset.filter((name) => (fields as Record<string, unknown>)[name] !== undefined);
  return { set, unset };
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

export const jsonObject = {
  read(raw: unknown, path: string): Result<{ [key: string]: JsonValue }> {
    if (!isRecord(raw)) return failInput(path, `expected an object, got ${describeReceived(raw)}`);
    return ok(raw as { [key: string]: JsonValue });
  },
};
