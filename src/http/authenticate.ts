import type { IncomingMessage, ServerResponse } from 'node:http';
import { GraphQLError } from 'graphql';
import { AccessError } from '../auth/errors';
import { ANONYMOUS, type ApiKeys, type Principal } from '../auth/keys';
import { createContext, type ContextDeps, type GraphQLContext } from '../graphql/context';
import { isDatabaseUnavailable, toGraphQLError, unavailableError } from '../graphql/errors';
import { bindRecord, recordOf } from '../observability/request';
import { bearerKey, type RateLimiter } from './rate-limit';

/** Who a request is: from its `Authorization` value and client address; throws AccessError for a bad or revoked key. */
export type Authenticate = (authorization: string | undefined, address: string | undefined) => Promise<Principal>;

/** The principal an `Authorization` header stands for; a bad or revoked key is an error, not anonymity. */
async function principalOf(header: string | undefined, keys: ApiKeys): Promise<Principal> {
  if (!header) return ANONYMOUS;
  const key = bearerKey(header);
  if (key === null) throw new AccessError('UNAUTHENTICATED', 'Authorization must be "Bearer <key>"');
  let principal: Principal | null;
  try {
    principal = await keys.authenticate(key);
  } catch (err) {
    // The key lookup is the first statement of a keyed request: an exhausted pool or a database that is
    // down shows up here, and is the client's cue to retry, not an internal error.
    if (isDatabaseUnavailable(err)) throw unavailableError();
    throw err;
  }
  if (!principal) throw new AccessError('UNAUTHENTICATED', 'unknown or revoked API key');
  return principal;
}

/**
 * Authentication that tells the rate limiter how it went: a good key gets its own budget, a failed
 * one is paid for by its client address (src/http/rate-limit.ts).
 */
export function authenticator(keys: ApiKeys, limiter: RateLimiter | null): Authenticate {
  return async (header, address) => {
    try {
      const principal = await principalOf(header, keys);
      limiter?.authenticated(header);
      return principal;
    } catch (err) {
      if (err instanceof AccessError) limiter?.refused(header, address);
      throw err;
    }
  };
}

/** The principal of an HTTP request (its `Authorization` header and client address). */
export function authenticateRequest(authenticate: Authenticate, req: IncomingMessage): Promise<Principal> {
  return authenticate(req.headers.authorization, req.socket.remoteAddress);
}

/**
 * The GraphQL endpoint's context for a request: its principal (noted in the request's record) and the
 * deps. A refused key is answered as GraphQL answers a refusal (401, src/graphql/errors.ts).
 */
export function authenticatedContext(authenticate: Authenticate, deps: ContextDeps) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<GraphQLContext> => {
    const record = recordOf(res);
    try {
      const principal = await authenticateRequest(authenticate, req);
      if (record) record.principal = principal.name;
      return bindRecord(createContext(deps, principal), record);
    } catch (err) {
      // Apollo answers a failed context without running the plugins, so the code is noted here.
      const refused = err instanceof AccessError ? toGraphQLError(err) : err;
      if (refused instanceof GraphQLError) record?.errorCodes.add(String(refused.extensions.code));
      throw refused;
    }
  };
}
