import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer } from '@apollo/server';
import express from 'express';
import { basisExtension } from '../graphql/basis-plugin';
import type { GraphQLContext } from '../graphql/context';
import type { Basis } from '../projections/queries/basis';
import type { Logger } from '../observability/logger';
import { sendHttpLayerError, type HttpLayerError } from './errors';
import { admitRequest, type RateLimiter } from './rate-limit';

export const GRAPHQL_PATH = '/graphql';

export interface GraphQLEndpointOptions {
  apollo: ApolloServer<GraphQLContext>;
  maxBodyBytes: number;
  /** The gateway's one request budget per key or address (src/http/rate-limit.ts); null: no limit. */
  rateLimiter: RateLimiter | null;
  /** The request's GraphQL context; throws a GraphQLError (UNAUTHENTICATED…) to refuse it. */
  context(req: IncomingMessage, res: ServerResponse): Promise<GraphQLContext>;
  /** The log head, for `extensions.basis` on the answers Apollo gives without running its plugins. */
  head(): Promise<Basis>;
  logger: Logger;
}

type Request = IncomingMessage & { body?: unknown };
type Step = (req: Request, res: ServerResponse, next: (err?: unknown) => void) => void;

/**
 * GraphQL over HTTP as a plain Node request handler: rate limit, JSON body, Apollo. POSTs come here
 * straight from the HTTP server, without Express: Express 5's routing and response helpers cost
 * about 0.15 ms of CPU per request, a quarter of a whole point query (BENCHMARKS.md). GETs still pass
 * through Express, so that the playground can claim the browsers' ones first; they end here too.
 * The body parser is the same middleware Express ran before, called directly; the rate limiter is
 * the gateway's own, shared with its other routes and its WebSocket operations.
 */
export function graphqlEndpoint(options: GraphQLEndpointOptions): (req: Request, res: ServerResponse) => void {
  const steps: Step[] = [
    (req, res, next) => {
      if (admitRequest(options.rateLimiter, req, res)) next();
    },
    express.json({ limit: options.maxBodyBytes }) as unknown as Step,
  ];

  const execute = async (req: Request, res: ServerResponse): Promise<void> => {
    const headers = headerMapOf(req);
    const url = req.url ?? '';
    const query = url.indexOf('?');
    const response = await options.apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: (req.method ?? 'GET').toUpperCase(), headers, search: query >= 0 ? url.slice(query) : '', body: req.body },
      context: () => options.context(req, res),
    });
    for (const [key, value] of response.headers) res.setHeader(key, value);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === 'complete') {
      const body = response.status !== undefined && response.status >= 400 ? await withBasis(response.body.string, options.head) : response.body.string;
      res.setHeader('content-length', Buffer.byteLength(body));
      res.end(body);
      return;
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  };

  return (req, res) => {
    const run = (i: number, err?: unknown): void => {
      if (err) return sendHttpLayerError(res, err as HttpLayerError, options.maxBodyBytes, options.logger);
      if (i < steps.length) return steps[i](req, res, (e) => run(i + 1, e));
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
