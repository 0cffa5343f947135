import { DomainError, type DomainErrorCode } from '../domain/errors';

/**
 * Whose mistake a store refusal is: `input` when what a client sent reached the store unchanged (an
 * idempotency key reused, a string jsonb cannot hold, a stale version), answered with its code;
 * `caller` when our own code called the store wrongly (no events, a malformed event type), which a
 * client can do nothing about: it is answered as an internal error and logged.
 */
export type StoreFault = 'input' | 'caller';

/** A refusal by the event store. A DomainError, so code that handles rejections handles these too. */
export class StoreError extends DomainError {
  constructor(
    readonly fault: StoreFault,
    code: DomainErrorCode,
    message: string,
    path: readonly string[] = [],
    details: Readonly<Record<string, unknown>> = {},
  ) {
    super(code, message, path, details);
    this.name = 'StoreError';
  }
}

/** Optimistic concurrency (docs/architecture.md, invariant 2): the stream is not at the version the writer expected. */
export class ConcurrencyError extends StoreError {
  constructor(
    readonly stream: string,
    readonly expectedVersion: number | string,
    readonly actualVersion: number,
  ) {
    const shown = typeof expectedVersion === 'number' ? String(expectedVersion) : `"${expectedVersion}"`;
    super('input', 'CONFLICT', `stream "${stream}" is at version ${actualVersion}, not at the expected ${shown}`, ['expectedVersion'], {
      stream,
      expectedVersion,
      actualVersion,
    });
    this.name = 'ConcurrencyError';
  }
}

/** What a client sent and the store refused (BAD_USER_INPUT unless said otherwise). */
export const inputError = (message: string, path: readonly string[] = [], code: DomainErrorCode = 'BAD_USER_INPUT'): StoreError =>
  new StoreError('input', code, message, path);

/** Our own code called the store wrongly: the code stays BAD_USER_INPUT for the store's callers, a client sees an internal error. */
export const callerError = (message: string, path: readonly string[] = []): StoreError =>
  new StoreError('caller', 'BAD_USER_INPUT', message, path);
