import type { ApolloServerPlugin } from '@apollo/server';
import {
  getNamedType, getNullableType, isListType, isObjectType, isInterfaceType, Kind, valueFromAST,
  type FieldNode, type FragmentDefinitionNode, type GraphQLField, type GraphQLNamedType, type GraphQLSchema, type SelectionSetNode,
} from 'graphql';
import { DEFAULT_PAGE_SIZE } from './connection';
import { userError } from './errors';

export interface ComplexityLimits {
  maxCost: number;
  maxDepth: number;
}

export const DEFAULT_LIMITS: ComplexityLimits = { maxCost: 50_000, maxDepth: 15 };

/** A list without a `first` argument is assumed to be this long when estimating. */
const ASSUMED_LIST_LENGTH = 10;

interface Estimate {
  cost: number;
  depth: number;
}

/**
 * The worst-case number of objects a query can make the gateway resolve: every field costs one per
 * parent object, and a field with `first` (a connection) multiplies what is below it by that page size.
 * Computed before execution, so a hostile query is refused before it touches the database.
 */
export function estimateComplexity(
  schema: GraphQLSchema, selectionSet: SelectionSetNode, rootType: GraphQLNamedType,
  fragments: Record<string, FragmentDefinitionNode>, variables: Record<string, unknown>,
): Estimate {
  const walk = (set: SelectionSetNode, type: GraphQLNamedType, multiplier: number, depth: number, seen: Set<string>): Estimate => {
    let cost = 0;
    let maxDepth = depth;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        const e = fieldEstimate(selection, type, multiplier, depth, seen);
        cost += e.cost;
        maxDepth = Math.max(maxDepth, e.depth);
      } else {
        const fragment = selection.kind === Kind.INLINE_FRAGMENT ? selection : fragments[selection.name.value];
        if (!fragment || (selection.kind === Kind.FRAGMENT_SPREAD && seen.has(selection.name.value))) continue;
        const typeName = fragment.typeCondition?.name.value;
        const fragmentType = typeName ? schema.getType(typeName) ?? type : type;
        const nextSeen = selection.kind === Kind.FRAGMENT_SPREAD ? new Set([...seen, selection.name.value]) : seen;
        const e = walk(fragment.selectionSet, fragmentType, multiplier, depth, nextSeen);
        cost += e.cost;
        maxDepth = Math.max(maxDepth, e.depth);
      }
    }
    return { cost, depth: maxDepth };
  };

  const fieldEstimate = (node: FieldNode, parent: GraphQLNamedType, multiplier: number, depth: number, seen: Set<string>): Estimate => {
    const field: GraphQLField<unknown, unknown> | undefined =
      isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[node.name.value] : undefined;
    if (!field || !node.selectionSet) return { cost: multiplier, depth: depth + 1 };
    let childMultiplier = 1;
    const firstArg = field.args.find((a) => a.name === 'first');
    if (firstArg) {
      const given = node.arguments?.find((a) => a.name.value === 'first');
      const value = given ? valueFromAST(given.value, firstArg.type, variables) : undefined;
      childMultiplier = typeof value === 'number' && value >= 0 ? value : DEFAULT_PAGE_SIZE;
    } else if (isListType(getNullableType(field.type)) && !parent.name.endsWith('Connection')) {
      // A connection's `nodes`/`edges` are the page its `first` already counted.
      childMultiplier = ASSUMED_LIST_LENGTH;
    }
    const below = walk(node.selectionSet, getNamedType(field.type), multiplier * childMultiplier, depth + 1, seen);
    return { cost: multiplier + below.cost, depth: below.depth };
  };

  return walk(selectionSet, rootType, 1, 0, new Set());
}

/** Refuses queries over the limits with QUERY_TOO_COMPLEX and the computed figures. */
export function complexityPlugin(limits: ComplexityLimits = DEFAULT_LIMITS): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, request }) {
          if (!operation) return;
          const rootType = operation.operation === 'mutation' ? schema.getMutationType() : schema.getQueryType();
          if (!rootType) return;
          const fragments = Object.fromEntries(
            document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]),
          );
          const { cost, depth } = estimateComplexity(schema, operation.selectionSet, rootType, fragments, request.variables ?? {});
          if (cost > limits.maxCost || depth > limits.maxDepth) {
            throw userError('QUERY_TOO_COMPLEX',
              `query too complex: cost ${cost} (limit ${limits.maxCost}), depth ${depth} (limit ${limits.maxDepth}); ask for smaller pages or fewer nested relations`,
              { cost, maxCost: limits.maxCost, depth, maxDepth: limits.maxDepth, http: { status: 400 } });
          }
        },
      };
    },
  };
}
