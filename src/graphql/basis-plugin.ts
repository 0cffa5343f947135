import type { ApolloServerPlugin } from '@apollo/server';
import { readHead, type GraphQLContext } from './context';

/**
 * Every response says which log position it was computed at (ARCHITECTURE.md invariant 5), so a
 * client can repeat the exact read later with `atPosition`, and which database node answered.
 */
export const basisPlugin: ApolloServerPlugin<GraphQLContext> = {
  async requestDidStart() {
    return {
      async willSendResponse({ response, contextValue }) {
        if (response.body.kind !== 'single') return;
        const basis = contextValue.request.basis ?? (await readHead(contextValue.db).catch(() => null));
        if (!basis) return;
        const result = response.body.singleResult;
        result.extensions = {
          ...result.extensions,
          basis: {
            position: String(basis.position),
            recordedAt: basis.recordedAt?.toISOString() ?? null,
            // With read replicas, which database answered: "primary" or "replica <host:port/db>"
            // (src/replication/read-routing.ts). A single-database gateway has only the primary.
            ...(contextValue.replication?.router.replicaCount ? { node: contextValue.request.read?.node ?? 'primary' } : {}),
          },
        };
      },
    };
  },
};
