import type { EntityFields } from '../../domain/entity';
import type { DataType } from '../../domain/fact-value';
import { parsePartialDate } from '../../domain/partial-date';
import { Anomalies, Tally, type Loc } from '../sync/vocabulary';
import { DateTag, RefTag, SrcTag } from './yaml';

/**
 * Values from the files → what a property's dataType expects (pure). Conversions happen only where the
 * meaning is unambiguous and are counted; anything else is refused with the reason, and references
 * that name no known entity are kept as written and reported.
 */

const looksNumeric = (s: string): boolean => s.trim() !== '' && Number.isFinite(Number(s));

const at = (loc: Loc, field: string): Loc => ({ ...loc, at: loc.at ? `${loc.at}.${field}` : field });

/** Resolves entity references (stable id, slug, alias, numeric id) against the files and the store. */
export class EntityIndex {
  private readonly ids = new Map<string, string>(); // stable id → slug
  private readonly keys = new Map<string, { id: string; rank: number }>();

  add(id: string, fields: Pick<EntityFields, 'slug' | 'numericId' | 'aliases'>): void {
    if (!this.ids.has(id)) this.ids.set(id, fields.slug);
    this.key(fields.slug, id, 1);
    if (fields.numericId) this.key(fields.numericId, id, 2);
    for (const alias of fields.aliases ?? []) this.key(alias, id, 3);
  }

  private key(key: string, id: string, rank: number): void {
    const existing = this.keys.get(key);
    if (!existing || existing.rank > rank) this.keys.set(key, { id, rank });
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  slugOf(id: string): string | undefined {
    return this.ids.get(id);
  }

  /** A stable id, slug, alias or numeric id → the entity's stable id. */
  lookup(key: string): string | null {
    if (this.ids.has(key)) return key;
    return this.keys.get(key)?.id ?? null;
  }
}

/** A fact's asOf/validEnd → a partial-date string; false when it is not a date (the fact is skipped). */
export function coerceDate(raw: unknown, key: string, loc: Loc, anomalies: Anomalies): string | undefined | false {
  if (raw === undefined || raw === null) return undefined;
  const text = raw instanceof DateTag ? raw.value : raw;
  const date = parsePartialDate(text, key);
  if (!date.ok) {
    const coarser = coarserDate(text, key);
    if (coarser) {
      anomalies.add('imprecise-date', at(loc, key), `${key} ${String(text)} has no such month or day: read as ${coarser}`);
      return coarser;
    }
    anomalies.add('unparsable-value', at(loc, key), `${date.error.message}: fact skipped`);
    return false;
  }
  if (typeof text === 'number') {
    anomalies.add('bare-year-date', at(loc, key), `${key} ${text} is an unquoted YAML number: read as the year ${date.value.value}`);
  }
  return date.value.value;
}

/**
 * The longest leading part of a date that is itself a date: `2024-00` is 2024, `2024-02-30` is
 * 2024-02. A fact dated to a month that does not exist is still a fact of that year, so it is kept
 * at the precision its date has rather than dropped (the report says so).
 */
function coarserDate(text: unknown, key: string): string | undefined {
  if (typeof text !== 'string') return undefined;
  const parts = /^(\d{4})-(\d{2})(?:-(\d{2}))?$/.exec(text.trim());
  if (!parts) return undefined;
  for (const candidate of [parts[3] !== undefined ? `${parts[1]}-${parts[2]}` : undefined, parts[1]]) {
    if (candidate === undefined) continue;
    const date = parsePartialDate(candidate, key);
    if (date.ok) return date.value.value;
  }
  return undefined;
}

interface CoerceCtx {
  entities: EntityIndex;
  loc: Loc;
  anomalies: Anomalies;
  conversions: Tally;
}

type Coerced = { ok: true; value: unknown } | { ok: false; message: string };

const show = (raw: unknown): string => {
  if (raw instanceof RefTag) return `!ref ${raw.toString()}`;
  if (raw instanceof DateTag) return `!date ${raw.value}`;
  if (raw instanceof SrcTag) return `!src ${raw.value}`;
  const s = JSON.stringify(raw, (_k, v: unknown) => (v instanceof RefTag || v instanceof DateTag || v instanceof SrcTag ? String(v) : v));
  return s === undefined ? String(raw) : s.length > 80 ? `${s.slice(0, 80)}…` : s;
};

/**
 * A file value → the value the property's dataType expects. Converts only where the meaning is
 * unambiguous (a two-number list is a range, "1.5e9" is a number, a bare slug is a reference);
 * anything else is refused with the reason.
 */
export function coerceValue(raw: unknown, dataType: DataType, ctx: CoerceCtx): Coerced {
  const convert = (kind: string, value: unknown): Coerced => {
    ctx.conversions.add(kind);
    return { ok: true, value };
  };
  switch (dataType) {
    case 'number':
    case 'range': {
      if (typeof raw === 'number')
        return dataType === 'number' ? { ok: true, value: raw } : { ok: false, message: `${raw} is a single number, not a range` };
      if (typeof raw === 'string' && looksNumeric(raw)) {
        return dataType === 'number'
          ? convert('number-from-string', Number(raw))
          : { ok: false, message: `"${raw}" is a single number, not a range` };
      }
      if (Array.isArray(raw)) {
        const nums = raw.map((x) => (typeof x === 'number' ? x : typeof x === 'string' && looksNumeric(x) ? Number(x) : NaN));
        if (nums.length === 2 && nums.every(Number.isFinite) && nums[0] <= nums[1])
          return convert('range-from-list', { low: nums[0], high: nums[1] });
        return { ok: false, message: `the list ${show(raw)} is not a [low, high] range` };
      }
      if (raw && typeof raw === 'object' && !(raw instanceof RefTag || raw instanceof DateTag || raw instanceof SrcTag))
        return { ok: true, value: raw };
      return { ok: false, message: `${show(raw)} is not a number` };
    }
    case 'text':
      if (typeof raw === 'string') return { ok: true, value: raw };
      if (typeof raw === 'number' || typeof raw === 'boolean') return convert('text-from-number', String(raw));
      if (raw instanceof DateTag) return convert('text-from-date', raw.value);
      return { ok: false, message: `${show(raw)} is not text` };
    case 'date': {
      if (raw instanceof DateTag) return { ok: true, value: raw.value };
      if (typeof raw === 'string') return { ok: true, value: raw };
      if (typeof raw === 'number' && Number.isInteger(raw)) {
        ctx.anomalies.add(
          'bare-year-date',
          at(ctx.loc, 'value'),
          `value ${raw} is an unquoted YAML number: read as the year ${String(raw).padStart(4, '0')}`,
        );
        return { ok: true, value: String(raw).padStart(4, '0') };
      }
      return { ok: false, message: `${show(raw)} is not a date` };
    }
    case 'boolean':
      if (typeof raw === 'boolean') return { ok: true, value: raw };
      if (typeof raw === 'string' && /^(true|yes)$/i.test(raw.trim())) return convert('boolean-from-string', true);
      if (typeof raw === 'string' && /^(false|no)$/i.test(raw.trim())) return convert('boolean-from-string', false);
      return { ok: false, message: `${show(raw)} is not true or false` };
    case 'ref': {
      if (Array.isArray(raw)) {
        if (raw.length !== 1) return { ok: false, message: `a list of ${raw.length} is not a single reference` };
        ctx.conversions.add('ref-from-list');
        return coerceValue(raw[0], 'ref', ctx);
      }
      const ref = resolveRef(raw, ctx);
      return ref === null ? { ok: false, message: `${show(raw)} is not a reference` } : { ok: true, value: ref };
    }
    case 'refs': {
      const list = Array.isArray(raw) ? raw : [raw];
      if (!Array.isArray(raw)) ctx.conversions.add('refs-from-single');
      const out: string[] = [];
      for (const item of list) {
        const ref = resolveRef(item, ctx);
        if (ref === null) return { ok: false, message: `${show(item)} is not a reference` };
        if (out.includes(ref)) {
          ctx.anomalies.add('duplicate-item', at(ctx.loc, 'value'), `${show(item)} is listed twice; the repeat was dropped`);
          continue;
        }
        out.push(ref);
      }
      return out.length ? { ok: true, value: out } : { ok: false, message: 'the list of references is empty' };
    }
    case 'json':
      return { ok: true, value: plainJson(raw) };
  }
}

const plainJson = (raw: unknown): unknown => {
  if (raw instanceof RefTag || raw instanceof DateTag || raw instanceof SrcTag) return String(raw);
  if (Array.isArray(raw)) return raw.map(plainJson);
  if (raw && typeof raw === 'object') return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, plainJson(v)]));
  return raw;
};

/**
 * `!ref id`, `!ref id:slug`, or a bare slug/alias/numeric id → the entity's stable id. A reference
 * that names no known entity is kept as written (the domain keeps unknown refs and flags them).
 */
function resolveRef(raw: unknown, ctx: CoerceCtx): string | null {
  if (raw instanceof RefTag) {
    const byId = ctx.entities.has(raw.id) ? raw.id : null;
    const bySlug = raw.slug ? ctx.entities.lookup(raw.slug) : null;
    if (byId) {
      if (bySlug && bySlug !== byId) {
        ctx.anomalies.add(
          'unknown-ref',
          at(ctx.loc, 'value'),
          `!ref ${raw.toString()}: "${raw.slug}" is entity ${bySlug}, not ${raw.id}; the id ${raw.id} was used`,
        );
      }
      return byId;
    }
    const byKey = ctx.entities.lookup(raw.id);
    if (byKey) {
      ctx.conversions.add('ref-from-slug');
      return byKey;
    }
    if (bySlug) {
      ctx.anomalies.add(
        'unknown-ref',
        at(ctx.loc, 'value'),
        `!ref ${raw.toString()}: no entity has id ${raw.id}; "${raw.slug}" (${bySlug}) was used`,
      );
      return bySlug;
    }
    ctx.anomalies.add('unknown-ref', at(ctx.loc, 'value'), `!ref ${raw.toString()} names no known entity: kept as written`);
    return raw.id;
  }
  if (typeof raw === 'string') {
    const key = raw.trim();
    if (key === '') return null;
    const id = ctx.entities.lookup(key);
    if (id) {
      if (id !== key) ctx.conversions.add('ref-from-slug');
      return id;
    }
    ctx.anomalies.add('unknown-ref', at(ctx.loc, 'value'), `"${key}" names no known entity: kept as written`);
    return key;
  }
  return null;
}
