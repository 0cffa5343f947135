import 'reflect-metadata';
import { isObjectType, printSchema, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import { buildSchemaSync } from 'type-graphql';
import { isRejection, toGraphQLError } from './errors';
import { EntityResolver } from './resolvers/entity';
import { EventsResolver } from './resolvers/events';
import { CitationResolver, FactResolver, RefsValueResolver, RefValueResolver } from './resolvers/fact';
import { HealthResolver } from './resolvers/health';
import { ApiKeyResolver } from './resolvers/keys';
import { MUTATION_RESOLVERS } from './mutations';
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
  cached ??= withMinPositionArgument(convertDomainErrors(buildSchemaSync({
    resolvers: [
      HealthResolver, SourceResolver, CredibilityResolver, CachedContentResolver, PublicationResolver, PageResolver,
      EntityResolver, PropertyResolver, FactResolver, CitationResolver, RefValueResolver, RefsValueResolver,
      EventsResolver, ...MUTATION_RESOLVERS, ApiKeyResolver, SubscriptionResolver, HealthReplicationResolver,
    ],
    validate: false,
    emitSchemaFile: false,
    // No global middlewares: type-graphql would run them, as an async chain, on every plain field of
    // every object too (a page of 20 sources is hundreds of promises). Domain errors are converted by
    // wrapping the resolvers once, below.
    // Subscriptions follow the log themselves (`subscribe` in resolvers/subscriptions.ts); type-graphql
    // insists on a PubSub all the same, and this one is never used.
    pubSub: UNUSED_PUBSUB,
  })));
  return cached;
}

const rethrow = (err: unknown): never => {
  throw isRejection(err) ? toGraphQLError(err) : err;
};

const isThenable = (x: unknown): x is PromiseLike<unknown> =>
  typeof x === 'object' && x !== null && typeof (x as { then?: unknown }).then === 'function';

/**
 * Turns domain rejections into GraphQL errors where resolvers throw them. It must happen there: a
 * DomainError has an array `path` (its input field), which graphql-js would mistake for a response
 * path and so never add the real one, leaving clients unable to tell which field failed. Synchronous
 * results stay synchronous.
 */
function convertDomainErrors(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const resolve = field.resolve;
      if (!resolve) continue;
      const wrapped: GraphQLFieldResolver<unknown, unknown> = (source, args, context, info) => {
        try {
          const result = resolve(source, args, context, info);
          return isThenable(result) ? result.then(undefined, rethrow) : result;
        } catch (err) {
          return rethrow(err);
        }
      };
      field.resolve = wrapped;
    }
  }
  return schema;
}

/** The SDL checked in as schema.graphql (`npm run schema` writes it; a test fails when it is stale). */
export function printFactlogSchema(): string {
  return `${printSchema(buildFactlogSchema())}\n`;
}
