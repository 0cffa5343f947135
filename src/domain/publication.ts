import { fail, failInput, ok, type Result } from './errors';
import { applyPatch, attributesField, bool, type Attributes, integerIn, listOf, oneOf, text, type FieldSpecs, type Patch } from './fields';
import { isKebabId } from './ids';
import type { Decider } from './decider';
import { decideRegister, decideUpdate } from './register-update';

export const PUBLICATION_TYPES = [
  'academic_journal',
  'preprint_server',
  'think_tank',
  'company_blog',
  'government',
  'encyclopedia',
  'blog_platform',
  'news',
  'organization',
  'academic',
  'consulting',
  'academic_search',
  'code_repository',
  'marketplace',
] as const;
export type PublicationType = (typeof PUBLICATION_TYPES)[number];

export interface PublicationFields {
  name: string;
  domains?: string[];
  type?: PublicationType;
  credibility?: number;
  peerReviewed?: boolean;
  description?: string;
  /** The file's keys with no typed field, verbatim (docs/domain.md, Attributes). */
  attributes?: Attributes;
}

const hostname = {
  read(raw: unknown, path: string): Result<string> {
    return typeof raw === 'string' && /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i.test(raw) && raw.length <= 253
      ? ok(raw.toLowerCase())
      : failInput(path, `expected a hostname such as "anthropic.com", got ${JSON.stringify(raw)}`);
  },
};

export const publicationFields: FieldSpecs<PublicationFields> = {
  name: { ...text(300), required: true },
  domains: listOf(hostname, 100),
  type: oneOf(PUBLICATION_TYPES),
  credibility: integerIn(1, 5),
  peerReviewed: bool,
  description: text(),
  attributes: attributesField,
};

export type PublicationEvent =
  | { type: 'PublicationRegistered'; data: { id: string } & PublicationFields }
  | { type: 'PublicationUpdated'; data: { id: string } & Patch<PublicationFields> };

export type PublicationCommand =
  { type: 'RegisterPublication'; id: unknown; fields: unknown } | { type: 'UpdatePublication'; id: string; set?: unknown; unset?: unknown };

export type PublicationState = { id: string; fields: PublicationFields } | null;

export function decidePublication(command: PublicationCommand, state: PublicationState): Result<PublicationEvent[]> {
  switch (command.type) {
    case 'RegisterPublication': {
      if (!isKebabId(command.id)) return failInput('id', `expected a kebab-case id such as "anthropic", got ${JSON.stringify(command.id)}`);
      const fields = decideRegister(publicationFields, state !== null, `publication "${command.id}"`, command.fields);
      return fields.ok ? ok([{ type: 'PublicationRegistered', data: { id: command.id, ...fields.value } }]) : fields;
    }
    case 'UpdatePublication': {
      const patch = decideUpdate(publicationFields, state?.fields ?? null, `publication "${command.id}"`, command.set, command.unset);
      if (!patch.ok) return fail(patch.error);
      return ok(patch.value ? [{ type: 'PublicationUpdated', data: { id: command.id, ...patch.value } }] : []);
    }
  }
}

export function evolvePublication(state: PublicationState, event: PublicationEvent): PublicationState {
  switch (event.type) {
    case 'PublicationRegistered': {
      const { id, ...fields } = event.data;
      return { id, fields };
    }
    case 'PublicationUpdated':
      return state && { ...state, fields: applyPatch(state.fields, event.data, publicationFields) };
  }
}

export const publicationDecider: Decider<PublicationCommand, PublicationState, PublicationEvent> = {
  initialState: null,
  decide: decidePublication,
  evolve: evolvePublication,
};
