import type { ApolloServerPlugin } from '@apollo/server';
import type { Basis } from '../projections/queries/basis';
import type { GraphQLContext } from './context';
import { readHead } from './head-reader';

/**
 * Every response says which log position it was computed at (docs/architecture.md, invariant 5), so a
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
        // With read replicas, which database answered: "primary" or "replica <host:port/db>"
        // (readRoutingPlugin, src/replication/read-routing.ts). A single-database gateway has only the primary.
        const node = contextValue.replication?.router.replicaCount ? (contextValue.request.read?.node ?? 'primary') : undefined;
        result.extensions = { ...result.extensions, basis: basisExtension(basis, node) };
      },
    };
  },
};

/** `extensions.basis` as every response carries it, refusals included (src/http/graphql-endpoint.ts). */
export function basisExtension(basis: Basis, node?: string): { position: string; recordedAt: string | null; node?: string } {
  return { position: String(basis.position), recordedAt: basis.recordedAt?.toISOString() ?? null, ...(node ? { node } : {}) };
}
