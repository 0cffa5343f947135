/**
 * Helpers shared by the domain unit tests (not itself a test file: jest only runs `*.test.ts`).
 * Both helpers throw when the result has the other shape, so no test can pass by accident.
 */
import { DomainError, type DomainErrorCode, type Result } from '../../src/domain/errors';

/** Unwraps an ok result; a failure fails the test with the domain error spelled out. */
export function expectOk<T>(result: Result<T>): T {
  if (!result.ok) {
    throw new Error(`expected ok, got ${result.error.code} at "${result.error.path.join('.')}": ${result.error.message}`);
  }
  return result.value;
}

/**
 * Asserts a failure with this code, this exact field path (dotted, e.g. "set.credibility") and a
 * message containing `fragment` (a string or a pattern). Returns the error for further checks.
 */
export function expectFail(result: Result<unknown>, code: DomainErrorCode, path: string, fragment: string | RegExp): DomainError {
  if (result.ok) throw new Error(`expected ${code} at "${path}", got ok: ${JSON.stringify(result.value)}`);
  const { error } = result;
  expect(error).toBeInstanceOf(DomainError);
  expect({ code: error.code, path: error.path.join('.') }).toEqual({ code, path });
  if (typeof fragment === 'string') expect(error.message).toContain(fragment);
  else expect(error.message).toMatch(fragment);
  return error;
}

/** Folds events into a state, as a repository replaying a stream would. */
export function replay<S, E>(evolve: (state: S, event: E) => S, initial: S, events: readonly E[]): S {
  return events.reduce(evolve, initial);
}

/** A deep copy, to prove that a function did not mutate its input. */
export const clone = <T>(x: T): T => structuredClone(x);
