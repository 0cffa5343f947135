import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHash } from 'node:crypto';
import { HeaderMap, type ApolloServer } from '@apollo/server';
import express from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { basisExtension } from '../graphql/basis-plugin';
import type { GraphQLContext } from '../graphql/context';
import type { Basis } from '../projections/queries/basis';
import type { Logger } from '../observability/logger';
import { withStatementBudget } from '../store/statement-budget';
import { sendError, sendHttpLayerError, type HttpLayerError } from './errors';

export const GRAPHQL_PATH = '/graphql';

export interface GraphQLEndpointOptions {
  apollo: ApolloServer<GraphQLContext>;
  maxBodyBytes: number;
  /** Requests per minute per API key (or per client address without one); 0 turns the limiter off. */
  rateLimitPerMinute: number;
  /** SQL statements one request may run (TOO_MANY_STATEMENTS past it); 0 or unset: no limit. */
  maxStatements?: number;
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
 * The rate limiter and the body parser are the same middleware Express ran before, called directly.
 */
export function graphqlEndpoint(options: GraphQLEndpointOptions): (req: Request, res: ServerResponse) => void {
  const steps: Step[] = [];
  if (options.rateLimitPerMinute > 0) {
    steps.push(rateLimit({
      windowMs: 60_000,
      limit: options.rateLimitPerMinute,
      standardHeaders: 'draft-7',
      legacyHeaders: false,
      // Its checks of Express settings (trust proxy, req.ip) do not apply to a plain Node request.
      validate: false,
      // One budget per key, so clients behind one NAT with their own keys do not share it. Without
      // "trust proxy" (Factlog never sets it) Express's req.ip is this very socket address.
      keyGenerator: (req) => {
        const auth = req.headers.authorization;
        return auth ? `key:${createHash('sha256').update(auth).digest('hex')}` : `ip:${ipKeyGenerator(req.socket.remoteAddress ?? '')}`;
      },
      handler: (_req, res) => sendError(res, 429, 'RATE_LIMITED', `more than ${options.rateLimitPerMinute} requests in a minute; wait and retry`),
    }) as unknown as Step);
  }
  steps.push(express.json({ limit: options.maxBodyBytes }) as unknown as Step);

  const execute = async (req: Request, res: ServerResponse): Promise<void> => {
    const headers = headerMapOf(req);
    const url = req.url ?? '';
    const query = url.indexOf('?');
    const response = await withStatementBudget(options.maxStatements ?? 0, () => options.apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: (req.method ?? 'GET').toUpperCase(), headers, search: query >= 0 ? url.slice(query) : '', body: req.body },
      context: () => options.context(req, res),
    }));
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
