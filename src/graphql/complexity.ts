import type { ApolloServerPlugin } from '@apollo/server';
import {
  getNamedType,
  getNullableType,
  isListType,
  isObjectType,
  isInterfaceType,
  Kind,
  valueFromAST,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import { DEFAULT_PAGE_SIZE } from './connection';
import { refusal } from './errors';

export interface ComplexityLimits {
  maxCost: number;
  maxDepth: number;
  /**
   * SQL statements per request: refused before execution when the estimate is over it, and cut off
   * during execution when the statements actually run are (src/store/statement-budget.ts). 0: no cap.
   */
  maxStatements?: number;
  /**
   * Lexical tokens per document, checked while parsing. Parsing and validating are synchronous and
   * linear in the document: a 1 MB body of 20,000 aliases held the event loop for seconds before any
   * limit above could look at it. The example query is about 70 tokens.
   */
  maxTokens?: number;
}

export const DEFAULT_LIMITS: Required<ComplexityLimits> = { maxCost: 50_000, maxDepth: 15, maxStatements: 500, maxTokens: 10_000 };

/** Arguments that pin a field to its own log position: each distinct one is a statement to resolve it. */
const PIN_ARGUMENTS = ['atPosition', 'knownAt'];

/** A list without a `first` argument is assumed to be this long when estimating. */
const ASSUMED_LIST_LENGTH = 10;

interface Estimate {
  cost: number;
  depth: number;
  /**
   * The statements the query needs at least: one per root field, per `totalCount` (a COUNT for each
   * connection) and per field pinned to its own position. Nested relations are left out: they are
   * batched per level (src/graphql/context.ts, Loaders), so they do not grow with the aliases.
   */
  statements: number;
}

const NOTHING: Estimate = { cost: 0, depth: 0, statements: 0 };

/** The fragment definitions of a document, by name. */
export function fragmentsOf(document: DocumentNode): Record<string, FragmentDefinitionNode> {
  return Object.fromEntries(
    document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]),
  );
}

/** Costs saturate here: a product of page sizes can overflow to Infinity, and Infinity × 0 is NaN, which no limit refuses. */
const COST_CEILING = Number.MAX_SAFE_INTEGER;
const bounded = (n: number): number => Math.min(n, COST_CEILING);

/**
 * The worst-case number of objects a query can make the gateway resolve: every field costs one per
 * parent object, and a field with `first` (a connection) multiplies its page (`nodes`, `edges`) by that
 * page size. The connection itself, and so its `totalCount` (a COUNT statement each), costs one per
 * parent whatever `first` says: `first: 0` empties the page, not the work.
 * Computed before execution, so a hostile query is refused before it touches the database.
 *
 * Linear in the document: a selection's cost is computed once per parent object and then multiplied,
 * and each fragment is estimated once (memoised by name and page size), however often it is spread —
 * a fragment spreading the next one twice, 24 levels deep, is 48 walks, not 2^24.
 */
export function estimateComplexity(
  schema: GraphQLSchema,
  selectionSet: SelectionSetNode,
  rootType: GraphQLNamedType,
  fragments: Record<string, FragmentDefinitionNode>,
  variables: Record<string, unknown>,
): Estimate {
  const memo = new Map<string, Estimate>();
  const inProgress = new Set<string>();

  /** Cost per object of `type`, and depth below it; `page` is the page size when `type` is a connection. */
  const walk = (set: SelectionSetNode, type: GraphQLNamedType, page: number): Estimate => {
    let cost = 0;
    let depth = 0;
    let statements = 0;
    for (const selection of set.selections) {
      let e: Estimate;
      if (selection.kind === Kind.FIELD) e = fieldEstimate(selection, type, page);
      else if (selection.kind === Kind.INLINE_FRAGMENT)
        e = walk(selection.selectionSet, conditionType(selection.typeCondition?.name.value, type), page);
      else e = spreadEstimate(selection.name.value, type, page);
      cost = bounded(cost + e.cost);
      depth = Math.max(depth, e.depth);
      statements = bounded(statements + e.statements);
    }
    return { cost, depth, statements };
  };

  const conditionType = (name: string | undefined, fallback: GraphQLNamedType): GraphQLNamedType =>
    (name ? schema.getType(name) : undefined) ?? fallback;

  const spreadEstimate = (name: string, type: GraphQLNamedType, page: number): Estimate => {
    const fragment = fragments[name];
    // Validation refuses unknown and cyclic fragments; the guard keeps an unvalidated document finite.
    if (!fragment || inProgress.has(name)) return NOTHING;
    const fragmentType = conditionType(fragment.typeCondition.name.value, type);
    const key = `${name}\u0000${isConnection(fragmentType) ? page : 0}`;
    let e = memo.get(key);
    if (!e) {
      inProgress.add(name);
      e = walk(fragment.selectionSet, fragmentType, page);
      inProgress.delete(name);
      memo.set(key, e);
    }
    return e;
  };

  const fieldEstimate = (node: FieldNode, parent: GraphQLNamedType, page: number): Estimate => {
    const field: GraphQLField<unknown, unknown> | undefined =
      isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[node.name.value] : undefined;
    const own =
      Number(parent === rootType) +
      Number(field?.name === 'totalCount' && isConnection(parent)) +
      Number((node.arguments ?? []).some((a) => PIN_ARGUMENTS.includes(a.name.value)));
    if (!field || !node.selectionSet) return { cost: 1, depth: 1, statements: own };
    const type = getNamedType(field.type);
    let perParent = 1;
    let childPage = 0;
    const firstArg = field.args.find((a) => a.name === 'first');
    if (firstArg) {
      const given = node.arguments?.find((a) => a.name.value === 'first');
      const value = given ? valueFromAST(given.value, firstArg.type, variables) : undefined;
      childPage = typeof value === 'number' && value >= 0 ? value : DEFAULT_PAGE_SIZE;
    }
    if (isListType(getNullableType(field.type))) perParent = isConnection(parent) ? page : ASSUMED_LIST_LENGTH;
    const below = walk(node.selectionSet, type, childPage);
    return {
      cost: bounded(1 + perParent * below.cost),
      depth: below.depth + 1,
      statements: bounded(own + perParent * below.statements),
    };
  };

  return walk(selectionSet, rootType, 0);
}

/** Relay connections (src/graphql/connection.ts): their list fields are the page that `first` sized. */
function isConnection(type: GraphQLNamedType): boolean {
  return type.name.endsWith('Connection');
}

/**
 * Refuses queries over the limits before they run: QUERY_TOO_COMPLEX for cost and depth,
 * TOO_MANY_STATEMENTS for statements, each with the computed figures.
 */
export function complexityPlugin(limits: ComplexityLimits = DEFAULT_LIMITS): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, request }) {
          if (!operation) return;
          const rootType = operation.operation === 'mutation' ? schema.getMutationType() : schema.getQueryType();
          if (!rootType) return;
          const { cost, depth, statements } = estimateComplexity(
            schema,
            operation.selectionSet,
            rootType,
            fragmentsOf(document),
            request.variables ?? {},
          );
          if (cost > limits.maxCost || depth > limits.maxDepth) {
            throw refusal(
              'QUERY_TOO_COMPLEX',
              `query too complex: cost ${cost} (limit ${limits.maxCost}), depth ${depth} (limit ${limits.maxDepth}); ask for smaller pages or fewer nested relations`,
              { cost, maxCost: limits.maxCost, depth, maxDepth: limits.maxDepth },
            );
          }
          const maxStatements = limits.maxStatements ?? DEFAULT_LIMITS.maxStatements;
          if (maxStatements > 0 && statements > maxStatements) {
            throw refusal(
              'TOO_MANY_STATEMENTS',
              `query needs at least ${statements} SQL statements (limit ${maxStatements}): every root field, totalCount and atPosition/knownAt costs one; ask for fewer at once`,
              { statements, maxStatements },
            );
          }
        },
      };
    },
  };
}
