import type { PartialDate } from '../../domain/partial-date';

/** Plain data from a GraphQL input object: nested inputs become plain objects, absent fields vanish. */
export function plain(input: object | undefined | null): Record<string, unknown> {
  if (!input) return {};
  return JSON.parse(JSON.stringify(input, (_k, v: unknown) => (v instanceof Date ? v.toISOString() : v))) as Record<string, unknown>;
}

/** A partial date as the domain spells it. */
export const partialDate = (d: PartialDate | undefined): string | undefined => d?.value;

/** API field names → domain field names, where they differ. */
const RENAMES: Record<string, string> = { publication: 'publicationId', entity: 'entityId' };
export const renamed = (fields: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(fields).map(([k, v]) => [RENAMES[k] ?? k, v]));
export const renamedList = (names: string[] | undefined): string[] | undefined => names?.map((n) => RENAMES[n] ?? n);

/** The request fields (`withExpectedVersion`) are the request's, not the command's. */
const REQUEST_FIELDS = ['idempotencyKey', 'reason', 'expectedVersion'];

/** An input's command fields: everything but the named keys and the request fields. */
export function commandFields(fields: Record<string, unknown>, ...keys: string[]): Record<string, unknown> {
  const out = { ...fields };
  for (const k of [...keys, ...REQUEST_FIELDS]) delete out[k];
  return out;
}

/** Replaces the named PartialDate inputs with the domain's spelling. */
export function partialDates(fields: Record<string, unknown>, raw: object, keys: string[]): Record<string, unknown> {
  const out = { ...fields };
  for (const k of keys) {
    const d = (raw as Record<string, PartialDate | undefined>)[k];
    if (d !== undefined) out[k] = partialDate(d);
  }
  return out;
}
