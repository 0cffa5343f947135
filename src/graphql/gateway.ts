import 'reflect-metadata';
import type { ApolloServerOptions, ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { GraphQLError, type ValidationRule } from 'graphql';
import { basisPlugin } from './basis-plugin';
import { complexityPlugin, DEFAULT_LIMITS, type ComplexityLimits } from './complexity';
import type { GraphQLContext } from './context';
import { formatError } from './errors';
import { buildFactlogSchema } from './schema';

/**
 * The spec's "operation type existence" check, which graphql-js 16 lacks: without it a `subscription`
 * (this schema has none) passes validation and fails in execution as an internal error.
 */
const KnownOperationTypes: ValidationRule = (context) => ({
  OperationDefinition(node) {
    const schema = context.getSchema();
    const root = node.operation === 'query' ? schema.getQueryType() : node.operation === 'mutation' ? schema.getMutationType() : schema.getSubscriptionType();
    if (!root) context.reportError(new GraphQLError(`this API has no ${node.operation} operations`, { nodes: node }));
  },
});

/** The Apollo configuration every entry point shares (HTTP server, tests), so they cannot drift apart. */
export function gatewayOptions(
  options: { limits?: ComplexityLimits; plugins?: ApolloServerPlugin<GraphQLContext>[]; introspection?: boolean; debugErrors?: boolean } = {},
): ApolloServerOptions<GraphQLContext> {
  return {
    schema: buildFactlogSchema(),
    introspection: options.introspection ?? true,
    // Apollo's own default puts stack traces (with the server's absolute paths) into every error outside
    // NODE_ENV=production; they help a developer at the console and tell an attacker about the host.
    includeStacktraceInErrorResponses: options.debugErrors ?? false,
    formatError,
    validationRules: [KnownOperationTypes],
    // Apollo installs its cache-control plugin unless told not to; it hooks every field's resolution to
    // compute HTTP cache hints, which Factlog never sets (answers are pinned by position instead).
    plugins: [...(options.plugins ?? []), complexityPlugin(options.limits ?? DEFAULT_LIMITS), basisPlugin, ApolloServerPluginCacheControlDisabled()],
  };
}
