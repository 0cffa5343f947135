import 'reflect-metadata';
import type { ApolloServerOptions, ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { GraphQLError, type GraphQLSchema, type ValidationRule } from 'graphql';
import { basisPlugin } from './basis-plugin';
import { complexityPlugin, DEFAULT_LIMITS, type ComplexityLimits } from './complexity';
import type { GraphQLContext } from './context';
import { errorFormatter } from './errors';

/**
 * The spec's "operation type existence" check, which graphql-js 16 lacks, and more: subscriptions are
 * in the schema but served only over WebSocket (src/replication/websocket.ts). Apollo would execute
 * one sent by POST and fail with a TypeError, an internal error, instead of telling the client where to go.
 */
const KnownOperationTypes: ValidationRule = (context) => ({
  OperationDefinition(node) {
    const schema = context.getSchema();
    if (node.operation === 'subscription') {
      context.reportError(
        new GraphQLError('subscriptions are served over WebSocket (the graphql-ws protocol, on this same /graphql path), not over HTTP', {
          nodes: node,
        }),
      );
      return;
    }
    const root = node.operation === 'query' ? schema.getQueryType() : schema.getMutationType();
    if (!root) context.reportError(new GraphQLError(`this API has no ${node.operation} operations`, { nodes: node }));
  },
});

export interface ApolloSettings {
  limits?: ComplexityLimits;
  plugins?: ApolloServerPlugin<GraphQLContext>[];
  introspection?: boolean;
  debugErrors?: boolean;
}

/** The Apollo configuration for a schema (src/api-schema.ts gives every entry point the same one). */
export function apolloOptions(schema: GraphQLSchema, options: ApolloSettings = {}): ApolloServerOptions<GraphQLContext> {
  return {
    schema,
    introspection: options.introspection ?? true,
    // Internal errors are logged by requestRecordPlugin (src/observability/request.ts), under the request's id.
    formatError: errorFormatter({ introspection: options.introspection }),
    // Apollo's own default puts stack traces (with the server's absolute paths) into every error outside
    // NODE_ENV=production; they help a developer at the console and tell an attacker about the host.
    includeStacktraceInErrorResponses: options.debugErrors ?? false,
    validationRules: [KnownOperationTypes],
    parseOptions: { maxTokens: options.limits?.maxTokens ?? DEFAULT_LIMITS.maxTokens },
    // Apollo installs its cache-control plugin unless told not to; it hooks every field's resolution to
    // compute HTTP cache hints, which Factlog never sets (answers are pinned by position instead).
    plugins: [
      ...(options.plugins ?? []),
      complexityPlugin(options.limits ?? DEFAULT_LIMITS),
      basisPlugin,
      ApolloServerPluginCacheControlDisabled(),
    ],
  };
}
