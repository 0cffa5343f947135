import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { DomainError } from '../domain/errors';
import { StoreError } from '../store/errors';
import { StatementLimitError } from '../store/statement-budget';

/** The codes of docs/api.md ("Errors"), plus what Apollo itself reports for malformed requests. */
export type ErrorCode = 'BAD_USER_INPUT' | 'NOT_FOUND' | 'CONFLICT' | 'UNAUTHENTICATED' | 'FORBIDDEN' | 'QUERY_TOO_COMPLEX' | 'SERVICE_UNAVAILABLE' | 'RATE_LIMITED' | 'TOO_MANY_STATEMENTS';

/** PostgreSQL codes for "the server is going away or refuses connections" (classes 08 and 57P, 53300). */
const UNAVAILABLE_SQLSTATES = new Set(['08000', '08001', '08003', '08004', '08006', '57P01', '57P02', '57P03', '53300']);
const UNAVAILABLE_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH']);

/**
 * True when the database could not be reached or no pooled connection freed up in time: the request
 * was fine and may succeed on retry, so it is SERVICE_UNAVAILABLE (503), not an internal error.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  // Duck-typed, not `instanceof Error`: socket errors can come from another realm (jest's VM), and then
  // graphql-js wraps them as NonErrorThrown with the original in `thrownValue`.
  if (typeof error !== 'object' || error === null) return false;
  const { code, message, thrownValue } = error as { code?: unknown; message?: unknown; thrownValue?: unknown };
  if (thrownValue !== undefined && thrownValue !== error) return isDatabaseUnavailable(thrownValue);
  if (typeof code === 'string' && (UNAVAILABLE_SQLSTATES.has(code) || UNAVAILABLE_ERRNOS.has(code))) return true;
  // pg-pool and pg signal these without a code.
  return typeof message === 'string' && /timeout exceeded when trying to connect|Connection terminated|Client has encountered a connection error/.test(message);
}

export const UNAVAILABLE_MESSAGE = 'the database is unavailable or busy (no connection free in time); retry shortly';

export function unavailableError(): GraphQLError {
  return userError('SERVICE_UNAVAILABLE', UNAVAILABLE_MESSAGE, { http: { status: 503 } });
}

/** A graphql-js error (parse, validation) with the code Apollo would give it over HTTP. */
export function withCode(error: GraphQLError, code: 'GRAPHQL_PARSE_FAILED' | 'GRAPHQL_VALIDATION_FAILED'): GraphQLError {
  return new GraphQLError(error.message, { nodes: error.nodes, source: error.source, positions: error.positions, extensions: { ...error.extensions, code } });
}

export function userError(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...extensions } });
}

/**
 * A rejection the API defines and answers with its own code: a domain rule, or a store refusal of what
 * the client sent. A store refusal of our own code's call (a caller fault) is not one: the client could
 * not have avoided it, so it is an internal error, logged, and its message stays in the log.
 */
export function isRejection(error: unknown): error is DomainError {
  return error instanceof DomainError && !(error instanceof StoreError && error.fault === 'caller');
}

/** A domain rejection as a GraphQL error: its code, the offending input field, and its details. */
export function toGraphQLError(error: DomainError): GraphQLError {
  return new GraphQLError(error.message, {
    extensions: { code: error.code, ...(error.path.length ? { field: error.path.join('.') } : {}), ...error.details },
  });
}

/**
 * Domain rejections thrown outside resolvers become GraphQL errors too; anything else is an internal
 * error whose details stay in the server log, not in the response.
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = error instanceof GraphQLError ? error.originalError ?? error : error;
  if (isRejection(original)) {
    const { message, extensions } = toGraphQLError(original);
    return { ...formatted, message, extensions };
  }
  if (original instanceof StatementLimitError) {
    return { message: original.message, locations: formatted.locations, path: formatted.path, extensions: { code: 'TOO_MANY_STATEMENTS', maxStatements: original.limit } };
  }
  // PostgreSQL cancelled the statement (statement_timeout): the client asked for too much at once.
  if ((original as { code?: string } | null)?.code === '57014') {
    return { message: 'the query took too long and was cancelled; ask for less at once', locations: formatted.locations, path: formatted.path, extensions: { code: 'QUERY_TIMEOUT' } };
  }
  // PostgreSQL cannot store the NUL character in text: a NUL in any id, slug, key or cursor is bad input.
  if ((original as { code?: string } | null)?.code === '22021') {
    return { message: 'strings may not contain the NUL character (\\u0000)', locations: formatted.locations, path: formatted.path, extensions: { code: 'BAD_USER_INPUT' } };
  }
  if (isDatabaseUnavailable(original)) {
    return { message: UNAVAILABLE_MESSAGE, locations: formatted.locations, path: formatted.path, extensions: { code: 'SERVICE_UNAVAILABLE' } };
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

export type ErrorFormatter = (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;

/** graphql-js appends its suggestions to the message as one last sentence. */
const SUGGESTION = / ?Did you mean [\s\S]*$/;

/** `format`, with graphql-js's "Did you mean …?" suggestions cut from every message. */
export function withoutSuggestions(format: ErrorFormatter): ErrorFormatter {
  return (formatted, error) => {
    const out = format(formatted, error);
    return SUGGESTION.test(out.message) ? { ...out, message: out.message.replace(SUGGESTION, '') } : out;
  };
}
