import 'reflect-metadata';
import type { ApolloServerOptions, ApolloServerPlugin } from '@apollo/server';
import { basisPlugin } from './basis-plugin';
import { complexityPlugin, DEFAULT_LIMITS, type ComplexityLimits } from './complexity';
import type { GraphQLContext } from './context';
import { formatError } from './errors';
import { buildFactlogSchema } from './schema';

/** The Apollo configuration every entry point shares (HTTP server, tests), so they cannot drift apart. */
export function gatewayOptions(
  options: { limits?: ComplexityLimits; plugins?: ApolloServerPlugin<GraphQLContext>[]; introspection?: boolean } = {},
): ApolloServerOptions<GraphQLContext> {
  return {
    schema: buildFactlogSchema(),
    introspection: options.introspection ?? true,
    formatError,
    plugins: [...(options.plugins ?? []), complexityPlugin(options.limits ?? DEFAULT_LIMITS), basisPlugin],
  };
}
