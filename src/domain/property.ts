import { fail, failInput, ok, type Result } from './errors';
import {
  applyPatch,
  attributesField,
  bool,
  type Attributes,
  id,
  integerIn,
  listOf,
  oneOf,
  text,
  type FieldSpecs,
  type Patch,
} from './fields';
import { DATA_TYPES, type DataType, type NumberDisplay } from './fact-value';
import { isKebabId } from './ids';
import type { Decider } from './decider';
import { decideRegister, decideUpdate } from './register-update';

export interface PropertyFields {
  name: string;
  description?: string;
  /** Fixed at definition: the facts already asserted were checked against it. */
  dataType: DataType;
  unit?: string;
  category?: string;
  temporal?: boolean;
  appliesTo?: string[];
  display?: NumberDisplay;
  inverseId?: string;
  stalenessDays?: number;
  /** The wiki derives its facts from other facts (e.g. from the inverse property's); not entered by hand. */
  computed?: boolean;
  /** How a page names the relation read from the other side ("Employs" for employed-by). */
  inverseName?: string;
  /** The file's keys with no typed field, verbatim (docs/domain.md, Attributes). */
  attributes?: Attributes;
}

const display = {
  read(raw: unknown, path: string): Result<NumberDisplay> {
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return failInput(path, 'expected {divisor?, prefix?, suffix?}');
    const o = raw as Record<string, unknown>;
    const extra = Object.keys(o).filter((k) => !['divisor', 'prefix', 'suffix'].includes(k));
    if (extra.length) return failInput(`${path}.${extra[0]}`, 'unknown field; known fields: divisor, prefix, suffix');
    const out: { divisor?: number; prefix?: string; suffix?: string } = {};
    if (o.divisor != null) {
      if (typeof o.divisor !== 'number' || !Number.isFinite(o.divisor) || o.divisor <= 0)
        return failInput(`${path}.divisor`, 'expected a positive number');
      out.divisor = o.divisor;
    }
    for (const k of ['prefix', 'suffix'] as const) {
      if (o[k] == null) continue;
      if (typeof o[k] !== 'string' || (o[k] as string).length > 20)
        return failInput(`${path}.${k}`, 'expected a string of at most 20 characters');
      out[k] = o[k] as string;
    }
    return ok(out);
  },
};

const kebab = (what: string) => id(isKebabId, what);

export const propertyFields: FieldSpecs<PropertyFields> = {
  name: { ...text(300), required: true },
  description: text(),
  dataType: { ...oneOf(DATA_TYPES), required: true, immutable: true },
  unit: text(50),
  category: kebab('a kebab-case category'),
  temporal: bool,
  appliesTo: listOf(kebab('an entity type such as "organization"'), 50),
  display,
  inverseId: kebab('a property id'),
  stalenessDays: integerIn(1, 36_500),
  computed: bool,
  inverseName: text(300),
  attributes: attributesField,
};

export type PropertyEvent =
  | { type: 'PropertyDefined'; data: { id: string } & PropertyFields }
  | { type: 'PropertyUpdated'; data: { id: string } & Patch<PropertyFields> };

export type PropertyCommand =
  { type: 'DefineProperty'; id: unknown; fields: unknown } | { type: 'UpdateProperty'; id: string; set?: unknown; unset?: unknown };

export type PropertyState = { id: string; fields: PropertyFields } | null;

export function decideProperty(command: PropertyCommand, state: PropertyState): Result<PropertyEvent[]> {
  switch (command.type) {
    case 'DefineProperty': {
      if (!isKebabId(command.id))
        return failInput('id', `expected a kebab-case id such as "safety-level", got ${JSON.stringify(command.id)}`);
      const fields = decideRegister(propertyFields, state !== null, `property "${command.id}"`, command.fields);
      return fields.ok ? ok([{ type: 'PropertyDefined', data: { id: command.id, ...fields.value } }]) : fields;
    }
    case 'UpdateProperty': {
      const patch = decideUpdate(propertyFields, state?.fields ?? null, `property "${command.id}"`, command.set, command.unset);
      if (!patch.ok) return fail(patch.error);
      return ok(patch.value ? [{ type: 'PropertyUpdated', data: { id: command.id, ...patch.value } }] : []);
    }
  }
}

export function evolveProperty(state: PropertyState, event: PropertyEvent): PropertyState {
  switch (event.type) {
    case 'PropertyDefined': {
      const { id: pid, ...fields } = event.data;
      return { id: pid, fields };
    }
    case 'PropertyUpdated':
      return state && { ...state, fields: applyPatch(state.fields, event.data, propertyFields) };
  }
}

export const propertyDecider: Decider<PropertyCommand, PropertyState, PropertyEvent> = {
  initialState: null,
  decide: decideProperty,
  evolve: evolveProperty,
};
