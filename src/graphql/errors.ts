import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { MiddlewareFn } from 'type-graphql';
import { DomainError } from '../domain/errors';

/** The codes of API.md, plus what Apollo itself reports for malformed requests. */
export type ErrorCode = 'BAD_USER_INPUT' | 'NOT_FOUND' | 'CONFLICT' | 'UNAUTHENTICATED' | 'FORBIDDEN' | 'QUERY_TOO_COMPLEX';

export function userError(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...extensions } });
}

/** A domain rejection as a GraphQL error: its code, the offending input field, and its details. */
export function toGraphQLError(error: DomainError): GraphQLError {
  return new GraphQLError(error.message, {
    extensions: { code: error.code, ...(error.path.length ? { field: error.path.join('.') } : {}), ...error.details },
  });
}

/**
 * Turns domain rejections into GraphQL errors where resolvers throw them. It must happen there: a
 * DomainError has an array `path` (its input field), which graphql-js would mistake for a response
 * path and so never add the real one, leaving clients unable to tell which field failed.
 */
export const domainErrors: MiddlewareFn = async (_data, next) => {
  try {
    return await next();
  } catch (err) {
    throw err instanceof DomainError ? toGraphQLError(err) : err;
  }
};

/**
 * Domain rejections thrown outside resolvers become GraphQL errors too; anything else is an internal
 * error whose details stay in the server log, not in the response.
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = error instanceof GraphQLError ? error.originalError ?? error : error;
  if (original instanceof DomainError) {
    const { message, extensions } = toGraphQLError(original);
    return { ...formatted, message, extensions };
  }
  // PostgreSQL cancelled the statement (statement_timeout): the client asked for too much at once.
  if ((original as { code?: string } | null)?.code === '57014') {
    return { message: 'the query took too long and was cancelled; ask for less at once', locations: formatted.locations, path: formatted.path, extensions: { code: 'QUERY_TIMEOUT' } };
  }
  // PostgreSQL cannot store the NUL character in text: a NUL in any id, slug, key or cursor is bad input.
  if ((original as { code?: string } | null)?.code === '22021') {
    return { message: 'strings may not contain the NUL character (\\u0000)', locations: formatted.locations, path: formatted.path, extensions: { code: 'BAD_USER_INPUT' } };
  }
  const code = formatted.extensions?.code;
  // Apollo refuses some malformed requests with a 4xx status but no code (e.g. an APQ hash that does not
  // match the query): a client error, not an internal one.
  const status = (error instanceof GraphQLError ? (error.extensions?.http as { status?: number } | undefined)?.status : undefined) ?? 0;
  if (code === 'INTERNAL_SERVER_ERROR' && status >= 400 && status < 500 && !(error instanceof GraphQLError && error.originalError)) {
    return { ...formatted, extensions: { ...formatted.extensions, code: 'BAD_REQUEST' } };
  }
  if (code === 'INTERNAL_SERVER_ERROR' || code === undefined) {
    process.stderr.write(`internal error: ${original instanceof Error ? original.stack ?? original.message : String(original)}\n`);
    return { message: 'internal error', locations: formatted.locations, path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  }
  return formatted;
}
