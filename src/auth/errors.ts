/** Who may do what: UNAUTHENTICATED when a key is missing or bad, FORBIDDEN when the key's role does not allow it. */
export type AccessErrorCode = 'UNAUTHENTICATED' | 'FORBIDDEN';

/**
 * A request refused by the access policy (or by authentication). Auth's own error: the GraphQL layer
 * maps it to its response (src/graphql/errors.ts, 401 or 403), the HTTP routes answer it themselves.
 */
export class AccessError extends Error {
  constructor(
    readonly code: AccessErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AccessError';
  }
}
