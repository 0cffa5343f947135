import { DomainError, fail, failInput, ok, type Result } from './errors';
import { applyPatch, attributesField, id, type Attributes, listOf, text, type FieldSpecs, type Patch } from './fields';
import { isKebabId, isNumericId, isStableId } from './ids';
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
  /** The file's keys with no typed field, verbatim (docs/domain.md, Attributes). */
  attributes?: Attributes;
}

const slug = id(isKebabId, 'a kebab-case slug');

export const entityFields: FieldSpecs<EntityFields> = {
  // Changed only by RenameEntity, which keeps the old slug as an alias.
  slug: { ...slug, required: true, immutable: true },
  name: { ...text(300), required: true },
  type: { ...id(isKebabId, 'an entity type such as "organization"'), required: true },
  numericId: id(isNumericId, 'a numeric id such as "E22"'),
  aliases: listOf(text(300), 200),
  attributes: attributesField,
};

export type EntityEvent =
  | { type: 'EntityRegistered'; data: { id: string } & EntityFields }
  | { type: 'EntityUpdated'; data: { id: string } & Patch<EntityFields> }
  | { type: 'EntityRenamed'; data: { id: string; from: string; to: string } };

export type EntityCommand =
  | { type: 'RegisterEntity'; id: string; fields: unknown }
  | { type: 'UpdateEntity'; id: string; set?: unknown; unset?: unknown }
  | { type: 'RenameEntity'; id: string; newSlug: unknown };

/**
 * `formerSlugs` remembers every slug the entity had: old slugs must keep resolving even when someone
 * later edits the (visible, editable) aliases list.
 */
export type EntityState = { id: string; fields: EntityFields; formerSlugs?: string[] } | null;

/** Slug uniqueness spans entities, so the caller looks it up and says whom it belongs to. */
export interface EntityContext {
  slugOwner?: string | null;
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
  }
}

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
  }
}

export const entityDecider: Decider<EntityCommand, EntityState, EntityEvent, EntityContext | void> = {
  initialState: null,
  decide: decideEntity,
  evolve: evolveEntity,
};
