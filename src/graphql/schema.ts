import 'reflect-metadata';
import { printSchema, type GraphQLSchema } from 'graphql';
import { buildSchemaSync } from 'type-graphql';
import { domainErrors } from './errors';
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
import { SubscriptionResolver } from './resolvers/subscriptions';
import { HealthReplicationResolver } from '../replication/health-fields';
import { withMinPositionArgument } from '../replication/read-routing';

let cached: GraphQLSchema | undefined;

const UNUSED_PUBSUB = {
  publish(): void {},
  subscribe(topic: string): AsyncIterable<unknown> {
    throw new Error(`no PubSub topics in Factlog (asked for "${topic}")`);
  },
};

/** The schema is a pure function of the code, so it is built once per process. */
export function buildFactlogSchema(): GraphQLSchema {
  cached ??= withMinPositionArgument(buildSchemaSync({
    resolvers: [
      HealthResolver, SourceResolver, CredibilityResolver, CachedContentResolver, PublicationResolver, PageResolver,
      EntityResolver, PropertyResolver, FactResolver, CitationResolver, RefValueResolver, RefsValueResolver,
      EventsResolver, MutationResolver, ApiKeyResolver, SubscriptionResolver, HealthReplicationResolver,
    ],
    validate: false,
    emitSchemaFile: false,
    globalMiddlewares: [domainErrors],
    // Subscriptions follow the log themselves (`subscribe` in resolvers/subscriptions.ts); type-graphql
    // insists on a PubSub all the same, and this one is never used.
    pubSub: UNUSED_PUBSUB,
  }));
  return cached;
}

/** The SDL checked in as schema.graphql (`npm run schema` writes it; a test fails when it is stale). */
export function printFactlogSchema(): string {
  return `${printSchema(buildFactlogSchema())}\n`;
}
