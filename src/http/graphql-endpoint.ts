import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer } from '@apollo/server';
import express from 'express';
import { basisExtension } from '../graphql/basis-plugin';
import type { GraphQLContext } from '../graphql/context';
import type { Basis } from '../projections/queries/basis';
import type { Logger } from '../observability/logger';
import { withStatementBudget } from '../store/statement-budget';
import { sendHttpLayerError, type HttpLayerError } from './errors';
import { admitRequest, type RateLimiter } from './rate-limit';

export const GRAPHQL_PATH = '/graphql';

export interface GraphQLEndpointOptions {
  apollo: ApolloServer<GraphQLContext>;
  maxBodyBytes: number;
  /** The gateway's one request budget per key or address (src/http/rate-limit.ts); null: no limit. */
  rateLimiter: RateLimiter | null;
  /** A client that takes none of its answer for this long is disconnected (ms). */
  slowReaderTimeoutMs: number;
  /** SQL statements one request may run (TOO_MANY_STATEMENTS past it); 0 or unset: no limit. */
  maxStatements?: number;
  /** The request's GraphQL context; throws a GraphQLError (UNAUTHENTICATED…) to refuse it. */
  context(req: IncomingMessage, res: ServerResponse): Promise<GraphQLContext>;
  /** The log head, for `extensions.basis` on the answers Apollo gives without running its plugins. */
  head(): Promise<Basis>;
  logger: Logger;
}

type Request = IncomingMessage & { body?: unknown };
type Middleware = (req: Request, res: ServerResponse, next: (err?: unknown) => void) => void;

/**
 * GraphQL over HTTP as a plain Node request handler: rate limit, JSON body, Apollo. POSTs come here
 * straight from the HTTP server, without Express: Express 5's routing and response helpers cost
 * about 0.15 ms of CPU per request, a quarter of a whole point query (BENCHMARKS.md). GETs still pass
 * through Express, so that the playground can claim the browsers' ones first; they end here too.
 * The body parser is the same middleware Express ran before, called directly; the rate limiter is
 * the gateway's own, shared with its other routes and its WebSocket operations.
 */
export function graphqlEndpoint(options: GraphQLEndpointOptions): (req: Request, res: ServerResponse) => void {
  const middlewares: Middleware[] = [
    (req, res, next) => {
      if (admitRequest(options.rateLimiter, req, res)) next();
    },
    express.json({ limit: options.maxBodyBytes }) as unknown as Middleware,
  ];

  const execute = async (req: Request, res: ServerResponse): Promise<void> => {
    const headers = headerMapOf(req);
    const url = req.url ?? '';
    const query = url.indexOf('?');
    const response = await withStatementBudget(options.maxStatements ?? 0, () =>
      options.apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: {
          method: (req.method ?? 'GET').toUpperCase(),
          headers,
          search: query >= 0 ? url.slice(query) : '',
          body: req.body,
        },
        context: () => options.context(req, res),
      }),
    );
    for (const [key, value] of response.headers) res.setHeader(key, value);
    res.statusCode = response.status ?? 200;
    const stallMs = options.slowReaderTimeoutMs;
    if (response.body.kind === 'complete') {
      const body =
        response.status !== undefined && response.status >= 400
          ? await withBasis(response.body.string, options.head)
          : response.body.string;
      res.setHeader('content-length', Buffer.byteLength(body));
      for (let at = 0; at < body.length;) {
        const end = pieceEnd(body, at);
        if (!(await write(res, body.slice(at, end), stallMs))) return;
        at = end;
      }
      res.end();
      return;
    }
    for await (const chunk of response.body.asyncIterator) {
      if (!(await write(res, chunk, stallMs))) return; // leaving the loop ends the stream too
    }
    res.end();
  };

  return (req, res) => {
    const run = (i: number, err?: unknown): void => {
      if (err) return sendHttpLayerError(res, err as HttpLayerError, options.maxBodyBytes, options.logger);
      if (i < middlewares.length) return middlewares[i](req, res, (e) => run(i + 1, e));
      execute(req, res).catch((e: unknown) => {
        if (!res.headersSent) return sendHttpLayerError(res, e as HttpLayerError, options.maxBodyBytes, options.logger);
        options.logger.error({ err: e }, 'response failed after its headers were sent');
        res.destroy();
      });
    };
    run(0);
  };
}

/**
 * A refused context (401, 403) is answered by Apollo before any plugin runs, so the basis plugin never
 * sees it; every answer carries `extensions.basis` all the same (README.md, "Two commands").
 */
async function withBasis(text: string, head: () => Promise<Basis>): Promise<string> {
  let body: { extensions?: Record<string, unknown> };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    return text;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body) || body.extensions?.basis) return text;
  const basis = await head().catch(() => null);
  return basis ? JSON.stringify({ ...body, extensions: { ...body.extensions, basis: basisExtension(basis) } }) : text;
}

/**
 * An answer goes out a piece at a time, each encoded as it is sent: handed to Node whole, a large
 * answer would sit in memory twice (the string and its bytes) for as long as a client that does not
 * read keeps the socket open.
 */
const PIECE_CHARS = 64 * 1024;

/** Where the piece starting at `at` ends: never between the two halves of a surrogate pair. */
function pieceEnd(text: string, at: number): number {
  const end = Math.min(text.length, at + PIECE_CHARS);
  if (end === text.length) return end;
  const last = text.charCodeAt(end - 1);
  return last >= 0xd800 && last <= 0xdbff ? end - 1 : end;
}

/**
 * Writes one piece and waits until the client has taken what is queued. False when the response is
 * gone: the client hung up, or took nothing for `stallMs` and was disconnected, freeing its answer.
 */
function write(res: ServerResponse, chunk: Buffer | string, stallMs: number): Promise<boolean> {
  if (res.destroyed) return Promise.resolve(false);
  if (res.write(chunk)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const settle = () => {
      clearTimeout(timer);
      res.off('drain', settle);
      res.off('close', settle);
      resolve(!res.destroyed);
    };
    const timer = setTimeout(() => res.destroy(), stallMs);
    res.on('drain', settle);
    res.on('close', settle);
  });
}

/** A Node request's headers as Apollo takes them (repeated headers joined, as HTTP allows). */
export function headerMapOf(req: IncomingMessage): HeaderMap {
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  return headers;
}

/** A POST to the GraphQL path (any case, with or without a trailing part, as Express's mount matched). */
export function isGraphQLPost(req: IncomingMessage): boolean {
  if (req.method !== 'POST' || !req.url) return false;
  const path = req.url.split('?', 1)[0].toLowerCase();
  return path === GRAPHQL_PATH || path.startsWith(`${GRAPHQL_PATH}/`);
}
