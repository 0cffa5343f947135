import { ApolloServer } from '@apollo/server';
import type { Principal } from '../../src/auth/keys';
import { createContext, type GraphQLContext } from '../../src/graphql/context';
import { gatewayOptions } from '../../src/api-schema';
import { loadSeeds } from '../../src/seed';
import { createTestFactlog, type TestFactlog } from './factlog';

export interface GqlResult<T = Record<string, unknown>> {
  data?: T | null;
  errors?: { message: string; extensions?: Record<string, unknown>; path?: (string | number)[] }[];
  extensions?: { basis?: { position: string; recordedAt: string | null } };
}

export const TESTER: Principal = { name: 'tester', role: 'editor' };

/** The GraphQL layer over a test database, executed in process (same schema, context and plugins as HTTP). */
export async function createTestGateway() {
  const app: TestFactlog = await createTestFactlog();
  const server = new ApolloServer<GraphQLContext>(gatewayOptions());
  await server.start();
  /** Runs as an editor named "tester" unless told otherwise (HTTP auth has its own tests). */
  const gql = async <T = any>(query: string, variables?: Record<string, unknown>, principal: Principal = TESTER): Promise<GqlResult<T>> => {
    const res = await server.executeOperation({ query, variables }, { contextValue: createContext(app, principal) });
    if (res.body.kind !== 'single') throw new Error('incremental delivery is not expected here');
    return res.body.singleResult as GqlResult<T>;
  };
  /** Runs a query and says how many SQL statements it cost. */
  const counted = async <T = any>(query: string, variables?: Record<string, unknown>) => {
    const before = app.database.stats.queries;
    const result = await gql<T>(query, variables);
    return { result, statements: app.database.stats.queries - before };
  };
  return {
    app,
    gql,
    counted,
    dispose: async () => {
      await server.stop();
      await app.dispose();
    },
  };
}
export type TestGateway = Awaited<ReturnType<typeof createTestGateway>>;

/** A gateway over a store with the example seeds loaded. */
export async function createSeededGateway(): Promise<TestGateway> {
  const g = await createTestGateway();
  await loadSeeds(g.app.commands);
  return g;
}
