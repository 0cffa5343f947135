import { createHash, randomInt } from 'node:crypto';
import { describeReceived, failInput, ok, type Result } from './errors';

/** A string that the type checker will not confuse with another kind of id. */
export type Brand<T, B extends string> = T & { readonly __brand: B };

export type SourceId = Brand<string, 'SourceId'>;
export type StableId = Brand<string, 'StableId'>;
export type FactId = Brand<string, 'FactId'>;
export type EntityId = Brand<string, 'EntityId'>;
export type PropertyId = Brand<string, 'PropertyId'>;
export type PublicationId = Brand<string, 'PublicationId'>;
export type PageSlug = Brand<string, 'PageSlug'>;

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const STABLE_ID_LENGTH = 10;
const STABLE_ID = /^[A-Za-z0-9]{10}$/;
const KEBAB_ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const SOURCE_HEX_ID = /^[0-9a-f]{16}$/;
const NUMERIC_ID = /^E[0-9]+$/;
/** Generated fact ids are `f_` + 10 chars, but imported ones (`f_rev_2024_12`) are free-form. */
const FACT_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;
const MAX_KEBAB_LENGTH = 100;
export const MAX_URL_LENGTH = 2048;

/**
 * A source's id is derived from its URL, byte for byte, so the same URL always lands on the same
 * source. The URL is deliberately not normalized: the wiki's existing ids were computed this way.
 */
export const sourceIdForUrl = (url: string): SourceId => createHash('sha256').update(url, 'utf8').digest('hex').slice(0, 16) as SourceId;

const randomChars = (count: number, random: (() => number) | undefined): string => {
  let out = '';
  for (let i = 0; i < count; i++) {
    // Clamp so that a generator returning exactly 1 cannot index past the alphabet.
    const index =
      random === undefined
        ? randomInt(ALPHABET.length)
        : Math.min(ALPHABET.length - 1, Math.max(0, Math.floor(random() * ALPHABET.length)));
    out += ALPHABET[index];
  }
  return out;
};

/** Opaque and generated once; never recomputed from content, so it survives URL and slug changes. */
export const generateStableId = (random?: () => number): StableId => randomChars(STABLE_ID_LENGTH, random) as StableId;

export const generateFactId = (random?: () => number): FactId => `f_${randomChars(STABLE_ID_LENGTH, random)}` as FactId;

export const isStableId = (s: unknown): s is StableId => typeof s === 'string' && STABLE_ID.test(s);
export const isFactId = (s: unknown): s is FactId => typeof s === 'string' && FACT_ID.test(s);
export const isSourceHexId = (s: unknown): s is SourceId => typeof s === 'string' && SOURCE_HEX_ID.test(s);
export const isNumericId = (s: unknown): s is string => typeof s === 'string' && NUMERIC_ID.test(s);

/** Property ids, publication ids, entity slugs and page slugs share one human-typed form. */
export const isKebabId = (s: unknown): s is string => typeof s === 'string' && s.length <= MAX_KEBAB_LENGTH && KEBAB_ID.test(s);

const parser =
  <T extends string>(test: (s: unknown) => boolean, expected: string) =>
  (raw: unknown, path: string): Result<T> =>
    test(raw) ? ok(raw as T) : failInput(path, `expected ${expected}, got ${describeReceived(raw)}`);

const KEBAB = 'a kebab-case id (lowercase letters, digits and single hyphens, at most 100 characters)';
export const parseSourceId = parser<SourceId>(isSourceHexId, 'a source id of 16 lowercase hex characters');
export const parseStableId = parser<StableId>(isStableId, 'a stable id of 10 characters [A-Za-z0-9]');
export const parseEntityId = parser<EntityId>(isStableId, 'an entity id of 10 characters [A-Za-z0-9]');
export const parseFactId = parser<FactId>(isFactId, 'a fact id (letters, digits, "_" and "-", at most 100 characters)');
export const parsePropertyId = parser<PropertyId>(isKebabId, KEBAB);
export const parsePublicationId = parser<PublicationId>(isKebabId, KEBAB);
export const parsePageSlug = parser<PageSlug>(isKebabId, KEBAB);

/**
 * Accepts an absolute http(s) URL and returns it unchanged. It refuses rather than repairs: `new URL`
 * would silently strip surrounding whitespace or add a trailing slash, and since the source id hashes
 * the exact string, a repaired URL would be a different source.
 */
export const validateUrl = (s: unknown, path: string): Result<string> => {
  if (typeof s !== 'string') return failInput(path, `expected an absolute http(s) URL, got ${describeReceived(s)}`);
  if (s.length > MAX_URL_LENGTH) return failInput(path, `URL is ${s.length} characters; the limit is ${MAX_URL_LENGTH}`);
  // URLs are unique-indexed, and a btree entry must stay under 2704 bytes: limit the UTF-8 size as well.
  const bytes = Buffer.byteLength(s, 'utf8');
  if (bytes > MAX_URL_LENGTH) return failInput(path, `URL is ${bytes} bytes in UTF-8; the limit is ${MAX_URL_LENGTH}`);
  if (/\s/.test(s)) return failInput(path, `URL must not contain whitespace, got ${describeReceived(s)}`);
  if (!/^https?:\/\//i.test(s) || !URL.canParse(s)) {
    return failInput(path, `expected an absolute http(s) URL, got ${describeReceived(s)}`);
  }
  return ok(s);
};
