import type { ApolloServerPlugin } from '@apollo/server';
import {
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  Kind,
  valueFromAST,
  type FieldNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { readFrom, type GraphQLContext } from '../graphql/context';
import { HTTP_STATUS } from '../graphql/errors';
import { isLogPosition, parsePosition } from '../graphql/pins';
import type { ReadRouter } from './read-router';

export const MIN_POSITION_HEADER = 'x-factlog-min-position';
export const MIN_POSITION_ARG = 'minPosition';
const AT_POSITION_ARG = 'atPosition';

export function parseMinPosition(raw: string, field: string): number {
  // A 4xx: refused before any resolver runs, this would otherwise be answered as a 500.
  return parsePosition(raw.trim(), field, { http: { status: HTTP_STATUS.BAD_USER_INPUT } });
}

/**
 * The position a read must see: the largest of the `X-Factlog-Min-Position` header, the `minPosition`
 * arguments of the operation's root fields and every `atPosition` pin in it (a replica that has not
 * applied a pinned position cannot answer at it); undefined when none is given.
 */
export function requestedMinPosition(
  operation: OperationDefinitionNode,
  fragments: Record<string, FragmentDefinitionNode>,
  variables: Record<string, unknown>,
  header: string | null | undefined,
  /** Also count `atPosition` pins, which needs the whole document: only when a replica may answer. */
  pins: boolean,
): number | undefined {
  const found: number[] = [];
  if (header) found.push(parseMinPosition(header, 'X-Factlog-Min-Position'));
  const positionArg = (selection: FieldNode, name: string): void => {
    const arg = selection.arguments?.find((a) => a.name.value === name);
    const value = arg ? valueFromAST(arg.value, GraphQLString, variables) : undefined;
    if (typeof value !== 'string') return;
    // A malformed atPosition is its resolver's to refuse, with the field's own path; routing only
    // needs the well-formed ones.
    if (name === AT_POSITION_ARG && !isLogPosition(value)) return;
    found.push(parseMinPosition(value, name));
  };
  // Only the largest position matters, so each fragment is walked once (per depth class): a document
  // whose fragments spread each other many times over costs its size here, not its expansion.
  const walked = new Set<string>();
  const walk = (set: SelectionSetNode, root: boolean): void => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        if (root) positionArg(selection, MIN_POSITION_ARG);
        if (!pins) continue;
        positionArg(selection, AT_POSITION_ARG);
        if (selection.selectionSet) walk(selection.selectionSet, false);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        walk(selection.selectionSet, root);
      } else {
        const key = `${selection.name.value}:${root}`;
        if (walked.has(key) || !fragments[selection.name.value]) continue;
        walked.add(key);
        walk(fragments[selection.name.value].selectionSet, root);
      }
    }
  };
  walk(operation.selectionSet, true);
  return found.length ? Math.max(...found) : undefined;
}

/**
 * Sends each query to a read replica chosen by the gateway's ReadRouter (waiting for `minPosition`,
 * or falling back to the primary); mutations stay on the primary. Runs after the operation is known
 * and before any resolver, and switches the request's own context (Apollo gives plugins and
 * resolvers the same per-operation copy).
 */
export function readRoutingPlugin(router: ReadRouter): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, request, contextValue }) {
          if (!operation) return;
          const fragments = Object.fromEntries(
            document.definitions
              .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
              .map((d) => [d.name.value, d]),
          );
          const routed = operation.operation === 'query' && router.replicaCount > 0;
          // Malformed minPositions are refused on every gateway; the pins are read only where they route.
          const minPosition = requestedMinPosition(
            operation,
            fragments,
            request.variables ?? {},
            request.http?.headers.get(MIN_POSITION_HEADER),
            routed,
          );
          if (!routed) return;
          const target = await router.route(minPosition);
          if (target.role === 'replica') readFrom(contextValue, target);
        },
      };
    },
  };
}

const MIN_POSITION_DESCRIPTION =
  "Read your writes: answer only from a database that has applied this log position (a mutation's `position`). " +
  'A read replica behind it is waited for (FACTLOG_READ_WAIT_MS, default 2 s), then the primary answers. ' +
  'The X-Factlog-Min-Position header does the same for a whole request.';

/**
 * Adds the optional `minPosition: String` argument to every root query field that takes arguments
 * (the argument-less ones — health, properties, apiKeys — take the header instead). Resolvers never
 * read it: readRoutingPlugin acts on it before they run.
 */
export function withMinPositionArgument(schema: GraphQLSchema): GraphQLSchema {
  const query = schema.getQueryType();
  if (!query) return schema;
  const config = query.toConfig();
  const fields = Object.fromEntries(
    Object.entries(config.fields).map(([name, field]) => [
      name,
      Object.keys(field.args ?? {}).length === 0 || field.args?.[MIN_POSITION_ARG]
        ? field
        : { ...field, args: { ...field.args, [MIN_POSITION_ARG]: { type: GraphQLString, description: MIN_POSITION_DESCRIPTION } } },
    ]),
  );
  const replaced = new GraphQLObjectType({ ...config, fields });
  const schemaConfig = schema.toConfig();
  return new GraphQLSchema({
    ...schemaConfig,
    query: replaced,
    types: schemaConfig.types.map((t) => (t === query ? replaced : t)),
  });
}
