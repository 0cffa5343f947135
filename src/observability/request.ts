import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, Kind } from 'graphql';
import type { GraphQLContext } from '../graphql/context';
import { isRejection } from '../graphql/errors';
import type { Logger } from './logger';

/** What one HTTP request did, filled in as it passes the layers, and logged and counted once it ends. */
export interface RequestRecord {
  id: string;
  /** process.hrtime.bigint() when the request arrived. */
  started: bigint;
  operation?: string;
  operationType?: string;
  /** Codes of the errors the response carries, in the order first seen. */
  errorCodes: Set<string>;
  /** The API key's name (never the key) or "anonymous"; unset when authentication failed or never ran. */
  principal?: string;
}

export interface FinishedRequest {
  record: RequestRecord;
  method: string;
  path: string;
  status: number;
  durationMs: number;
  /** The client went away before the response was sent. */
  aborted: boolean;
}

export const REQUEST_ID_HEADER = 'X-Request-Id';
/** An incoming id is kept only if it is short and plain, so a client cannot inject into the logs. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

export function requestIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value !== undefined && SANE_REQUEST_ID.test(value) ? value : randomUUID();
}

/** Keyed by the response object, which Express keeps (it only swaps its prototype). */
const records = new WeakMap<ServerResponse, RequestRecord>();

/** The record of the request a response belongs to (created by `trackRequest`). */
export function recordOf(res: ServerResponse): RequestRecord | undefined {
  return records.get(res);
}

/**
 * Starts the request's record, echoes its id in `X-Request-Id`, and hands the finished request to
 * `onFinish` exactly once: when the response is sent, or when the client hangs up first. Called
 * first for every request, before any routing, so probes, refusals and GraphQL are all counted.
 */
export function trackRequest(
  req: IncomingMessage & { body?: { operationName?: unknown } },
  res: ServerResponse,
  onFinish: (finished: FinishedRequest) => void,
): void {
  const record: RequestRecord = { id: requestIdFrom(req.headers['x-request-id']), started: process.hrtime.bigint(), errorCodes: new Set() };
  records.set(res, record);
  res.setHeader(REQUEST_ID_HEADER, record.id);
  // Taken now: Express rewrites req.url while routing into sub-apps and routers.
  const path = (req.url ?? '/').split('?')[0];
  const method = req.method ?? 'GET';
  let done = false;
  const finish = (aborted: boolean) => {
    if (done) return;
    done = true;
    // A GraphQL parse failure never resolves an operation; the name the client sent still helps.
    if (record.operation === undefined && typeof req.body?.operationName === 'string') record.operation = req.body.operationName;
    const durationMs = Number(process.hrtime.bigint() - record.started) / 1e6;
    onFinish({ record, method, path, status: res.statusCode, durationMs, aborted });
  };
  res.once('finish', () => finish(false));
  res.once('close', () => finish(!res.writableFinished));
}

/** Paths a load balancer or Prometheus polls every few seconds: logged at debug when they succeed, else at warn. */
const PROBES = new Set(['/healthz', '/readyz', '/metrics']);

/** The one log line per request. */
export function logRequest(logger: Logger, finished: FinishedRequest): void {
  const { record, method, path, status, durationMs, aborted } = finished;
  const line = {
    requestId: record.id,
    method,
    path,
    ...(record.operation !== undefined ? { operation: record.operation } : {}),
    ...(record.operationType !== undefined ? { operationType: record.operationType } : {}),
    status,
    durationMs: Math.round(durationMs * 100) / 100,
    ...(record.errorCodes.size ? { errorCodes: [...record.errorCodes] } : {}),
    ...(record.principal !== undefined ? { principal: record.principal } : {}),
    ...(aborted ? { aborted: true } : {}),
  };
  // An unready probe is expected while starting or draining: worth a warning, not an error.
  if (PROBES.has(path)) logger[status < 400 ? 'debug' : 'warn'](line, 'request');
  else if (status >= 500 || record.errorCodes.has('INTERNAL_SERVER_ERROR')) logger.error(line, 'request');
  else logger.info(line, 'request');
}

/** Ties a GraphQL context to its request's record; keyed by the context's `request` holder, which every copy of the context shares. */
const contextRecords = new WeakMap<object, RequestRecord>();

export function bindRecord(context: GraphQLContext, record: RequestRecord | undefined): GraphQLContext {
  if (record) contextRecords.set(context.request, record);
  return context;
}

/**
 * Fills the request's record from inside GraphQL: the operation's name and type, the codes of the
 * errors sent, the principal; logs unexpected errors with their stack under the request's id; and
 * turns a response that failed only because the database was out of reach into HTTP 503.
 */
export function requestRecordPlugin(logger: Logger): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart({ contextValue }) {
      const record = contextRecords.get(contextValue.request);
      return {
        // Noted before validation, so a query that fails validation is still counted under its name.
        async validationDidStart({ document, request }) {
          if (!record) return;
          const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
          const chosen = request.operationName
            ? operations.find((o) => o.name?.value === request.operationName)
            : operations.length === 1
              ? operations[0]
              : undefined;
          if (!chosen) return;
          record.operation = chosen.name?.value ?? '';
          record.operationType = chosen.operation;
        },
        async didResolveOperation({ operationName, operation }) {
          if (!record) return;
          record.operation = operationName ?? '';
          record.operationType = operation?.operation;
        },
        async didEncounterErrors({ errors }) {
          for (const error of errors) {
            const original = error.originalError;
            // Rejections the API defines (domain errors, GraphQL errors with a code) are the client's business.
            if (!original || isRejection(original) || original instanceof GraphQLError) continue;
            logger.error({ requestId: record?.id, err: original }, 'error while executing a request');
          }
        },
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          const codes = (response.body.singleResult.errors ?? []).map((e) => String(e.extensions?.code ?? 'UNKNOWN'));
          for (const code of codes) record?.errorCodes.add(code);
          if (codes.includes('SERVICE_UNAVAILABLE')) {
            response.http.status = 503;
            response.http.headers.set('retry-after', '1');
          }
        },
      };
    },
  };
}
