import type { Database } from '../store/database';
import type { EventStore } from '../store/event-store';

/** What every resolver can reach; one per request. */
export interface GraphQLContext {
  database: Database;
  store: EventStore;
}
