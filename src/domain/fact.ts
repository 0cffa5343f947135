import { DomainError, fail, failInput, ok, type Result } from './errors';
import {
  applyPatch,
  effectivePatch,
  id,
  isEmptyPatch,
  isRecord,
  listOf,
  oneOf,
  partialDateString,
  readFields,
  readPatch,
  text,
  type FieldSpecs,
  type Patch,
} from './fields';
import { factValueToJson, readFactValue, type DataType, type JsonValue } from './fact-value';
import { isFactId, isKebabId, isSourceHexId, isStableId } from './ids';
import type { Decider } from './decider';
import { notFound } from './register-update';
import { parsePartialDate, periodStart } from './partial-date';

export const RANKS = ['preferred', 'normal', 'deprecated'] as const;
export type Rank = (typeof RANKS)[number];

export interface Citation {
  sourceId: string;
  quote?: string;
  locator?: string;
}

/** The JSON form of a FactValue as events keep it (always an object with a `kind`). */
export type StoredFactValue = { [key: string]: JsonValue };

export interface FactFields {
  entityId: string;
  propertyId: string;
  /** A stored FactValue (see fact-value.ts), typed by the property's dataType when asserted. */
  value: StoredFactValue;
  asOf?: string;
  validEnd?: string;
  citations?: Citation[];
  notes?: string;
  rank?: Rank;
}

/** The property a fact is about, as far as checking its value needs. */
export interface FactProperty {
  id: string;
  dataType: DataType;
  unit?: string;
}

const citation = {
  read(raw: unknown, path: string): Result<Citation> {
    if (!isRecord(raw)) return failInput(path, 'expected {sourceId, quote?, locator?}');
    const fields = readFields<Citation>(
      {
        sourceId: { ...id(isSourceHexId, 'a source id (16 hex characters)'), required: true },
        quote: text(10_000),
        locator: text(500),
      },
      raw,
      path,
      { requireAll: true },
    );
    return fields.ok ? ok(fields.value as Citation) : fields;
  },
};

/** Fact fields are checked against the property: the same spec serves assert and correct. */
function factFields(property: FactProperty): FieldSpecs<FactFields> {
  return {
    entityId: { ...id(isStableId, 'an entity id'), required: true, immutable: true },
    propertyId: { ...id(isKebabId, 'a property id'), required: true, immutable: true },
    value: {
      required: true,
      read(raw, path) {
        const v = readFactValue(raw, property.dataType, property.unit, path);
        return v.ok ? ok(factValueToJson(v.value) as StoredFactValue) : v;
      },
    },
    asOf: partialDateString,
    validEnd: partialDateString,
    citations: listOf(citation, 200),
    notes: text(10_000),
    rank: oneOf(RANKS),
  };
}

export type FactEvent =
  | { type: 'FactAsserted'; data: { id: string } & FactFields }
  | { type: 'FactCorrected'; data: { id: string } & Patch<FactFields> }
  | { type: 'FactRetracted'; data: { id: string; reason: string } }
  | { type: 'FactDeprecated'; data: { id: string; reason?: string } }
  | { type: 'FactCitationAdded'; data: { id: string; citation: Citation } }
  | { type: 'FactCitationRemoved'; data: { id: string; sourceId: string } };

export type FactCommand =
  | { type: 'AssertFact'; id: string; fields: unknown }
  | { type: 'CorrectFact'; id: string; set?: unknown; unset?: unknown }
  | { type: 'RetractFact'; id: string; reason: unknown }
  | { type: 'DeprecateFact'; id: string; reason?: unknown }
  | { type: 'AddFactCitation'; id: string; citation: unknown }
  | { type: 'RemoveFactCitation'; id: string; sourceId: string };

export interface FactState {
  id: string;
  fields: FactFields;
  retracted: boolean;
}

/** What the caller looked up in other streams: the property, and whether the entity exists. */
export interface FactContext {
  property: FactProperty | null;
  entityExists: boolean;
}

export function decideFact(command: FactCommand, state: FactState | null, context: FactContext): Result<FactEvent[]> {
  if (command.type === 'AssertFact') {
    if (!isFactId(command.id)) return failInput('id', `expected a fact id such as "f_BnkEWenniQ", got ${JSON.stringify(command.id)}`);
    if (state) return fail(new DomainError('CONFLICT', `fact ${command.id} already exists`, ['id']));
    const raw = isRecord(command.fields) ? command.fields : {};
    if (!context.entityExists) return fail(notFound(`entity ${String(raw.entityId)}`, 'entity'));
    if (!context.property) return fail(notFound(`property "${String(raw.propertyId)}"`, 'property'));
    const fields = readFields(factFields(context.property), command.fields, '', { requireAll: true });
    if (!fields.ok) return fields;
    const checked = checkValidity(fields.value as FactFields);
    if (!checked.ok) return checked;
    return ok([{ type: 'FactAsserted', data: { id: command.id, ...checked.value } }]);
  }

  if (!state) return fail(notFound(`fact ${command.id}`));
  if (state.retracted) return failInput('id', `fact ${command.id} was retracted and takes no more changes`);
  switch (command.type) {
    case 'CorrectFact': {
      if (!context.property) return fail(notFound(`property "${state.fields.propertyId}"`, 'property'));
      const patch = readPatch(factFields(context.property), command.set, command.unset);
      if (!patch.ok) return patch;
      const effective = effectivePatch(state.fields, patch.value);
      if (isEmptyPatch(effective)) return ok([]);
      const checked = checkValidity(applyPatch(state.fields, effective));
      if (!checked.ok) return checked;
      return ok([{ type: 'FactCorrected', data: { id: command.id, ...effective } }]);
    }
    case 'RetractFact': {
      const reason = text(2000).read(command.reason, 'reason');
      if (!reason.ok) return reason;
      return ok([{ type: 'FactRetracted', data: { id: command.id, reason: reason.value } }]);
    }
    case 'DeprecateFact': {
      if (state.fields.rank === 'deprecated') return ok([]);
      if (command.reason == null) return ok([{ type: 'FactDeprecated', data: { id: command.id } }]);
      const reason = text(2000).read(command.reason, 'reason');
      if (!reason.ok) return reason;
      return ok([{ type: 'FactDeprecated', data: { id: command.id, reason: reason.value } }]);
    }
    case 'AddFactCitation': {
      const c = citation.read(command.citation, 'citation');
      if (!c.ok) return c;
      const existing = state.fields.citations ?? [];
      if (existing.some((e) => JSON.stringify(e) === JSON.stringify(c.value))) return ok([]);
      return ok([{ type: 'FactCitationAdded', data: { id: command.id, citation: c.value } }]);
    }
    case 'RemoveFactCitation':
      if (!(state.fields.citations ?? []).some((c) => c.sourceId === command.sourceId)) {
        return failInput('source', `fact ${command.id} does not cite source ${command.sourceId}`);
      }
      return ok([{ type: 'FactCitationRemoved', data: { id: command.id, sourceId: command.sourceId } }]);
  }
}

/** docs/domain.md (Fact): validEnd must not come before asOf (compared by the instants their periods start). */
function checkValidity(fields: FactFields): Result<FactFields> {
  if (fields.asOf && fields.validEnd) {
    const asOf = parsePartialDate(fields.asOf, 'asOf');
    const end = parsePartialDate(fields.validEnd, 'validEnd');
    if (asOf.ok && end.ok && periodStart(end.value) < periodStart(asOf.value)) {
      return failInput('validEnd', `validEnd ${fields.validEnd} is before asOf ${fields.asOf}`);
    }
  }
  return ok(fields);
}

export function evolveFact(state: FactState | null, event: FactEvent): FactState | null {
  switch (event.type) {
    case 'FactAsserted': {
      const { id: factId, ...fields } = event.data;
      return { id: factId, fields, retracted: false };
    }
    case 'FactCorrected':
      return state && { ...state, fields: applyPatch(state.fields, event.data) };
    case 'FactRetracted':
      return state && { ...state, retracted: true };
    case 'FactDeprecated':
      return state && { ...state, fields: { ...state.fields, rank: 'deprecated' } };
    case 'FactCitationAdded':
      return state && { ...state, fields: { ...state.fields, citations: [...(state.fields.citations ?? []), event.data.citation] } };
    case 'FactCitationRemoved':
      return (
        state && {
          ...state,
          fields: { ...state.fields, citations: (state.fields.citations ?? []).filter((c) => c.sourceId !== event.data.sourceId) },
        }
      );
  }
}

export const factDecider: Decider<FactCommand, FactState | null, FactEvent, FactContext> = {
  initialState: null,
  decide: decideFact,
  evolve: evolveFact,
};
