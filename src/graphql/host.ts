import type { StoredEvent } from '../store/event-store';

// What the GraphQL layer needs from the process that hosts it. The entry point hands it in
// (src/server.ts passes the gateway's replication, src/replication/runtime.ts, which implements these);
// graphql/ never imports the host's own code.

/** Keeps the events a follower wants out of a batch (may ask the database, hence async). */
export type EventFilter = (events: StoredEvent[]) => Promise<StoredEvent[]> | StoredEvent[];

/** The log as a live stream, behind subscriptions: the events after a position, then each new one. */
export interface LiveEvents {
  follow(afterPosition: number | undefined, filter?: EventFilter): Promise<AsyncIterableIterator<StoredEvent>>;
}

/** The gateway's place in a deployment of many (docs/deployment.md). */
export interface GatewayHost {
  /** True while this gateway holds the leader lock (and runs the once-only jobs). */
  readonly isLeader: boolean;
  /** How many read replicas this gateway may send queries to (0: the primary answers everything). */
  readonly router: { readonly replicaCount: number };
  /** Followers of the shared log, for subscriptions. */
  readonly live: LiveEvents;
}
