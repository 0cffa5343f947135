import { createHash } from 'node:crypto';
import { DomainError, fail, failInput, ok, type Result } from './errors';
import {
  applyPatch,
  dataFile,
  id,
  integerIn,
  jsonObject,
  asWrittenField,
  attributesField,
  type AsWritten,
  type Attributes,
  listOf,
  oneOf,
  partialDateString,
  text,
  type FieldSpecs,
  type Patch,
} from './fields';
import type { JsonValue } from './fact-value';
import { isKebabId, isStableId, sourceIdForUrl, validateUrl } from './ids';
import type { Decider } from './decider';
import { decideRegister, decideUpdate, notFound } from './register-update';

export const SOURCE_TYPES = ['paper', 'blog', 'report', 'book', 'talk', 'podcast', 'government', 'reference', 'web'] as const;
export type SourceType = (typeof SOURCE_TYPES)[number];

export interface SourceFields {
  url: string;
  stableId: string;
  title?: string;
  type?: SourceType;
  authors?: string[];
  publishedDate?: string;
  publicationId?: string;
  credibilityOverride?: number;
  abstract?: string;
  summary?: string;
  review?: string;
  keyPoints?: string[];
  tags?: string[];
  /** The data set file that lists the source (`resources/papers.yaml`), when it came from one. */
  file?: string;
  /**
   * The source's entry in a data set's database export (the wiki's resources-snapshot.json), as it was
   * read: it has its own id, type, titles and cited_by, which need not agree with the YAML's, and is
   * written back as it was.
   */
  snapshot?: { [key: string]: JsonValue };
  /** When the wiki last fetched the source (an instant, ISO 8601 in UTC). */
  fetchedAt?: string;
  /** The name of the wiki's cached copy of the fetched text. */
  localFilename?: string;
  /** The file's keys with no typed field, verbatim (docs/domain.md, Attributes). */
  attributes?: Attributes; /** Where its file spelled a key otherwise than the store keeps it (docs/domain.md, "As written"). */
  asWritten?: AsWritten;
}

/**
 * An instant, stored as ISO 8601 in UTC (`2025-12-28T03:52:37.000Z`). The wiki's YAML writes it without
 * a zone (`2025-12-28 03:52:37`), and its snapshot writes the same moment with `Z`: a time without a
 * zone is read as UTC, so both spellings are the same instant.
 */
export const instant = {
  read(raw: unknown, path: string): Result<string> {
    if (typeof raw !== 'string') return failInput(path, `expected an ISO 8601 instant, got ${JSON.stringify(raw)}`);
    const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(Z|[+-]\d{2}:?\d{2})?$/.exec(raw.trim());
    // Date.parse rolls a day that does not exist (02-30) into the next month; a calendar check refuses it.
    const [y, mo, d] = m ? m[1].split('-').map(Number) : [0, 0, 0];
    const realDay = m !== null && mo >= 1 && mo <= 12 && d >= 1 && new Date(Date.UTC(y, mo - 1, d)).getUTCDate() === d;
    const t = m && realDay ? Date.parse(`${m[1]}T${m[2]}${m[3] ?? 'Z'}`) : Number.NaN;
    if (!m || Number.isNaN(t))
      return failInput(path, `expected an ISO 8601 instant such as 2025-12-28T03:52:37Z, got ${JSON.stringify(raw)}`);
    return ok(new Date(t).toISOString());
  },
};

export const sourceFields: FieldSpecs<SourceFields> = {
  url: { read: validateUrl, required: true, immutable: true },
  stableId: { ...id(isStableId, 'a stable id of 10 characters [A-Za-z0-9]'), required: true, immutable: true },
  title: text(1000),
  type: oneOf(SOURCE_TYPES),
  authors: listOf(text(300), 500),
  publishedDate: partialDateString,
  publicationId: id(isKebabId, 'a publication id (kebab-case)'),
  credibilityOverride: integerIn(1, 5),
  abstract: text(50_000),
  summary: text(50_000),
  review: text(50_000),
  keyPoints: listOf(text(5000), 100),
  tags: listOf(text(100), 200),
  file: dataFile,
  snapshot: jsonObject,
  fetchedAt: instant,
  localFilename: text(300),
  attributes: attributesField,
  asWritten: asWrittenField,
};

/** The cached copy of a source's text; the hash is derived here so it always matches the text. */
export interface CachedContent {
  text: string;
  /** Length of the original in characters: the text's own, or more when only an excerpt is kept. */
  length: number;
  contentHash: string;
  fetchedAt?: string;
  httpStatus?: number;
  contentType?: string;
}

export const MAX_CONTENT_LENGTH = 5_000_000;

const ELLIPSIS = '…';

/**
 * At most `chars` characters of the text for a reader: whole when it fits, else cut where a word ends
 * and marked with "…" (counted in `chars`), so a preview never ends in half a word. Only a single word
 * longer than the whole preview is cut inside, and never inside a surrogate pair.
 */
export function previewText(text: string, chars: number): string {
  if (text.length <= chars) return text;
  if (chars < 1) return '';
  const room = chars - ELLIPSIS.length;
  // A space at index `room` means the kept part ends a word exactly.
  const boundary = text.slice(0, room + 1).search(/\s\S*$/);
  let end = boundary > 0 ? boundary : room;
  if (end > 0 && /[\uD800-\uDBFF]/.test(text[end - 1]!)) end -= 1;
  return `${text.slice(0, end).trimEnd()}${ELLIPSIS}`;
}

export type SourceEvent =
  | { type: 'SourceRegistered'; data: { id: string } & SourceFields }
  | { type: 'SourceUpdated'; data: { id: string } & Patch<SourceFields> }
  | { type: 'SourceContentCaptured'; data: { id: string } & CachedContent }
  | { type: 'SourceMergedInto'; data: { id: string; into: string } }
  | { type: 'SourceMergedFrom'; data: { id: string; from: string } };

export type SourceCommand =
  | { type: 'RegisterSource'; fields: unknown }
  | { type: 'UpdateSource'; id: string; set?: unknown; unset?: unknown }
  | { type: 'CaptureSourceContent'; id: string; content: unknown }
  | { type: 'MergeSources'; from: string; into: string };

export interface SourceState {
  id: string;
  fields: SourceFields;
  content: CachedContent | null;
  /** Set once this source was merged into another; it then takes no more changes. */
  mergedInto: string | null;
  mergedFrom: string[];
}

/** What a registration needs besides its input: a fresh stable id in case the input has none. */
export interface SourceContext {
  newStableId: string;
}

/** The id a registration will get: derived from the exact URL, so it is known before deciding. */
export function sourceIdOf(fields: unknown): Result<string> {
  const url = validateUrl((fields as { url?: unknown } | null)?.url, 'url');
  return url.ok ? ok(sourceIdForUrl(url.value)) : url;
}

export function decideSource(command: SourceCommand, state: SourceState | null, context?: SourceContext): Result<SourceEvent[]> {
  switch (command.type) {
    case 'RegisterSource': {
      const raw = command.fields as Record<string, unknown> | null;
      const withStableId = raw && typeof raw === 'object' && raw.stableId == null ? { ...raw, stableId: context?.newStableId } : raw;
      const id = sourceIdOf(raw);
      if (!id.ok) return id;
      const fields = decideRegister(sourceFields, state !== null, `source ${id.value} (${String(raw?.url)})`, withStableId);
      return fields.ok ? ok([{ type: 'SourceRegistered', data: { id: id.value, ...fields.value } }]) : fields;
    }
    case 'UpdateSource': {
      const live = liveSource(state, command.id);
      if (!live.ok) return live;
      const patch = decideUpdate(sourceFields, live.value.fields, `source ${command.id}`, command.set, command.unset);
      if (!patch.ok) return patch;
      return ok(patch.value ? [{ type: 'SourceUpdated', data: { id: command.id, ...patch.value } }] : []);
    }
    case 'CaptureSourceContent': {
      const live = liveSource(state, command.id);
      if (!live.ok) return live;
      const content = readContent(command.content);
      if (!content.ok) return content;
      if (live.value.content?.contentHash === content.value.contentHash && live.value.content.fetchedAt === content.value.fetchedAt)
        return ok([]);
      return ok([{ type: 'SourceContentCaptured', data: { id: command.id, ...content.value } }]);
    }
    case 'MergeSources':
      // Decided against the merged-away source; the caller appends SourceMergedFrom to the target.
      if (command.from === command.into) return failInput('into', 'a source cannot be merged into itself');
      {
        const live = liveSource(state, command.from);
        if (!live.ok) return live;
      }
      return ok([
        { type: 'SourceMergedInto', data: { id: command.from, into: command.into } },
        { type: 'SourceMergedFrom', data: { id: command.into, from: command.from } },
      ]);
  }
}

function liveSource(state: SourceState | null, id: string): Result<SourceState> {
  if (!state) return fail(notFound(`source ${id}`));
  if (state.mergedInto) {
    return fail(new DomainError('BAD_USER_INPUT', `source ${id} was merged into ${state.mergedInto}; change that one`, ['id']));
  }
  return ok(state);
}

function readContent(raw: unknown): Result<CachedContent> {
  if (!raw || typeof raw !== 'object') return failInput('content', 'expected an object with at least "text"');
  const c = raw as Record<string, unknown>;
  if (typeof c.text !== 'string' || c.text.length === 0) return failInput('content.text', 'expected the non-empty text of the source');
  if (c.text.length > MAX_CONTENT_LENGTH)
    return failInput('content.text', `is ${c.text.length} characters; the limit is ${MAX_CONTENT_LENGTH}`);
  // A cache may hold only an excerpt of a long original; `totalLength` then says how long the original is.
  let length = c.text.length;
  if (c.totalLength != null) {
    const total = integerIn(c.text.length, Number.MAX_SAFE_INTEGER).read(c.totalLength, 'content.totalLength');
    if (!total.ok) return total;
    length = total.value;
  }
  const out: CachedContent = {
    text: c.text,
    length,
    contentHash: createHash('sha256').update(c.text).digest('hex'),
  };
  if (c.fetchedAt != null) {
    if (typeof c.fetchedAt !== 'string' || Number.isNaN(Date.parse(c.fetchedAt)))
      return failInput('content.fetchedAt', 'expected an ISO 8601 instant');
    out.fetchedAt = new Date(c.fetchedAt).toISOString();
  }
  if (c.httpStatus != null) {
    const s = integerIn(100, 599).read(c.httpStatus, 'content.httpStatus');
    if (!s.ok) return s;
    out.httpStatus = s.value;
  }
  if (c.contentType != null) {
    const t = text(200).read(c.contentType, 'content.contentType');
    if (!t.ok) return t;
    out.contentType = t.value;
  }
  return ok(out);
}

export function evolveSource(state: SourceState | null, event: SourceEvent): SourceState | null {
  switch (event.type) {
    case 'SourceRegistered': {
      const { id, ...fields } = event.data;
      return { id, fields, content: null, mergedInto: null, mergedFrom: [] };
    }
    case 'SourceUpdated':
      return state && { ...state, fields: applyPatch(state.fields, event.data, sourceFields) };
    case 'SourceContentCaptured': {
      const { id: _id, ...content } = event.data;
      return state && { ...state, content };
    }
    case 'SourceMergedInto':
      return state && { ...state, mergedInto: event.data.into };
    case 'SourceMergedFrom':
      return state && { ...state, mergedFrom: [...state.mergedFrom, event.data.from] };
  }
}

export const sourceDecider: Decider<SourceCommand, SourceState | null, SourceEvent, SourceContext | void> = {
  initialState: null,
  decide: decideSource,
  evolve: evolveSource,
};
