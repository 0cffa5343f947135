import { describeReceived, fail, failInput, ok, type Result } from './errors';
import {
  applyPatch,
  attributesField,
  id,
  integerIn,
  isRecord,
  listOf,
  numberIn,
  partialDateString,
  text,
  type Attributes,
  type FieldSpecs,
  type Patch,
} from './fields';
import { isKebabId, isNumericId, isSourceHexId, isStableId } from './ids';
import type { Decider } from './decider';
import { decideRegister, decideUpdate, notFound } from './register-update';

export interface PageFields {
  title: string;
  numericId?: string;
  description?: string;
  quality?: number;
  /** The entity the page is about; its type label is the page's "Type". */
  entityId?: string;
  /** Where the page's file lives in the wiki, e.g. `knowledge-base/capabilities/agentic-ai.mdx`. */
  path?: string;
  lastEdited?: string;
  /** How often the page should be reviewed, in days. */
  updateFrequency?: number;
  readerImportance?: number;
  researchImportance?: number;
  tacticalValue?: number;
  subcategory?: string;
  clusters?: string[];
  /** Editorial ratings by name (novelty, rigor, …), each a number from 0 to 10. */
  ratings?: { [name: string]: number };
  pageType?: string;
  contentFormat?: string;
  /** The file's keys with no typed field, verbatim (docs/domain.md, Attributes). */
  attributes?: Attributes;
}

/** A 0–100 editorial score with at most one decimal: quality, and the importance and value scores. */
const score = {
  read(raw: unknown, path: string): Result<number> {
    const n = numberIn(0, 100).read(raw, path);
    if (!n.ok) return n;
    // One decimal at most (74.5); more would be false precision for an editorial rating.
    return Math.round(n.value * 10) / 10 === n.value ? n : failInput(path, `may carry at most one decimal, got ${n.value}`);
  },
};

const ratings = {
  read(raw: unknown, path: string): Result<{ [name: string]: number }> {
    if (!isRecord(raw)) return failInput(path, `expected an object of named ratings, got ${describeReceived(raw)}`);
    const out: { [name: string]: number } = {};
    for (const [name, value] of Object.entries(raw)) {
      if (name.trim() === '' || name.length > 50) return failInput(`${path}.${name}`, 'a rating name must be 1 to 50 characters');
      const n = numberIn(0, 10).read(value, `${path}.${name}`);
      if (!n.ok) return n;
      out[name] = n.value;
    }
    return Object.keys(out).length ? ok(out) : failInput(path, 'expected at least one rating; unset the field to clear it');
  },
};

const kebab = (what: string) => id(isKebabId, what);

export const pageFields: FieldSpecs<PageFields> = {
  title: { ...text(500), required: true },
  numericId: id(isNumericId, 'a numeric id such as "E22"'),
  description: text(),
  quality: score,
  entityId: id(isStableId, 'an entity id (10 characters [A-Za-z0-9])'),
  path: text(500),
  lastEdited: partialDateString,
  updateFrequency: integerIn(1, 36_500),
  readerImportance: score,
  researchImportance: score,
  tacticalValue: score,
  subcategory: kebab('a kebab-case subcategory'),
  clusters: listOf(kebab('a kebab-case cluster'), 50),
  ratings,
  pageType: kebab('a kebab-case page type such as "content"'),
  contentFormat: kebab('a kebab-case content format such as "table"'),
  attributes: attributesField,
};

export type PageEvent =
  | { type: 'PageCreated'; data: { slug: string } & PageFields }
  | { type: 'PageUpdated'; data: { slug: string } & Patch<PageFields> }
  | { type: 'SourceCited'; data: { slug: string; sourceId: string } }
  | { type: 'SourceUncited'; data: { slug: string; sourceId: string } };

export type PageCommand =
  | { type: 'CreatePage'; slug: unknown; fields: unknown }
  | { type: 'UpdatePage'; slug: string; set?: unknown; unset?: unknown }
  | { type: 'CiteSource'; slug: string; sourceId: string }
  | { type: 'UnciteSource'; slug: string; sourceId: string };

export interface PageState {
  slug: string;
  fields: PageFields;
  citations: string[];
}

/** Cross-stream facts the caller checked: whether the cited source exists. */
export interface PageContext {
  sourceExists?: boolean;
}

export function decidePage(command: PageCommand, state: PageState | null, context: PageContext = {}): Result<PageEvent[]> {
  switch (command.type) {
    case 'CreatePage': {
      if (!isKebabId(command.slug)) return failInput('slug', `expected a kebab-case slug, got ${JSON.stringify(command.slug)}`);
      const fields = decideRegister(pageFields, state !== null, `page "${command.slug}"`, command.fields);
      return fields.ok ? ok([{ type: 'PageCreated', data: { slug: command.slug, ...fields.value } }]) : fields;
    }
    case 'UpdatePage': {
      const patch = decideUpdate(pageFields, state?.fields ?? null, `page "${command.slug}"`, command.set, command.unset);
      if (!patch.ok) return patch;
      return ok(patch.value ? [{ type: 'PageUpdated', data: { slug: command.slug, ...patch.value } }] : []);
    }
    case 'CiteSource':
      if (!state) return fail(notFound(`page "${command.slug}"`, 'slug'));
      if (!isSourceHexId(command.sourceId) || context.sourceExists === false) return fail(notFound(`source ${command.sourceId}`, 'source'));
      // Citing twice is what the caller wanted already: no event, no error.
      if (state.citations.includes(command.sourceId)) return ok([]);
      return ok([{ type: 'SourceCited', data: { slug: command.slug, sourceId: command.sourceId } }]);
    case 'UnciteSource':
      if (!state) return fail(notFound(`page "${command.slug}"`, 'slug'));
      if (!state.citations.includes(command.sourceId)) {
        return failInput('source', `page "${command.slug}" does not cite source ${command.sourceId}`);
      }
      return ok([{ type: 'SourceUncited', data: { slug: command.slug, sourceId: command.sourceId } }]);
  }
}

export function evolvePage(state: PageState | null, event: PageEvent): PageState | null {
  switch (event.type) {
    case 'PageCreated': {
      const { slug, ...fields } = event.data;
      return { slug, fields, citations: [] };
    }
    case 'PageUpdated':
      return state && { ...state, fields: applyPatch(state.fields, event.data, pageFields) };
    case 'SourceCited':
      return state && { ...state, citations: [...state.citations, event.data.sourceId] };
    case 'SourceUncited':
      return state && { ...state, citations: state.citations.filter((s) => s !== event.data.sourceId) };
  }
}

export const pageDecider: Decider<PageCommand, PageState | null, PageEvent, PageContext | void> = {
  initialState: null,
  decide: decidePage,
  evolve: evolvePage,
};
