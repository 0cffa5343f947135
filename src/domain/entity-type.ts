import { describeReceived, fail, failInput, ok, type Result } from './errors';
import { applyPatch, attributesField, listOf, text, type Attributes, type FieldSpec, type FieldSpecs, type Patch } from './fields';
import { isKebabId } from './ids';
import type { Decider } from './decider';
import type { EntityFields } from './entity';
import { decideRegister, decideUpdate } from './register-update';

/**
 * An entity type (docs/domain.md, "Entity types"): what an entity of one type should say about
 * itself. Like a record schema it is data in the store, registered and patched by events; an
 * entity's completeness is read against its type's state at the same position.
 */
export interface EntityTypeFields {
  name: string;
  description?: string;
  /** What every entity of the type must say: property ids or entity fields (`description`, `website`). */
  required: string[];
  /** What it should say, by the same names. */
  recommended: string[];
  /** The record schemas (by id) whose records the type's pages show. */
  records?: string[];
  /** Keys of the type's file the store has no field for, kept verbatim (docs/domain.md, "Lossless"). */
  attributes?: Attributes;
}

const kebabItem = (what: string): FieldSpec<string> => ({
  read: (raw, path) => (isKebabId(raw) ? ok(raw) : failInput(path, `expected ${what}, got ${describeReceived(raw)}`)),
});

/** listOf refuses a name twice: it would be one requirement counted twice. */
const names = (what: string): FieldSpec<string[]> => listOf(kebabItem(what), 500);

export const entityTypeFields: FieldSpecs<EntityTypeFields> = {
  name: { ...text(300), required: true },
  description: text(),
  required: { ...names('a property id or an entity field such as "description"'), required: true },
  recommended: { ...names('a property id or an entity field such as "description"'), required: true },
  records: names('a record schema id such as "funding-round"'),
  attributes: attributesField,
};

/** A name may not be both required and recommended: which list would its absence count in? */
function checkWhole(f: EntityTypeFields): Result<EntityTypeFields> {
  const required = new Set(f.required);
  const both = f.recommended.find((name) => required.has(name));
  return both === undefined ? ok(f) : failInput('recommended', `"${both}" is already required`);
}

export type EntityTypeEvent =
  | { type: 'EntityTypeRegistered'; data: { id: string } & EntityTypeFields }
  | { type: 'EntityTypeUpdated'; data: { id: string } & Patch<EntityTypeFields> };

export type EntityTypeCommand =
  { type: 'RegisterEntityType'; id: unknown; fields: unknown } | { type: 'UpdateEntityType'; id: string; set?: unknown; unset?: unknown };

export type EntityTypeState = { id: string; fields: EntityTypeFields } | null;

export function decideEntityType(command: EntityTypeCommand, state: EntityTypeState): Result<EntityTypeEvent[]> {
  switch (command.type) {
    case 'RegisterEntityType': {
      if (!isKebabId(command.id))
        return failInput('id', `expected a kebab-case entity type such as "organization", got ${JSON.stringify(command.id)}`);
      const fields = decideRegister(entityTypeFields, state !== null, `entity type "${command.id}"`, command.fields);
      if (!fields.ok) return fields;
      const whole = checkWhole(fields.value);
      return whole.ok ? ok([{ type: 'EntityTypeRegistered', data: { id: command.id, ...whole.value } }]) : whole;
    }
    case 'UpdateEntityType': {
      const patch = decideUpdate(entityTypeFields, state?.fields ?? null, `entity type "${command.id}"`, command.set, command.unset);
      if (!patch.ok) return fail(patch.error);
      if (!patch.value) return ok([]);
      const whole = checkWhole(applyPatch(state!.fields, patch.value));
      return whole.ok ? ok([{ type: 'EntityTypeUpdated', data: { id: command.id, ...patch.value } }]) : whole;
    }
  }
}

export function evolveEntityType(state: EntityTypeState, event: EntityTypeEvent): EntityTypeState {
  switch (event.type) {
    case 'EntityTypeRegistered': {
      const { id, ...fields } = event.data;
      return { id, fields };
    }
    case 'EntityTypeUpdated':
      return state && { ...state, fields: applyPatch(state.fields, event.data) };
  }
}

export const entityTypeDecider: Decider<EntityTypeCommand, EntityTypeState, EntityTypeEvent> = {
  initialState: null,
  decide: decideEntityType,
  evolve: evolveEntityType,
};

/** The entity fields a type may name, by the kebab-case name its file uses (`summary-page`). */
const ENTITY_FIELD_OF_NAME: Readonly<Record<string, keyof EntityFields>> = {
  description: 'description',
  website: 'website',
  tags: 'tags',
  aliases: 'aliases',
  sources: 'sources',
  'numeric-id': 'numericId',
  'summary-page': 'summaryPage',
  'last-updated': 'lastUpdated',
  'custom-fields': 'customFields',
};

export interface Completeness {
  missingRequired: string[];
  missingRecommended: string[];
}

/**
 * What an entity lacks of what its type asks (docs/domain.md, "Entity types"). A name is an entity
 * field when it is one of ENTITY_FIELD_OF_NAME, and present when that field holds something; any
 * other name is a property, present when the entity has a fact of it (`propertiesWithFacts`).
 */
export function completenessOf(type: EntityTypeFields, entity: EntityFields, propertiesWithFacts: ReadonlySet<string>): Completeness {
  const present = (name: string): boolean => {
    const field = ENTITY_FIELD_OF_NAME[name];
    if (field === undefined) return propertiesWithFacts.has(name);
    const value = entity[field];
    return value !== undefined && value !== '' && !(Array.isArray(value) && value.length === 0);
  };
  return {
    missingRequired: type.required.filter((name) => !present(name)),
    missingRecommended: type.recommended.filter((name) => !present(name)),
  };
}
