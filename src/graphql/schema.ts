import 'reflect-metadata';
import { isObjectType, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import { buildSchemaSync, type ClassType, type NonEmptyArray } from 'type-graphql';
import { fromResolver } from './errors';
import { EntityResolver } from './resolvers/entity';
import { EntityCompletenessResolver, EntityTypeResolver } from './resolvers/entity-type';
import { EventsResolver } from './resolvers/events';
import { EntityExplainResolver, ValueCandidateResolver } from './resolvers/explain';
import { CitationResolver, FactResolver, RefsValueResolver, RefValueResolver } from './resolvers/fact';
import { EntityRecordFreshnessResolver, FactFreshnessResolver, PageFreshnessResolver, StaleResolver } from './resolvers/freshness';
import { HealthResolver } from './resolvers/health';
import { ApiKeyResolver } from './resolvers/keys';
import { MUTATION_RESOLVERS } from './mutations';
import { PageResolver } from './resolvers/page';
import { PropertyResolver } from './resolvers/property';
import {
  EntityRecordsResolver,
  RecordEndpointResolver,
  RecordFieldResolver,
  RecordResolver,
  RecordSchemaResolver,
} from './resolvers/record';
import { PublicationResolver } from './resolvers/publication';
import { CachedContentResolver, CredibilityResolver, SourceResolver } from './resolvers/source';
import { SourceImpactResolver } from './resolvers/impact';
import { SearchResolver } from './resolvers/search';
import { SubscriptionResolver } from './resolvers/subscriptions';
import {
  EntityVerificationResolver,
  EvidenceResolver,
  FactVerificationResolver,
  RecordVerificationResolver,
} from './resolvers/verification';

const UNUSED_PUBSUB = {
  publish(): void {},
  subscribe(topic: string): AsyncIterable<unknown> {
    throw new Error(`no PubSub topics in Factlog (asked for "${topic}")`);
  },
};

/** What the entry point adds to the API (src/api-schema.ts): the host's fields and arguments. */
export interface SchemaExtensions {
  /** More type-graphql resolver classes, after the API's own (field resolvers on its types, say). */
  resolvers?: readonly ClassType[];
  /** Changes to the built schema, in order (an argument the host acts on before any resolver runs). */
  transforms?: readonly ((schema: GraphQLSchema) => GraphQLSchema)[];
}

/** The API's schema with the host's extensions; a pure function of the code, so callers build it once. */
export function buildGraphQLSchema(extensions: SchemaExtensions = {}): GraphQLSchema {
  const resolvers: NonEmptyArray<ClassType> = [
    HealthResolver,
    SourceResolver,
    CredibilityResolver,
    CachedContentResolver,
    SourceImpactResolver,
    PublicationResolver,
    PageResolver,
    EntityResolver,
    EntityTypeResolver,
    EntityCompletenessResolver,
    EntityExplainResolver,
    ValueCandidateResolver,
    PropertyResolver,
    FactResolver,
    CitationResolver,
    FactFreshnessResolver,
    FactVerificationResolver,
    EvidenceResolver,
    RecordVerificationResolver,
    EntityVerificationResolver,
    PageFreshnessResolver,
    StaleResolver,
    EntityRecordFreshnessResolver,
    RefValueResolver,
    RefsValueResolver,
    RecordSchemaResolver,
    EntityRecordsResolver,
    RecordResolver,
    RecordEndpointResolver,
    RecordFieldResolver,
    EventsResolver,
    ...MUTATION_RESOLVERS,
    ApiKeyResolver,
    SubscriptionResolver,
    SearchResolver,
    ...(extensions.resolvers ?? []),
  ];
  const schema = convertDomainErrors(
    buildSchemaSync({
      resolvers,
      validate: false,
      emitSchemaFile: false,
      // No global middlewares: type-graphql would run them, as an async chain, on every plain field of
      // every object too (a page of 20 sources is hundreds of promises). Domain errors are converted by
      // wrapping the resolvers once, below.
      // Subscriptions follow the log themselves (`subscribe` in resolvers/subscriptions.ts); type-graphql
      // insists on a PubSub all the same, and this one is never used.
      pubSub: UNUSED_PUBSUB,
    }),
  );
  return (extensions.transforms ?? []).reduce((built, transform) => transform(built), schema);
}

const rethrow = (err: unknown): never => {
  throw fromResolver(err);
};

const isThenable = (x: unknown): x is PromiseLike<unknown> =>
  typeof x === 'object' && x !== null && typeof (x as { then?: unknown }).then === 'function';

/**
 * Turns rejections (domain, store, access) into GraphQL errors where resolvers throw them, and a store's
 * caller fault into a plain error (`fromResolver`). It must happen there: a DomainError has an array
 * `path` (its input field), which graphql-js would mistake for a response path and so never add the
 * real one, leaving clients unable to tell which field failed. Synchronous results stay synchronous.
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
