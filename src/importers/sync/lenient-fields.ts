import type { JsonValue } from '../../domain/fact-value';
import type { FieldSpec, FieldSpecs } from '../../domain/fields';
import { assertJson, canonicalJson } from '../../store/canonical-json';
import { Anomalies, Tally, type Anomaly, type Loc } from './vocabulary';

/**
 * Lenient field reading, for any format: a record's fields go through the domain's own field specs,
 * and a field the domain refuses is reported and left out rather than failing its whole record.
 */

type Spec = FieldSpec<unknown>;

/**
 * Maps a file record's keys onto domain fields. Keys with no typed field go to the kind's `attributes`
 * verbatim (tallied as untyped); only a kind without attributes drops them (tallied as unmapped).
 */
export interface RecordCtx {
  kind: string;
  loc: Loc;
  anomalies: Anomalies;
  conversions: Tally;
  unmapped: Tally;
  untyped: Tally;
  /** The format's tagged scalars (YAML's `!date`, say) as the text they carry; undefined for anything else. */
  taggedText(raw: unknown): string | undefined;
  /** Records read by earlier runs over the same parsed files (see RecordMemo). */
  memo?: RecordMemo;
}

interface Remembered {
  fields: unknown;
  anomalies: Anomaly[];
  conversions: Record<string, number>;
  unmapped: Record<string, number>;
  untyped: Record<string, number>;
}

/**
 * What reading each record gave (its fields, anomalies and tallies), for runs that see the very same
 * parsed record again: the history replay maps every commit's files, whose records come from one
 * ReadCache and are mostly unchanged. Keyed by the record object and its field specs, so a record
 * parsed anew (a changed file) is read anew. Each run gets its own copy of the fields, which mapping
 * may change.
 */
export class RecordMemo {
  private readonly records = new WeakMap<object, WeakMap<object, Map<string, Remembered>>>();

  read<F>(
    specs: FieldSpecs<F>,
    data: Readonly<Record<string, unknown>>,
    ctx: RecordCtx,
    key: string,
    read: (ctx: RecordCtx) => F | null,
  ): F | null {
    let bySpecs = this.records.get(specs);
    if (!bySpecs) this.records.set(specs, (bySpecs = new WeakMap()));
    let byKey = bySpecs.get(data);
    if (!byKey) bySpecs.set(data, (byKey = new Map()));
    let hit = byKey.get(key);
    if (!hit) {
      const own: RecordCtx = { ...ctx, anomalies: new Anomalies(), conversions: new Tally(), unmapped: new Tally(), untyped: new Tally() };
      hit = {
        fields: read(own),
        anomalies: own.anomalies.list,
        conversions: own.conversions.counts,
        unmapped: own.unmapped.counts,
        untyped: own.untyped.counts,
      };
      byKey.set(key, hit);
    }
    for (const a of hit.anomalies) ctx.anomalies.list.push({ ...a });
    for (const [k, n] of Object.entries(hit.conversions)) ctx.conversions.add(k, n);
    for (const [k, n] of Object.entries(hit.unmapped)) ctx.unmapped.add(k, n);
    for (const [k, n] of Object.entries(hit.untyped)) ctx.untyped.add(k, n);
    return hit.fields === null ? null : (copyJson(hit.fields) as F);
  }
}

/** A deep copy of a JSON value (what the field specs return), cheaper than structuredClone for small records. */
function copyJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(copyJson);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = copyJson(v);
  return out;
}

/** A mapping's part of a memo key, computed once per mapping object (most are constants). */
const mappingKeys = new WeakMap<object, string>();
function mappingKey(mapping: object): string {
  let key = mappingKeys.get(mapping);
  if (key === undefined) mappingKeys.set(mapping, (key = Object.entries(mapping).flat().join('\u0000')));
  return key;
}

const looksNumeric = (s: string): boolean => s.trim() !== '' && Number.isFinite(Number(s));

export const at = (loc: Loc, field: string): Loc => ({ ...loc, at: loc.at ? `${loc.at}.${field}` : field });

/**
 * One field through its domain spec. A refused value is reported and dropped; list items are checked
 * one by one, so one bad item costs only itself, and repeats are dropped.
 */
function cleanField(spec: Spec, raw: unknown, field: string, ctx: RecordCtx): unknown {
  if (raw === undefined || raw === null) return undefined;
  const read = spec.read(raw, field);
  if (read.ok) return jsonSafe(read.value, field, ctx);
  const tagged = ctx.taggedText(raw);
  if (tagged !== undefined) {
    const again = spec.read(tagged, field);
    if (again.ok) return jsonSafe(again.value, field, ctx);
  }
  if (typeof raw === 'number' || typeof raw === 'boolean') {
    const again = spec.read(String(raw), field);
    if (again.ok) {
      ctx.conversions.add('text-from-number');
      return jsonSafe(again.value, field, ctx);
    }
  }
  if (typeof raw === 'string' && looksNumeric(raw)) {
    const again = spec.read(Number(raw), field);
    if (again.ok) {
      ctx.conversions.add('number-from-string');
      return again.value;
    }
  }
  if (Array.isArray(raw) && spec.read([], field).ok) {
    const kept: unknown[] = [];
    const seen = new Set<string>();
    raw.forEach((item, i) => {
      const one = spec.read([ctx.taggedText(item) ?? item], `${field}.${i}`);
      if (!one.ok) {
        ctx.anomalies.add('invalid-field', at(ctx.loc, field), one.error.message.replace(`${field}.${i}.0`, `${field}.${i}`));
        return;
      }
      const value = (one.value as unknown[])[0];
      const key = canonicalJson(value);
      if (seen.has(key)) {
        ctx.anomalies.add(
          'duplicate-item',
          at(ctx.loc, field),
          `${field}.${i}: ${JSON.stringify(value)} is listed twice; the repeat was dropped`,
        );
        return;
      }
      seen.add(key);
      kept.push(value);
    });
    if (kept.length === 0) return undefined;
    const all = spec.read(kept, field);
    if (all.ok) return jsonSafe(all.value, field, ctx);
    ctx.anomalies.add('invalid-field', at(ctx.loc, field), all.error.message);
    return undefined;
  }
  ctx.anomalies.add('invalid-field', at(ctx.loc, field), read.error.message);
  return undefined;
}

function jsonSafe(value: unknown, field: string, ctx: RecordCtx): unknown {
  try {
    assertJson(value, field);
    return value;
  } catch (err) {
    ctx.anomalies.add('invalid-field', at(ctx.loc, field), (err as Error).message);
    return undefined;
  }
}

/**
 * A file's value as plain JSON, as near to what was written as JSON allows: the format's tagged
 * scalars as their text, a number JSON cannot hold (YAML's `.inf`) as its spelling.
 */
export function verbatim(raw: unknown, ctx: Pick<RecordCtx, 'taggedText'>): JsonValue {
  const tagged = ctx.taggedText(raw);
  if (tagged !== undefined) return tagged;
  if (raw === null || raw === undefined) return null;
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : String(raw);
  if (typeof raw === 'string' || typeof raw === 'boolean') return raw;
  if (Array.isArray(raw)) return raw.map((x) => verbatim(x, ctx));
  if (typeof raw === 'object') {
    const out: { [key: string]: JsonValue } = {};
    for (const [k, v] of Object.entries(raw)) out[k] = verbatim(v, ctx);
    return out;
  }
  return String(raw);
}

/** The field that keeps a kind's untyped keys (docs/domain.md, Attributes). */
const ATTRIBUTES = 'attributes';

/**
 * Reads the fields of one record: `mapping` says which file key feeds which domain field. Returns null
 * (reported) when a required field is missing or refused.
 */
export function readRecord<F>(
  specs: FieldSpecs<F>,
  mapping: { [K in keyof F]?: string },
  data: Readonly<Record<string, unknown>>,
  ctx: RecordCtx,
  consumed: readonly string[] = [],
): F | null {
  if (!ctx.memo) return readFields(specs, mapping, data, ctx, consumed);
  const key = `${ctx.kind}\u0000${ctx.loc.file}\u0000${ctx.loc.line}\u0000${ctx.loc.at}\u0000${mappingKey(mapping)}\u0000${consumed.join('\u0000')}`;
  return ctx.memo.read(specs, data, ctx, key, (own) => readFields(specs, mapping, data, own, consumed));
}

function readFields<F>(
  specs: FieldSpecs<F>,
  mapping: { [K in keyof F]?: string },
  data: Readonly<Record<string, unknown>>,
  ctx: RecordCtx,
  consumed: readonly string[],
): F | null {
  const out: Record<string, unknown> = {};
  // Where a kind has attributes, nothing read is dropped: other keys, and refused values, go there.
  const keepsAttributes = Object.hasOwn(specs, ATTRIBUTES);
  const attributes: { [key: string]: JsonValue } = {};
  for (const [field, fileKey] of Object.entries(mapping) as [string, string][]) {
    const spec = (specs as Record<string, Spec>)[field];
    const reported = ctx.anomalies.list.length;
    const value = cleanField(spec, data[fileKey], fileKey, ctx);
    // A value the field refused, whole or in part, is kept as written, to be written back on export.
    const raw = data[fileKey];
    if (keepsAttributes && ctx.anomalies.list.length > reported && raw !== undefined && raw !== null) {
      attributes[fileKey] = verbatim(raw, ctx);
    }
    if (value === undefined) {
      if (spec.required) {
        const why = data[fileKey] === undefined || data[fileKey] === null ? 'is missing' : 'is not usable';
        ctx.anomalies.add('invalid-record', ctx.loc, `required field "${fileKey}" ${why}: the ${ctx.kind} was skipped`);
        return null;
      }
      continue;
    }
    out[field] = value;
  }
  const known = new Set<string>([...(Object.values(mapping) as string[]), ...consumed]);
  for (const key of Object.keys(data)) {
    if (known.has(key)) continue;
    if (!keepsAttributes) {
      ctx.unmapped.add(`${ctx.kind}.${key}`);
      continue;
    }
    attributes[key] = verbatim(data[key], ctx);
    ctx.untyped.add(`${ctx.kind}.${key}`);
  }
  if (Object.keys(attributes).length) out[ATTRIBUTES] = attributes;
  return out as F;
}
