import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { buildSchemaSync } from 'type-graphql';
import { HealthResolver } from './resolvers/health';

let cached: GraphQLSchema | undefined;

/** The schema is a pure function of the code, so it is built once per process. */
export function buildFactlogSchema(): GraphQLSchema {
  cached ??= buildSchemaSync({
    resolvers: [HealthResolver],
    validate: false,
  });
  return cached;
}
