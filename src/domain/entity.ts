import { childPath, describeReceived, DomainError, fail, failInput, ok, type Result } from './errors';
import {
  applyPatch,
  asWrittenField,
  attributesField,
  type AsWritten,
  dataFile,
  id,
  isRecord,
  listOf,
  partialDateString,
  text,
  type Attributes,
  type FieldSpec,
  type FieldSpecs,
  type Patch,
} from './fields';
import { isKebabId, isNumericId, isStableId, validateUrl } from './ids';
import type { Decider } from './decider';
import { decideRegister, decideUpdate, notFound } from './register-update';

/** Entity types seen in the wiki; the list is open (docs/domain.md, Entity), so any kebab id is accepted. */
export const KNOWN_ENTITY_TYPES = [
  'organization',
  'person',
  'risk',
  'risk-factor',
  'capability',
  'safety-agenda',
  'approach',
  'project',
  'policy',
  'crux',
  'concept',
  'case-study',
  'historical',
  'analysis',
  'argument',
  'event',
  'debate',
  'ai-model',
  'benchmark',
  'research-area',
  'incident',
  'funder',
] as const;

/** "risk-factor" → "Risk Factor", "ai-model" → "AI Model": the label a page shows as its type. */
export function typeLabel(type: string): string {
  return type
    .split('-')
    .map((w) => (w === 'ai' ? 'AI' : w.charAt(0).toUpperCase() + w.slice(1)))
    .join(' ');
}

export interface EntityFields {
  slug: string;
  name: string;
  type: string;
  numericId?: string;
  /** Other names the entity is reachable by, including its old slugs after a rename. */
  aliases?: string[];
  description?: string;
  tags?: string[];
  website?: string;
  /** When the wiki last reviewed the entry, as precise as it says (`2025-12`). */
  lastUpdated?: string;
  /** The slug of the overview page the entity is summarized on (not checked: pages may come later). */
  summaryPage?: string;
  /** The entry's own reading list, each item as the wiki wrote it. */
  sources?: EntitySourceRef[];
  /** Label/value rows the wiki shows in the entity's info box. */
  customFields?: CustomField[];
  /** The data set file that lists the entity (`entities/people.yaml`), when it came from one. */
  file?: string;
  /** The file's keys with no typed field, verbatim (docs/domain.md, Attributes). */
  attributes?: Attributes; /** Where its file spelled a key otherwise than the store keeps it (docs/domain.md, "As written"). */
  asWritten?: AsWritten;
}

/**
 * An item of an entity's reading list. `date` is free text ("2023-2024", "May 21, 2024"): the wiki
 * writes it for people, and a partial date would refuse most of what it holds.
 */
export interface EntitySourceRef {
  title: string;
  url?: string;
  author?: string;
  date?: string;
}

export interface CustomField {
  label: string;
  value: string;
  /** A wiki path or URL the value links to. */
  link?: string;
}

/**
 * An object with exactly the given keys, each read by its own spec: an unknown key is an error, never
 * dropped, so the item is kept as the wiki wrote it or refused whole.
 */
function itemOf<T>(specs: { [K in keyof T]-?: FieldSpec<NonNullable<T[K]>> & { required?: boolean } }) {
  return {
    read(raw: unknown, path: string): Result<T> {
      if (!isRecord(raw)) return failInput(path, `expected an object, got ${describeReceived(raw)}`);
      for (const key of Object.keys(raw))
        if (!Object.hasOwn(specs, key)) return failInput(childPath(path, key), `unknown key; known keys: ${Object.keys(specs).join(', ')}`);
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(specs) as (keyof T & string)[]) {
        const spec = specs[key] as FieldSpec<unknown>;
        const value = raw[key];
        if (value === undefined || value === null) {
          if (spec.required) return failInput(childPath(path, key), 'is required');
          continue;
        }
        const read = spec.read(value, childPath(path, key));
        if (!read.ok) return read;
        out[key] = read.value;
      }
      return ok(out as T);
    },
  };
}

const url = { read: validateUrl };

const entitySourceRef = itemOf<EntitySourceRef>({
  title: { ...text(1000), required: true },
  url,
  author: text(1000),
  date: text(100),
});

const customField = itemOf<CustomField>({
  label: { ...text(200), required: true },
  value: { ...text(10_000), required: true },
  link: text(2048),
});

const slug = id(isKebabId, 'a kebab-case slug');

export const entityFields: FieldSpecs<EntityFields> = {
  // Changed only by RenameEntity, which keeps the old slug as an alias.
  slug: { ...slug, required: true, immutable: true },
  name: { ...text(300), required: true },
  type: { ...id(isKebabId, 'an entity type such as "organization"'), required: true },
  numericId: id(isNumericId, 'a numeric id such as "E22"'),
  aliases: listOf(text(300), 200),
  description: text(),
  tags: listOf(text(200), 200),
  website: url,
  lastUpdated: partialDateString,
  summaryPage: id(isKebabId, 'a page slug'),
  sources: listOf(entitySourceRef, 1000),
  customFields: listOf(customField, 200),
  file: dataFile,
  attributes: attributesField,
  asWritten: asWrittenField,
};

/**
 * A typed link to another entity (the wiki's `relatedEntries`). Its identity is the target and the
 * relationship: the same pair twice is one relation. `type` is the target's type as the linking entry
 * wrote it, kept so the item can be written back as it was. A target the files name but no entity has
 * is kept by its slug (`unresolvedSlug`) rather than dropped; only the importer relates such targets.
 */
export type RelationTarget = { entityId: string } | { unresolvedSlug: string };
export type EntityRelation = RelationTarget & { type?: string; relationship?: string };

/** The most relations one entity keeps (the wiki's longest list has 23). */
export const MAX_RELATIONS = 1000;

/** The identity of a relation within its entity: target and relationship. */
export const relationKey = (r: RelationTarget & { relationship?: string }): string =>
  `${'entityId' in r ? `e:${r.entityId}` : `s:${r.unresolvedSlug}`}\u0000${r.relationship ?? ''}`;

export type EntityEvent =
  | { type: 'EntityRegistered'; data: { id: string } & EntityFields }
  | { type: 'EntityUpdated'; data: { id: string } & Patch<EntityFields> }
  | { type: 'EntityRenamed'; data: { id: string; from: string; to: string } }
  | { type: 'EntityRelated'; data: { id: string } & EntityRelation }
  | { type: 'EntityUnrelated'; data: { id: string } & RelationTarget & { relationship?: string } };

export type EntityCommand =
  | { type: 'RegisterEntity'; id: string; fields: unknown }
  | { type: 'UpdateEntity'; id: string; set?: unknown; unset?: unknown }
  | { type: 'RenameEntity'; id: string; newSlug: unknown }
  | { type: 'RelateEntity'; id: string; target: RelationTarget; targetType?: unknown; relationship?: unknown }
  | { type: 'UnrelateEntity'; id: string; target: RelationTarget; relationship?: unknown };

/**
 * `formerSlugs` remembers every slug the entity had: old slugs must keep resolving even when someone
 * later edits the (visible, editable) aliases list. `relations` are in the order they were related
 * (absent when there are none, as in states written before relations existed).
 */
export type EntityState = { id: string; fields: EntityFields; formerSlugs?: string[]; relations?: EntityRelation[] } | null;

/**
 * Slug uniqueness spans entities, so the caller looks it up and says whom it belongs to; likewise
 * whether a relation's target entity exists.
 */
export interface EntityContext {
  slugOwner?: string | null;
  targetExists?: boolean;
}

const relationship = id(isKebabId, 'a kebab-case relationship such as "created-by"');
const targetType = id(isKebabId, 'an entity type such as "organization"');

/** Reads a relation's target, type and relationship; an entity target must exist, a slug must be kebab-case. */
function readRelation(
  command: { target: RelationTarget; targetType?: unknown; relationship?: unknown },
  context: EntityContext,
  withType: boolean,
): Result<EntityRelation> {
  const { target } = command;
  let out: EntityRelation;
  if ('entityId' in target) {
    if (!isStableId(target.entityId) || context.targetExists === false)
      return fail(notFound(`entity ${JSON.stringify(target.entityId)}`, 'target'));
    out = { entityId: target.entityId };
  } else {
    if (!isKebabId(target.unresolvedSlug))
      return failInput('target', `expected a kebab-case slug, got ${describeReceived(target.unresolvedSlug)}`);
    out = { unresolvedSlug: target.unresolvedSlug };
  }
  if (withType && command.targetType !== undefined && command.targetType !== null) {
    const t = targetType.read(command.targetType, 'targetType');
    if (!t.ok) return t;
    out.type = t.value;
  }
  if (command.relationship !== undefined && command.relationship !== null) {
    const r = relationship.read(command.relationship, 'relationship');
    if (!r.ok) return r;
    out.relationship = r.value;
  }
  return ok(out);
}

export function decideEntity(command: EntityCommand, state: EntityState, context: EntityContext = {}): Result<EntityEvent[]> {
  switch (command.type) {
    case 'RegisterEntity': {
      if (!isStableId(command.id))
        return failInput('id', `expected a stable id of 10 characters [A-Za-z0-9], got ${JSON.stringify(command.id)}`);
      const fields = decideRegister(entityFields, state !== null, `entity ${command.id}`, command.fields);
      if (!fields.ok) return fields;
      const taken = slugTaken(context, command.id, fields.value.slug);
      if (taken) return fail(taken);
      return ok([{ type: 'EntityRegistered', data: { id: command.id, ...fields.value } }]);
    }
    case 'UpdateEntity': {
      const patch = decideUpdate(entityFields, state?.fields ?? null, `entity ${command.id}`, command.set, command.unset);
      if (!patch.ok) return patch;
      return ok(patch.value ? [{ type: 'EntityUpdated', data: { id: command.id, ...patch.value } }] : []);
    }
    case 'RenameEntity': {
      if (!state) return fail(notFound(`entity ${command.id}`));
      const to = slug.read(command.newSlug, 'newSlug');
      if (!to.ok) return to;
      if (to.value === state.fields.slug) return ok([]);
      const taken = slugTaken(context, command.id, to.value);
      if (taken) return fail(taken);
      return ok([{ type: 'EntityRenamed', data: { id: command.id, from: state.fields.slug, to: to.value } }]);
    }
    case 'RelateEntity': {
      if (!state) return fail(notFound(`entity ${command.id}`));
      const relation = readRelation(command, context, true);
      if (!relation.ok) return relation;
      if ('entityId' in relation.value && relation.value.entityId === command.id)
        return failInput('target', 'an entity cannot be related to itself');
      const key = relationKey(relation.value);
      const existing = (state.relations ?? []).find((r) => relationKey(r) === key);
      // Relating twice is what the caller wanted already; a new target type replaces the old one.
      if (existing && existing.type === relation.value.type) return ok([]);
      if (!existing && (state.relations?.length ?? 0) >= MAX_RELATIONS)
        return failInput('target', `entity ${command.id} has ${MAX_RELATIONS} relations already; the limit is ${MAX_RELATIONS}`);
      return ok([{ type: 'EntityRelated', data: { id: command.id, ...relation.value } }]);
    }
    case 'UnrelateEntity': {
      if (!state) return fail(notFound(`entity ${command.id}`));
      // Unrelating needs no live target: a relation to an entity that is gone is still taken away by its id.
      const relation = readRelation(command, { targetExists: true }, false);
      if (!relation.ok) return relation;
      const key = relationKey(relation.value);
      if (!(state.relations ?? []).some((r) => relationKey(r) === key)) {
        const rel = relation.value.relationship ? ` as "${relation.value.relationship}"` : ' without a relationship';
        return failInput('target', `entity ${command.id} is not related to ${describeTarget(relation.value)}${rel}`);
      }
      return ok([{ type: 'EntityUnrelated', data: { id: command.id, ...relation.value } }]);
    }
  }
}

const describeTarget = (t: RelationTarget): string => ('entityId' in t ? `entity ${t.entityId}` : `"${t.unresolvedSlug}"`);

function slugTaken(context: EntityContext, id: string, slugValue: string): DomainError | null {
  return context.slugOwner && context.slugOwner !== id
    ? new DomainError('CONFLICT', `slug "${slugValue}" already names entity ${context.slugOwner}`, ['slug'])
    : null;
}

export function evolveEntity(state: EntityState, event: EntityEvent): EntityState {
  switch (event.type) {
    case 'EntityRegistered': {
      const { id, ...fields } = event.data;
      return { id, fields };
    }
    case 'EntityUpdated':
      return state && { ...state, fields: applyPatch(state.fields, event.data, entityFields) };
    case 'EntityRenamed': {
      if (!state) return state;
      const aliases = (state.fields.aliases ?? []).filter((a) => a !== event.data.to);
      if (!aliases.includes(event.data.from)) aliases.push(event.data.from);
      const formerSlugs = [...(state.formerSlugs ?? []).filter((f) => f !== event.data.to), event.data.from];
      return { ...state, fields: { ...state.fields, slug: event.data.to, aliases }, formerSlugs };
    }
    case 'EntityRelated': {
      if (!state) return state;
      const { id: _id, ...relation } = event.data;
      const key = relationKey(relation);
      // A relation related again (a new target type) moves to the end: the list stays in the order of
      // the relations' latest events, which is how relation_versions orders them too.
      return { ...state, relations: [...(state.relations ?? []).filter((r) => relationKey(r) !== key), relation] };
    }
    case 'EntityUnrelated': {
      if (!state) return state;
      const key = relationKey(event.data);
      const relations = (state.relations ?? []).filter((r) => relationKey(r) !== key);
      const { relations: _gone, ...rest } = state;
      return relations.length ? { ...rest, relations } : rest;
    }
  }
}

export const entityDecider: Decider<EntityCommand, EntityState, EntityEvent, EntityContext | void> = {
  initialState: null,
  decide: decideEntity,
  evolve: evolveEntity,
};
