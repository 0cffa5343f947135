import { ApolloServer } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { gatewayOptions } from '../../src/api-schema';
import { AccessError } from '../../src/auth/errors';
import { ANONYMOUS } from '../../src/auth/keys';
import { DomainError } from '../../src/domain/errors';
import { createContext, type GraphQLContext } from '../../src/graphql/context';
import { formatError, HTTP_STATUS, toGraphQLError, type ErrorCode } from '../../src/graphql/errors';
import { sendError } from '../../src/http/errors';
import { createLogger } from '../../src/observability/logger';
import { requestRecordPlugin } from '../../src/observability/request';
import { callerError, ConcurrencyError, inputError, StoreError } from '../../src/store/errors';
import { createTestFactlog, type TestFactlog } from '../support/factlog';

// One vocabulary of errors (docs/architecture.md, "Errors"): each layer raises its own, the GraphQL
// layer maps them, and one table gives every code its HTTP status.

/** formatError as Apollo calls it: the error as thrown inside a resolver, wrapped by graphql-js. */
const format = (thrown: unknown, log?: { error: jest.Mock }) =>
  formatError(
    { message: String((thrown as Error).message), extensions: { code: 'INTERNAL_SERVER_ERROR' } },
    new GraphQLError('x', { originalError: thrown as Error }),
    log,
  );

it('gives every code one HTTP status', () => {
  const expected: Record<ErrorCode, number> = {
    BAD_USER_INPUT: 400,
    BAD_REQUEST: 400,
    GRAPHQL_PARSE_FAILED: 400,
    GRAPHQL_VALIDATION_FAILED: 400,
    QUERY_TOO_COMPLEX: 400,
    TOO_MANY_STATEMENTS: 400,
    UNAUTHENTICATED: 401,
    FORBIDDEN: 403,
    NOT_FOUND: 404,
    CONFLICT: 409,
    PAYLOAD_TOO_LARGE: 413,
    RATE_LIMITED: 429,
    INTERNAL_SERVER_ERROR: 500,
    SERVICE_UNAVAILABLE: 503,
  };
  expect(HTTP_STATUS).toEqual(expected);
});

it('answers the HTTP layer’s own errors with the status of their code', () => {
  const sent = (code: ErrorCode, status?: number) => {
    const res = {
      statusCode: 0,
      headers: {} as Record<string, unknown>,
      body: '',
      setHeader(k: string, v: unknown) {
        this.headers[k] = v;
      },
      end(b: string) {
        this.body = b;
      },
    };
    sendError(res as never, code, 'nope', status);
    return { status: res.statusCode, body: JSON.parse(res.body) };
  };
  expect(sent('RATE_LIMITED')).toEqual({ status: 429, body: { errors: [{ message: 'nope', extensions: { code: 'RATE_LIMITED' } }] } });
  expect(sent('PAYLOAD_TOO_LARGE').status).toBe(413);
  expect(sent('NOT_FOUND').status).toBe(404);
  // A failure that brought its own status (body-parser's 415, say) keeps it.
  expect(sent('BAD_REQUEST', 415).status).toBe(415);
});

it('answers a store refusal of our own call as an internal error, logged, without its message', () => {
  const log = { error: jest.fn() };
  const fault = callerError('an append needs at least one event', ['events']);
  expect(fault).toBeInstanceOf(DomainError);
  expect(fault).toBeInstanceOf(StoreError);
  expect(fault.code).toBe('BAD_USER_INPUT');
  const formatted = format(fault, log);
  expect(formatted).toMatchObject({ message: 'internal error', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
  expect(JSON.stringify(formatted)).not.toContain('at least one event');
  expect(log.error).toHaveBeenCalledTimes(1);
  expect(log.error.mock.calls[0][0]).toEqual({ err: fault });
});

it('answers a store refusal of what the client sent with its code, and logs nothing', () => {
  const log = { error: jest.fn() };
  const formatted = format(inputError('idempotency key "k" was already used for a different request', ['idempotencyKey']), log);
  expect(formatted).toMatchObject({
    message: expect.stringMatching(/already used/),
    extensions: { code: 'BAD_USER_INPUT', field: 'idempotencyKey' },
  });
  expect(log.error).not.toHaveBeenCalled();
});

it('answers a ConcurrencyError as CONFLICT (409) with both versions', () => {
  const conflict = new ConcurrencyError('fact-f_1', 3, 4);
  expect(conflict).toBeInstanceOf(DomainError);
  expect(conflict.code).toBe('CONFLICT');
  expect(HTTP_STATUS[conflict.code]).toBe(409);
  expect(format(conflict)).toMatchObject({
    message: 'stream "fact-f_1" is at version 4, not at the expected 3',
    extensions: { code: 'CONFLICT', field: 'expectedVersion', stream: 'fact-f_1', expectedVersion: 3, actualVersion: 4 },
  });
});

it('answers an AccessError as UNAUTHENTICATED (401) or FORBIDDEN (403)', () => {
  for (const [code, status] of [
    ['UNAUTHENTICATED', 401],
    ['FORBIDDEN', 403],
  ] as const) {
    const error = toGraphQLError(new AccessError(code, `refused: ${code}`));
    expect(error.message).toBe(`refused: ${code}`);
    expect(error.extensions).toEqual({ code, http: { status } });
    // The status goes to the HTTP response, not into the error the client reads.
    expect(format(new AccessError(code, 'no'))).toEqual({ message: 'no', extensions: { code } });
  }
});

describe('over GraphQL', () => {
  let app: TestFactlog;
  let server: ApolloServer<GraphQLContext>;
  const lines: Record<string, unknown>[] = [];
  beforeAll(async () => {
    app = await createTestFactlog();
    const logger = createLogger({ destination: { write: (line: string) => void lines.push(JSON.parse(line)) } });
    server = new ApolloServer<GraphQLContext>(gatewayOptions({ plugins: [requestRecordPlugin(logger)] }));
    await server.start();
  });
  afterAll(async () => {
    await server.stop();
    await app.dispose();
  });

  const ASSERT = 'mutation { assertFact(input: { entity: "acme", property: "p", value: 1 }) { position } }';
  const run = async (context: GraphQLContext) => {
    const res = await server.executeOperation({ query: ASSERT }, { contextValue: context });
    if (res.body.kind !== 'single') throw new Error('expected a single result');
    return { status: res.http.status, errors: res.body.singleResult.errors ?? [] };
  };

  it('refuses an anonymous write with 401 and a key without the role with 403', async () => {
    const anonymous = await run(createContext(app, ANONYMOUS));
    expect({ status: anonymous.status, code: anonymous.errors[0].extensions?.code }).toEqual({ status: 401, code: 'UNAUTHENTICATED' });
    const forbidden = await server.executeOperation(
      { query: '{ apiKeys { name } }' },
      { contextValue: createContext(app, { name: 'alice', role: 'editor' }) },
    );
    expect(forbidden.http.status).toBe(403);
  });

  it('answers a caller fault from a resolver as an internal error, logged once', async () => {
    const context = createContext(app, { name: 'tester', role: 'editor' });
    const fault = callerError('events[0].type must be a PascalCase name, got "oops"', ['events', '0', 'type']);
    context.commands = {
      execute: async () => {
        throw fault;
      },
    } as never;
    lines.length = 0;
    const { errors } = await run(context);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ message: 'internal error', extensions: { code: 'INTERNAL_SERVER_ERROR' }, path: ['assertFact'] });
    const logged = lines.filter((l) => l.level === 'error');
    expect(logged).toHaveLength(1);
    expect(JSON.stringify(logged[0])).toContain('PascalCase');
  });
});
