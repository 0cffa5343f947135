export type DomainErrorCode = 'BAD_USER_INPUT' | 'NOT_FOUND' | 'CONFLICT';
export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly path: readonly string[] = [],
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }
}
export const badInput = (path: readonly string[] | string, message: string): DomainError =>
  new DomainError('BAD_USER_INPUT', message, typeof path === 'string' ? path.split('.') : path);
export type Result<T> = { ok: true; value: T } | { ok: false; error: DomainError };
export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = <T = never>(error: DomainError): Result<T> => ({ ok: false, error });

/** Shorthand for the common case: a BAD_USER_INPUT failure whose message starts with its path. */
export const failInput = <T = never>(path: string, message: string): Result<T> => fail(badInput(path, `${path}: ${message}`));

/** Extends a dotted path; an empty base means the value is the root. */
export const childPath = (path: string, key: string | number): string => (path === '' ? String(key) : `${path}.${key}`);

const MAX_SHOWN = 60;

/**
 * Names what the caller actually sent, so an error says "got string \"abc\"" rather than just "invalid".
 * Long strings are cut because the whole input is echoed back to the client.
 */
export const describeReceived = (raw: unknown): string => {
  if (raw === undefined) return 'nothing';
  if (raw === null) return 'null';
  if (typeof raw === 'string') {
    const shown = raw.length > MAX_SHOWN ? `${raw.slice(0, MAX_SHOWN)}…` : raw;
    return `string ${JSON.stringify(shown)}`;
  }
  if (typeof raw === 'number' || typeof raw === 'boolean' || typeof raw === 'bigint') return `${typeof raw} ${String(raw)}`;
  if (Array.isArray(raw)) return `an array of ${raw.length}`;
  if (raw instanceof Date) return 'a Date object';
  if (typeof raw === 'object') {
    const keys = Object.keys(raw);
    return keys.length === 0 ? 'an empty object' : `an object with keys ${keys.join(', ')}`;
  }
  return `a ${typeof raw}`;
};
