import { childPath, describeReceived, failInput, ok, type Result } from './errors';
import { displayPartialDate, isPartialDate, parsePartialDate, type PartialDate } from './partial-date';

export const DATA_TYPES = ['number', 'text', 'date', 'boolean', 'ref', 'refs', 'range', 'json'] as const;
export type DataType = (typeof DATA_TYPES)[number];
export const isDataType = (s: unknown): s is DataType => typeof s === 'string' && (DATA_TYPES as readonly string[]).includes(s);

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export type FactValue =
  | { readonly kind: 'number'; readonly value: number; readonly unit?: string }
  | { readonly kind: 'range'; readonly low: number; readonly high: number; readonly unit?: string }
  | { readonly kind: 'min'; readonly min: number; readonly unit?: string }
  | { readonly kind: 'text'; readonly value: string }
  | { readonly kind: 'date'; readonly value: PartialDate }
  | { readonly kind: 'boolean'; readonly value: boolean }
  | { readonly kind: 'ref'; readonly entity: string }
  | { readonly kind: 'refs'; readonly entities: string[] }
  | { readonly kind: 'json'; readonly value: JsonValue };
export type FactValueKind = FactValue['kind'];

export const MAX_TEXT_LENGTH = 10_000;
const MAX_ID_LENGTH = 200;
/** Deep enough for any real document, shallow enough to stop a cyclic object before the stack does. */
const MAX_JSON_DEPTH = 64;

type Obj = Readonly<Record<string, unknown>>;

const isPlainObject = (x: unknown): x is Obj => {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return false;
  const proto: unknown = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
};

/** JSON cannot tell -0 from 0, so keep only 0 or stored values would not round trip. */
const normalizeZero = (n: number): number => (n === 0 ? 0 : n);

const withUnit = <T extends object>(base: T, unit: string | undefined): T | (T & { unit: string }) =>
  unit === undefined ? base : { ...base, unit };

/** Reports missing and unexpected keys; a typo such as `{"lo": 1}` must not pass as something else. */
const keyProblem = (o: Obj, required: readonly string[], optional: readonly string[] = []): string | undefined => {
  const missing = required.filter((k) => !(k in o));
  if (missing.length > 0) return `missing ${missing.map((k) => `"${k}"`).join(', ')}`;
  const allowed = new Set([...required, ...optional]);
  const extra = Object.keys(o).filter((k) => !allowed.has(k));
  if (extra.length > 0) return `unexpected key ${extra.map((k) => `"${k}"`).join(', ')}`;
  return undefined;
};

const readFinite = (raw: unknown, path: string): Result<number> =>
  typeof raw === 'number' && Number.isFinite(raw)
    ? ok(normalizeZero(raw))
    : failInput(path, `expected a finite number, got ${describeReceived(raw)}`);

const looksNumeric = (s: string): boolean => s.trim() !== '' && Number.isFinite(Number(s));

type NumericValue = Extract<FactValue, { kind: 'number' | 'range' | 'min' }>;

const readBounds = (o: Obj, unit: string | undefined, path: string): Result<NumericValue> | undefined => {
  if ('low' in o || 'high' in o) {
    const problem = keyProblem(o, ['low', 'high']);
    if (problem) return failInput(path, `a range is {"low": number, "high": number}: ${problem}`);
    const low = readFinite(o.low, childPath(path, 'low'));
    if (!low.ok) return low;
    const high = readFinite(o.high, childPath(path, 'high'));
    if (!high.ok) return high;
    if (low.value > high.value) return failInput(path, `range low ${low.value} is greater than high ${high.value}`);
    return ok(withUnit({ kind: 'range', low: low.value, high: high.value } as const, unit));
  }
  if ('min' in o) {
    const problem = keyProblem(o, ['min']);
    if (problem) return failInput(path, `a lower bound is {"min": number}: ${problem}`);
    const min = readFinite(o.min, childPath(path, 'min'));
    if (!min.ok) return min;
    return ok(withUnit({ kind: 'min', min: min.value } as const, unit));
  }
  return undefined;
};

const mismatch = <T>(path: string, expected: string, dataType: DataType, raw: unknown, hint = ''): Result<T> =>
  failInput(path, `expected ${expected} for property dataType "${dataType}", got ${describeReceived(raw)}${hint}`);

const NUMERIC_STRING_HINT = '; numbers must be sent as JSON numbers, not strings';

const readNumeric = (raw: unknown, dataType: 'number' | 'range', unit: string | undefined, path: string): Result<FactValue> => {
  const expected = dataType === 'number' ? 'a number, {"low", "high"} or {"min"}' : 'a range {"low", "high"} or a lower bound {"min"}';
  if (typeof raw === 'number' && dataType === 'number') {
    if (!Number.isFinite(raw)) return mismatch(path, 'a finite number', dataType, raw);
    return ok(withUnit({ kind: 'number', value: normalizeZero(raw) } as const, unit));
  }
  if (isPlainObject(raw)) {
    const bounds = readBounds(raw, unit, path);
    if (bounds) return bounds;
  }
  const hint = typeof raw === 'string' && looksNumeric(raw) ? NUMERIC_STRING_HINT : '';
  return mismatch(path, expected, dataType, raw, hint);
};

const readId = (raw: unknown, path: string, dataType: DataType): Result<string> => {
  if (typeof raw !== 'string') return mismatch(path, 'an entity id string', dataType, raw);
  if (raw === '') return failInput(path, 'entity id must not be empty');
  if (raw.trim() !== raw) return failInput(path, `entity id must not start or end with whitespace, got ${describeReceived(raw)}`);
  if (raw.length > MAX_ID_LENGTH) return failInput(path, `entity id is longer than ${MAX_ID_LENGTH} characters`);
  return ok(raw);
};

const readRefs = (raw: unknown, path: string): Result<FactValue> => {
  if (!Array.isArray(raw)) return mismatch(path, 'an array of entity ids', 'refs', raw);
  if (raw.length === 0) return failInput(path, 'expected at least one entity id, got an empty array');
  const entities: string[] = [];
  const seen = new Map<string, number>();
  for (let i = 0; i < raw.length; i++) {
    const id = readId(raw[i], childPath(path, i), 'refs');
    if (!id.ok) return id;
    const first = seen.get(id.value);
    if (first !== undefined) {
      return failInput(childPath(path, i), `entity id ${JSON.stringify(id.value)} is repeated (first at index ${first})`);
    }
    seen.set(id.value, i);
    entities.push(id.value);
  }
  return ok({ kind: 'refs', entities });
};

/** Rebuilds the value as it would come back from JSON.parse, so nothing that JSON would drop survives. */
export const readJsonValue = (raw: unknown, path: string, depth = 0): Result<JsonValue> => {
  if (depth > MAX_JSON_DEPTH) return failInput(path, `JSON nested deeper than ${MAX_JSON_DEPTH} levels (or cyclic)`);
  if (raw === null || typeof raw === 'string' || typeof raw === 'boolean') return ok(raw);
  if (typeof raw === 'number') {
    return Number.isFinite(raw) ? ok(normalizeZero(raw)) : failInput(path, `expected a JSON value, got ${describeReceived(raw)}`);
  }
  if (Array.isArray(raw)) {
    const items: JsonValue[] = [];
    for (let i = 0; i < raw.length; i++) {
      const item = readJsonValue(raw[i], childPath(path, i), depth + 1);
      if (!item.ok) return item;
      items.push(item.value);
    }
    return ok(items);
  }
  if (isPlainObject(raw)) {
    const entries: [string, JsonValue][] = [];
    for (const [key, v] of Object.entries(raw)) {
      const item = readJsonValue(v, childPath(path, key), depth + 1);
      if (!item.ok) return item;
      entries.push([key, item.value]);
    }
    // fromEntries defines own properties, so a "__proto__" key stays data instead of becoming a prototype.
    return ok(Object.fromEntries(entries));
  }
  return failInput(path, `expected a JSON value, got ${describeReceived(raw)}`);
};

/**
 * Reads a fact value from API input. The property's dataType decides the shape; a value that does not
 * fit is refused rather than coerced, because a coerced value would be a fact nobody stated.
 */
export const readFactValue = (raw: unknown, dataType: DataType, unit: string | undefined, path: string): Result<FactValue> => {
  switch (dataType) {
    case 'number':
    case 'range':
      return readNumeric(raw, dataType, unit, path);
    case 'text':
      if (typeof raw !== 'string') return mismatch(path, 'a string', dataType, raw);
      if (raw.trim() === '') return failInput(path, 'text must not be empty or blank');
      if (raw.length > MAX_TEXT_LENGTH) return failInput(path, `text is ${raw.length} characters; the limit is ${MAX_TEXT_LENGTH}`);
      return ok({ kind: 'text', value: raw });
    case 'date': {
      const date = parsePartialDate(raw, path);
      return date.ok ? ok({ kind: 'date', value: date.value }) : date;
    }
    case 'boolean':
      return typeof raw === 'boolean' ? ok({ kind: 'boolean', value: raw }) : mismatch(path, 'true or false', dataType, raw);
    case 'ref': {
      const id = readId(raw, path, dataType);
      return id.ok ? ok({ kind: 'ref', entity: id.value }) : id;
    }
    case 'refs':
      return readRefs(raw, path);
    case 'json': {
      const json = readJsonValue(raw, path);
      return json.ok ? ok({ kind: 'json', value: json.value }) : json;
    }
  }
};

/** The stored form is the FactValue itself: the kind is kept so a value reads back without its property. */
export const factValueToJson = (v: FactValue): JsonValue => {
  switch (v.kind) {
    case 'number':
      return withUnit({ kind: v.kind, value: v.value }, v.unit);
    case 'range':
      return withUnit({ kind: v.kind, low: v.low, high: v.high }, v.unit);
    case 'min':
      return withUnit({ kind: v.kind, min: v.min }, v.unit);
    case 'text':
      return { kind: v.kind, value: v.value };
    case 'date':
      return { kind: v.kind, value: { value: v.value.value, precision: v.value.precision } };
    case 'boolean':
      return { kind: v.kind, value: v.value };
    case 'ref':
      return { kind: v.kind, entity: v.entity };
    case 'refs':
      return { kind: v.kind, entities: [...v.entities] };
    case 'json':
      return { kind: v.kind, value: v.value };
  }
};

const readStoredUnit = (o: Obj, path: string): Result<string | undefined> =>
  o.unit === undefined || (typeof o.unit === 'string' && o.unit !== '')
    ? ok(o.unit)
    : failInput(childPath(path, 'unit'), `expected a non-empty string, got ${describeReceived(o.unit)}`);

const KEYS: Readonly<Record<FactValueKind, { required: readonly string[]; optional?: readonly string[] }>> = {
  number: { required: ['kind', 'value'], optional: ['unit'] },
  range: { required: ['kind', 'low', 'high'], optional: ['unit'] },
  min: { required: ['kind', 'min'], optional: ['unit'] },
  text: { required: ['kind', 'value'] },
  date: { required: ['kind', 'value'] },
  boolean: { required: ['kind', 'value'] },
  ref: { required: ['kind', 'entity'] },
  refs: { required: ['kind', 'entities'] },
  json: { required: ['kind', 'value'] },
};

const isKind = (k: unknown): k is FactValueKind => typeof k === 'string' && Object.hasOwn(KEYS, k);

/**
 * Validates a value read back from an event. It checks shape only, not input policy (text length,
 * unique refs): those rules may tighten later, and events written under the old rules must still load.
 */
export const readStoredFactValue = (json: unknown, path = 'value'): Result<FactValue> => {
  if (!isPlainObject(json) || !isKind(json.kind)) {
    return failInput(path, `expected a stored fact value with a known "kind", got ${describeReceived(json)}`);
  }
  const kind = json.kind;
  const { required, optional } = KEYS[kind];
  const problem = keyProblem(json, required, optional);
  if (problem) return failInput(path, `stored ${kind} value: ${problem}`);
  const bad = (key: string, expected: string): Result<FactValue> =>
    failInput(childPath(path, key), `expected ${expected}, got ${describeReceived(json[key])}`);
  switch (kind) {
    case 'number': {
      const unit = readStoredUnit(json, path);
      const value = readFinite(json.value, childPath(path, 'value'));
      if (!unit.ok) return unit;
      return value.ok ? ok(withUnit({ kind, value: value.value } as const, unit.value)) : value;
    }
    case 'min': {
      const unit = readStoredUnit(json, path);
      const min = readFinite(json.min, childPath(path, 'min'));
      if (!unit.ok) return unit;
      return min.ok ? ok(withUnit({ kind, min: min.value } as const, unit.value)) : min;
    }
    case 'range': {
      const unit = readStoredUnit(json, path);
      if (!unit.ok) return unit;
      const bounds = readBounds({ low: json.low, high: json.high }, unit.value, path);
      return bounds ?? failInput(path, 'stored range has no bounds');
    }
    case 'text':
      return typeof json.value === 'string' ? ok({ kind, value: json.value }) : bad('value', 'a string');
    case 'date':
      return isPartialDate(json.value)
        ? ok({ kind, value: { value: json.value.value, precision: json.value.precision } })
        : bad('value', 'a partial date {"value", "precision"}');
    case 'boolean':
      return typeof json.value === 'boolean' ? ok({ kind, value: json.value }) : bad('value', 'a boolean');
    case 'ref':
      return typeof json.entity === 'string' && json.entity !== '' ? ok({ kind, entity: json.entity }) : bad('entity', 'an entity id');
    case 'refs': {
      const entities = json.entities;
      return Array.isArray(entities) && entities.every((e): e is string => typeof e === 'string' && e !== '')
        ? ok({ kind, entities: [...entities] })
        : bad('entities', 'an array of entity ids');
    }
    case 'json': {
      const value = readJsonValue(json.value, childPath(path, 'value'));
      return value.ok ? ok({ kind, value: value.value }) : value;
    }
  }
};

/**
 * For reading our own event log, where a malformed value is a bug in the store rather than bad client
 * input: it throws a plain Error so that it surfaces as an internal error, never as BAD_USER_INPUT.
 */
export const factValueFromStored = (json: unknown): FactValue => {
  const result = readStoredFactValue(json);
  if (!result.ok) throw new Error(`corrupt stored fact value: ${result.error.message}`, { cause: result.error });
  return result.value;
};

/** Entity ids a value points at, so callers can flag those that name no known entity. */
export const refsOf = (v: FactValue): string[] => {
  switch (v.kind) {
    case 'ref':
      return [v.entity];
    case 'refs':
      return [...v.entities];
    default:
      return [];
  }
};

export interface NumberDisplay {
  readonly divisor?: number;
  readonly prefix?: string;
  readonly suffix?: string;
}

export interface DisplayOptions {
  readonly display?: NumberDisplay;
  readonly unit?: string;
  readonly nameOf?: (entityId: string) => string | undefined;
}

const trimFraction = (s: string): string => {
  const [mantissa = s, exponent] = s.split('e');
  const trimmed = mantissa.includes('.') ? mantissa.replace(/\.?0+$/, '') : mantissa;
  return exponent === undefined ? trimmed : `${trimmed}e${exponent}`;
};

/** No thousands separators and no exponent for ordinary magnitudes: the plain form must be unambiguous. */
export const formatPlainNumber = (n: number): string => {
  if (!Number.isFinite(n)) return String(n);
  if (Number.isInteger(n)) return Math.abs(n) < 1e21 ? n.toFixed(0) : String(n);
  const fixed = trimFraction(n.toFixed(4));
  // Four decimals would print a tiny non-zero value as 0; fall back to four significant digits.
  return Number(fixed) !== 0 ? fixed : trimFraction(n.toPrecision(4));
};

/** Scale suffixes, largest first: a display in one of them may step down to a smaller one. */
const SCALES: readonly { readonly divisor: number; readonly suffix: string }[] = [
  { divisor: 1e12, suffix: 'T' },
  { divisor: 1e9, suffix: 'B' },
  { divisor: 1e6, suffix: 'M' },
  { divisor: 1e3, suffix: 'K' },
];

/** A number in display form: the sign goes before the prefix ("-$1.5B"). */
interface DisplayParts {
  readonly sign: string;
  readonly prefix: string;
  readonly digits: string;
  readonly suffix: string;
}

/** Two significant digits at least: "5.5", "55", "550". */
const twoSignificant = (n: number): string => (Math.abs(n) < 10 ? n.toFixed(1) : n.toFixed(0));

/**
 * The number divided as the display says, with one decimal; but where one decimal leaves a single
 * significant digit (5.5e8 in billions would read "0.6"), it says less than the value holds. Then, as the
 * wiki does, a scale suffix steps down to the largest smaller scale the value reaches ("550M"), and
 * below the smallest the value is shown whole; any other suffix keeps its scale with two significant digits.
 */
const scaled = (n: number, divisor: number, suffix: string): { digits: string; suffix: string } => {
  const oneDecimal = (n / divisor).toFixed(1);
  if (n === 0 || Math.abs(Number(oneDecimal)) >= 1) return { digits: oneDecimal, suffix };
  if (!SCALES.some((s) => s.suffix === suffix.trim())) {
    return { digits: trimFraction((n / divisor).toPrecision(2)), suffix };
  }
  const smaller = SCALES.find((s) => s.divisor < divisor && Math.abs(n) >= s.divisor);
  return smaller === undefined
    ? { digits: formatPlainNumber(n), suffix: '' }
    : { digits: twoSignificant(n / smaller.divisor), suffix: smaller.suffix };
};

const numberParts = (n: number, display: NumberDisplay): DisplayParts => {
  const divisor = display.divisor !== undefined && Number.isFinite(display.divisor) && display.divisor > 0 ? display.divisor : undefined;
  const shown =
    divisor === undefined ? { digits: formatPlainNumber(n), suffix: display.suffix ?? '' } : scaled(n, divisor, display.suffix ?? '');
  const negative = shown.digits.startsWith('-');
  return {
    sign: negative ? '-' : '',
    prefix: display.prefix ?? '',
    digits: negative ? shown.digits.slice(1) : shown.digits,
    suffix: shown.suffix,
  };
};

const joinParts = (p: DisplayParts, withSuffix = true): string => `${p.sign}${p.prefix}${p.digits}${withSuffix ? p.suffix : ''}`;

const formatNumber = (n: number, opts: DisplayOptions): string =>
  opts.display === undefined ? formatPlainNumber(n) : joinParts(numberParts(n, opts.display));

/**
 * Both ends of a range, formatted alike. A suffix that is a word of its own (" employees") is said
 * once, after the high end ("300–400 employees"); a symbol glued to the number stays on both ("$20.0B–$26.0B").
 */
const formatRange = (low: number, high: number, opts: DisplayOptions): string => {
  if (opts.display === undefined) return `${formatPlainNumber(low)}–${formatPlainNumber(high)}`;
  const lo = numberParts(low, opts.display);
  const hi = numberParts(high, opts.display);
  const sayOnce = lo.suffix === hi.suffix && /^\s/.test(hi.suffix);
  return `${joinParts(lo, !sayOnce)}–${joinParts(hi)}`;
};

/** A unit is only spelled out when the property has no display format; the format already expresses it. */
const withUnitLabel = (text: string, opts: DisplayOptions, unit: string | undefined): string =>
  opts.display === undefined && unit !== undefined && unit !== '' ? `${text} ${unit}` : text;

export const displayFactValue = (v: FactValue, opts: DisplayOptions = {}): string => {
  switch (v.kind) {
    case 'number': {
      const unit = v.unit ?? opts.unit;
      return withUnitLabel(formatNumber(v.value, opts), opts, unit);
    }
    case 'range': {
      const unit = v.unit ?? opts.unit;
      return withUnitLabel(formatRange(v.low, v.high, opts), opts, unit);
    }
    case 'min': {
      const unit = v.unit ?? opts.unit;
      return withUnitLabel(`≥ ${formatNumber(v.min, opts)}`, opts, unit);
    }
    case 'text':
      return v.value;
    case 'date':
      return displayPartialDate(v.value);
    case 'boolean':
      return v.value ? 'Yes' : 'No';
    case 'ref':
      return opts.nameOf?.(v.entity) ?? v.entity;
    case 'refs':
      return v.entities.map((id) => opts.nameOf?.(id) ?? id).join(', ');
    case 'json':
      return JSON.stringify(v.value);
  }
};
