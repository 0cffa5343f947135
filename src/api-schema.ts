import 'reflect-metadata';
import type { ApolloServerOptions } from '@apollo/server';
import { printSchema, type GraphQLSchema } from 'graphql';
import type { GraphQLContext } from './graphql/context';
import { apolloOptions, type ApolloSettings } from './graphql/gateway';
import { buildGraphQLSchema } from './graphql/schema';
import { HealthReplicationResolver } from './replication/health-fields';
import { withMinPositionArgument } from './replication/read-routing';

// The API as the gateway serves it: the GraphQL layer's schema with what replication adds to it
// (`health { leader node }`, the `minPosition` argument). An entry point, so that graphql/ needs no
// import of replication/.

let cached: GraphQLSchema | undefined;

/** The schema is a pure function of the code, so it is built once per process. */
export function buildFactlogSchema(): GraphQLSchema {
  cached ??= buildGraphQLSchema({ resolvers: [HealthReplicationResolver], transforms: [withMinPositionArgument] });
  return cached;
}

/** The Apollo configuration every entry point shares (HTTP server, tests), so they cannot drift apart. */
export function gatewayOptions(options: ApolloSettings = {}): ApolloServerOptions<GraphQLContext> {
  return apolloOptions(buildFactlogSchema(), options);
}

/** The SDL checked in as schema.graphql (`npm run schema` writes it; a test fails when it is stale). */
export function printFactlogSchema(): string {
  return `${printSchema(buildFactlogSchema())}\n`;
}
