import { DomainError, fail, ok, type Result } from './errors';
import { effectivePatch, isEmptyPatch, readFields, readPatch, type FieldSpecs, type Patch } from './fields';

/**
 * The two commands every kind shares: register (once) and update (a field-level patch). Kinds add
 * their own commands on top; these keep the create/update rules identical everywhere.
 */
export function decideRegister<F>(specs: FieldSpecs<F>, exists: boolean, what: string, raw: unknown): Result<F> {
  if (exists) return fail(new DomainError('CONFLICT', `${what} already exists`, ['id'], { actualVersion: null }));
  const fields = readFields(specs, raw, '', { requireAll: true });
  return fields.ok ? ok(fields.value as F) : fields;
}

/** Returns the effective patch, or null when it would change nothing (then no event is appended). */
export function decideUpdate<F extends object>(
  specs: FieldSpecs<F>,
  current: F | null,
  what: string,
  set: unknown,
  unset: unknown,
): Result<Patch<F> | null> {
  if (!current) return fail(new DomainError('NOT_FOUND', `${what} does not exist`, ['id']));
  const patch = readPatch(specs, set, unset);
  if (!patch.ok) return patch;
  const effective = effectivePatch(current, patch.value, specs);
  return ok(isEmptyPatch(effective) ? null : effective);
}

export const notFound = (what: string, path = 'id'): DomainError => new DomainError('NOT_FOUND', `${what} does not exist`, [path]);
