import 'reflect-metadata';
import { printSchema, type GraphQLSchema } from 'graphql';
import { buildSchemaSync } from 'type-graphql';
import { EntityResolver } from './resolvers/entity';
import { EventsResolver } from './resolvers/events';
import { CitationResolver, FactResolver, RefsValueResolver, RefValueResolver } from './resolvers/fact';
import { HealthResolver } from './resolvers/health';
import { ApiKeyResolver } from './resolvers/keys';
import { MutationResolver } from './resolvers/mutations';
import { PageResolver } from './resolvers/page';
import { PropertyResolver } from './resolvers/property';
import { PublicationResolver } from './resolvers/publication';
import { CachedContentResolver, CredibilityResolver, SourceResolver } from './resolvers/source';

let cached: GraphQLSchema | undefined;

/** The schema is a pure function of the code, so it is built once per process. */
export function buildFactlogSchema(): GraphQLSchema {
  cached ??= buildSchemaSync({
    resolvers: [
      HealthResolver, SourceResolver, CredibilityResolver, CachedContentResolver, PublicationResolver, PageResolver,
      EntityResolver, PropertyResolver, FactResolver, CitationResolver, RefValueResolver, RefsValueResolver,
      EventsResolver, MutationResolver, ApiKeyResolver,
    ],
    validate: false,
    emitSchemaFile: false,
  });
  return cached;
}

/** The SDL checked in as schema.graphql (`npm run schema` writes it; a test fails when it is stale). */
export function printFactlogSchema(): string {
  return `${printSchema(buildFactlogSchema())}\n`;
}
