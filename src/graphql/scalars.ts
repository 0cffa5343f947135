import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { DateTimeResolver, JSONResolver } from 'graphql-scalars';
import { parsePartialDate, type PartialDate } from '../domain/partial-date';

export const DateTimeScalar = DateTimeResolver;
export const JSONScalar = JSONResolver;

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
