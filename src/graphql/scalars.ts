import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';
import { DateTimeResolver, JSONResolver } from 'graphql-scalars';
import { parsePartialDate, type PartialDate } from '../domain/partial-date';

export const DateTimeScalar = DateTimeResolver;

/** How deep a JSON input may nest; deeper values would overflow the stack of every recursive reader after this. */
export const MAX_JSON_DEPTH = 100;

/** Nesting depth of a JSON value or literal, counted without recursion (the input may be 100 000 levels deep). */
function depthOf(root: unknown, children: (node: unknown) => unknown[]): number {
  let max = 0;
  const stack: [unknown, number][] = [[root, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    max = Math.max(max, depth);
    if (max > MAX_JSON_DEPTH) return max;
    for (const child of children(node)) stack.push([child, depth + 1]);
  }
  return max;
}

const valueChildren = (v: unknown): unknown[] => (v !== null && typeof v === 'object' ? Object.values(v) : []);
const literalChildren = (n: unknown): unknown[] => {
  const node = n as ValueNode;
  if (node.kind === Kind.LIST) return [...node.values];
  if (node.kind === Kind.OBJECT) return node.fields.map((f) => f.value);
  return [];
};

function tooDeep(): GraphQLError {
  return new GraphQLError(`JSON: nested more than ${MAX_JSON_DEPTH} levels deep`, { extensions: { code: 'BAD_USER_INPUT' } });
}

/** graphql-scalars' JSON with a nesting limit on input. */
export const JSONScalar = new GraphQLScalarType({
  ...JSONResolver.toConfig(),
  parseValue: (value) => {
    if (depthOf(value, valueChildren) > MAX_JSON_DEPTH) throw tooDeep();
    return JSONResolver.parseValue(value);
  },
  parseLiteral: (ast, variables) => {
    if (depthOf(ast, literalChildren) > MAX_JSON_DEPTH) throw tooDeep();
    return JSONResolver.parseLiteral(ast, variables);
  },
});

/** The `attributes` field every kind read from files has (docs/domain.md, Attributes). */
export const ATTRIBUTES_DESCRIPTION =
  'The keys the wiki’s file gives this item that have no typed field (and values a typed field refused), verbatim, by file key. ' +
  'Patched key by key: `set: { attributes: { key: value } }` adds or replaces those keys, `unset: ["attributes.key"]` removes one, `unset: ["attributes"]` all.';

function readPartialDate(value: unknown): PartialDate {
  const parsed = parsePartialDate(value, 'PartialDate');
  if (!parsed.ok) throw new GraphQLError(parsed.error.message, { extensions: { code: 'BAD_USER_INPUT' } });
  return parsed.value;
}

/** `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, echoed with exactly the precision it was given. */
export const PartialDateScalar = new GraphQLScalarType<PartialDate, string>({
  name: 'PartialDate',
  description: 'A date of year, month or day precision: "2025", "2025-05" or "2025-05-22". Never widened or narrowed.',
  serialize: (value) => (typeof value === 'string' ? value : (value as PartialDate).value),
  parseValue: readPartialDate,
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING && ast.kind !== Kind.INT) {
      throw new GraphQLError('PartialDate: expected a string such as "2025-05"', { extensions: { code: 'BAD_USER_INPUT' } });
    }
    return readPartialDate(ast.kind === Kind.INT ? Number(ast.value) : ast.value);
  },
});
