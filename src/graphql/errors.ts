import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { AccessError } from '../auth/errors';
import { DomainError } from '../domain/errors';
import { StoreError } from '../store/errors';
import { StatementLimitError } from '../store/statement-budget';

/**
 * The one table from error code to HTTP status. It gives the status of a response refused as a whole
 * (`refusal` below: before any resolver runs, or by a resolver whose refusal decides the request, as
 * access does) and of every answer the HTTP layer gives itself (`sendError` in src/http/errors.ts).
 * An error inside an executed operation leaves the status at 200, as GraphQL over HTTP has it.
 */
export const HTTP_STATUS = {
  BAD_USER_INPUT: 400,
  BAD_REQUEST: 400,
  GRAPHQL_PARSE_FAILED: 400,
  GRAPHQL_VALIDATION_FAILED: 400,
  QUERY_TOO_COMPLEX: 400,
  TOO_MANY_STATEMENTS: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  INTERNAL_SERVER_ERROR: 500,
  SERVICE_UNAVAILABLE: 503,
} as const;

/** The codes of docs/api.md ("Errors"), plus what Apollo itself reports for malformed requests. */
export type ErrorCode = keyof typeof HTTP_STATUS;

/** Something that writes internal errors to the server's log (the JSON logger, src/observability/logger.ts). */
export interface ErrorLog {
  error(details: { err: unknown }, message: string): void;
}

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
  return (
    typeof message === 'string' &&
    /timeout exceeded when trying to connect|Connection terminated|Client has encountered a connection error/.test(message)
  );
}

export const UNAVAILABLE_MESSAGE = 'the database is unavailable or busy (no connection free in time); retry shortly';

export function unavailableError(): GraphQLError {
  return refusal('SERVICE_UNAVAILABLE', UNAVAILABLE_MESSAGE);
}

/** A graphql-js error (parse, validation) with the code Apollo would give it over HTTP. */
export function withCode(error: GraphQLError, code: 'GRAPHQL_PARSE_FAILED' | 'GRAPHQL_VALIDATION_FAILED'): GraphQLError {
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    extensions: { ...error.extensions, code },
  });
}

export function userError(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...extensions } });
}

/** An error that refuses the whole request, with the HTTP status of its code (HTTP_STATUS). */
export function refusal(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return userError(code, message, { ...extensions, http: { status: HTTP_STATUS[code] } });
}

/**
 * A rejection the API defines and answers with its own code: a domain rule, a store refusal of what
 * the client sent, an access refusal. A store refusal of our own code's call (a caller fault) is not
 * one: the client could not have avoided it, so it is an internal error, logged, and its message stays
 * in the log.
 */
export function isRejection(error: unknown): error is DomainError | AccessError {
  if (error instanceof AccessError) return true;
  return error instanceof DomainError && !(error instanceof StoreError && error.fault === 'caller');
}

/**
 * A rejection as a GraphQL error. A domain or store rejection: its code, the offending input field,
 * and its details. An access refusal refuses the request: 401 or 403.
 */
export function toGraphQLError(error: DomainError | AccessError): GraphQLError {
  if (error instanceof AccessError) return refusal(error.code, error.message);
  return new GraphQLError(error.message, {
    extensions: { code: error.code, ...(error.path.length ? { field: error.path.join('.') } : {}), ...error.details },
  });
}

/**
 * What a resolver's error becomes on its way out: a rejection, its GraphQL error; a store's caller fault,
 * a plain Error with the same message and stack (logged, then answered as an internal error), since
 * DomainError's array `path` (its input field) would be taken by graphql-js for a response path.
 */
export function fromResolver(error: unknown): unknown {
  if (isRejection(error)) return toGraphQLError(error);
  if (!(error instanceof DomainError)) return error;
  const internal = new Error(error.message, { cause: error });
  internal.stack = error.stack;
  return internal;
}

/**
 * Rejections thrown outside resolvers become GraphQL errors too; anything else is an internal error
 * whose details stay in the server log, not in the response. Over HTTP the request's log line and
 * requestRecordPlugin (src/observability/request.ts) log it, with the request's id; a caller without
 * one (subscriptions over WebSocket) passes `log`, so every internal error is logged once.
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown, log?: ErrorLog): GraphQLFormattedError {
  const original = error instanceof GraphQLError ? (error.originalError ?? error) : error;
  if (isRejection(original)) {
    const {
      message,
      extensions: { http: _status, ...extensions },
    } = toGraphQLError(original);
    return { ...formatted, message, extensions };
  }
  if (original instanceof StatementLimitError) {
    return {
      message: original.message,
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: 'TOO_MANY_STATEMENTS', maxStatements: original.limit },
    };
  }
  // PostgreSQL cancelled the statement (statement_timeout): the client asked for too much at once.
  if ((original as { code?: string } | null)?.code === '57014') {
    return {
      message: 'the query took too long and was cancelled; ask for less at once',
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: 'QUERY_TIMEOUT' },
    };
  }
  // PostgreSQL cannot store the NUL character in text: a NUL in any id, slug, key or cursor is bad input.
  if ((original as { code?: string } | null)?.code === '22021') {
    return {
      message: 'strings may not contain the NUL character (\\u0000)',
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: 'BAD_USER_INPUT' },
    };
  }
  if (isDatabaseUnavailable(original)) {
    return {
      message: UNAVAILABLE_MESSAGE,
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: 'SERVICE_UNAVAILABLE' },
    };
  }
  const code = formatted.extensions?.code;
  // Apollo refuses some malformed requests with a 4xx status but no code (e.g. an APQ hash that does not
  // match the query): a client error, not an internal one.
  const status = (error instanceof GraphQLError ? (error.extensions?.http as { status?: number } | undefined)?.status : undefined) ?? 0;
  if (code === 'INTERNAL_SERVER_ERROR' && status >= 400 && status < 500 && !(error instanceof GraphQLError && error.originalError)) {
    return { ...formatted, extensions: { ...formatted.extensions, code: 'BAD_REQUEST' } };
  }
  if (code === 'INTERNAL_SERVER_ERROR' || code === undefined || original instanceof DomainError) {
    // A DomainError here is a store's caller fault (isRejection above took every other).
    log?.error({ err: original }, 'internal error');
    return {
      message: 'internal error',
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  }
  return formatted;
}

export type ErrorFormatter = (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;

/** graphql-js appends its suggestions to the message as one last sentence. */
const SUGGESTION = / ?Did you mean [\s\S]*$/;

/**
 * The formatter every GraphQL transport uses. With introspection off, suggestions ("Did you mean …")
 * would name the schema's fields one guess at a time, so they are cut. `log` as for formatError.
 */
export function errorFormatter(options: { introspection?: boolean; log?: ErrorLog } = {}): ErrorFormatter {
  const format: ErrorFormatter = (formatted, error) => formatError(formatted, error, options.log);
  return (options.introspection ?? true) ? format : withoutSuggestions(format);
}

/** `format`, with graphql-js's "Did you mean …?" suggestions cut from every message. */
export function withoutSuggestions(format: ErrorFormatter): ErrorFormatter {
  return (formatted, error) => {
    const out = format(formatted, error);
    return SUGGESTION.test(out.message) ? { ...out, message: out.message.replace(SUGGESTION, '') } : out;
  };
}
