import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';

/** A GraphQL error as Factlog reports it (docs/api.md, "Errors"). */
export interface GraphQLErrorBody {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; [key: string]: unknown };
}

export class GraphQLRequestError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly errors: GraphQLErrorBody[],
  ) {
    super(message);
    this.name = 'GraphQLRequestError';
  }
}

/** The log position and time an answer was computed at (`extensions.basis`). */
export interface Basis {
  position: string;
  recordedAt: string | null;
}

export interface Result<TResult> {
  data: TResult;
  basis?: Basis;
}

/** Variables are optional exactly when the operation declares none. */
type VariablesArg<TVariables> = Record<string, never> extends TVariables ? [variables?: TVariables] : [variables: TVariables];

/**
 * A minimal GraphQL-over-HTTP client: POSTs a typed document and returns its typed `data`.
 * `headers` carries e.g. an API key; any client that accepts TypedDocumentNode (Apollo Client, urql,
 * graphql-request) can use the same documents instead.
 */
export function createClient(url: string, headers: Record<string, string> = {}) {
  return async function request<TResult, TVariables>(
    document: TypedDocumentNode<TResult, TVariables>,
    ...[variables]: VariablesArg<TVariables>
  ): Promise<Result<TResult>> {
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json;q=0.9',
        ...headers,
      },
      body: JSON.stringify({ query: print(document), variables }),
    });
    const body = (await res.json()) as { data?: TResult | null; errors?: GraphQLErrorBody[]; extensions?: { basis?: Basis } };
    if (body.errors?.length || body.data == null) {
      const errors = body.errors ?? [];
      const summary = errors.map((e) => `${e.extensions?.code ?? 'ERROR'}: ${e.message}`).join('; ');
      throw new GraphQLRequestError(summary || `HTTP ${res.status} without data`, res.status, errors);
    }
    return { data: body.data, basis: body.extensions?.basis };
  };
}
