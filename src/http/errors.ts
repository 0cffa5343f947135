import type { ServerResponse } from 'node:http';
import { HTTP_STATUS, type ErrorCode } from '../graphql/errors';
import type { Logger } from '../observability/logger';
import { recordOf } from '../observability/request';

/**
 * An error in GraphQL's response shape, for failures that happen before GraphQL runs. Plain Node
 * response calls, so the GraphQL endpoint (which bypasses Express) and Express routes share it. The
 * status is the code's (HTTP_STATUS in src/graphql/errors.ts) unless the failure brought its own.
 */
export function sendError(res: ServerResponse, code: ErrorCode, message: string, status: number = HTTP_STATUS[code]): void {
  recordOf(res)?.errorCodes.add(code);
  const body = JSON.stringify({ errors: [{ message, extensions: { code } }] });
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(body));
  res.end(body);
}

/** What body-parser (and other HTTP-layer failures) throw: an http-errors object, or anything else. */
export interface HttpLayerError {
  status?: number;
  type?: string;
  message?: string;
}

/**
 * Body-parser failures (too large, not JSON, an unsupported charset) answer in GraphQL's shape too,
 * never as an HTML page; anything else is an internal error, logged under the request's id.
 */
export function sendHttpLayerError(res: ServerResponse, err: HttpLayerError, maxBodyBytes: number, logger: Logger): void {
  if (err.type === 'entity.too.large') return sendError(res, 'PAYLOAD_TOO_LARGE', `request body over ${maxBodyBytes} bytes`);
  if (err.status && err.status >= 400 && err.status < 500) return sendError(res, 'BAD_REQUEST', err.message ?? 'bad request', err.status);
  logger.error({ requestId: recordOf(res)?.id, err }, 'unexpected error in the HTTP layer');
  return sendError(res, 'INTERNAL_SERVER_ERROR', 'internal error');
}
