import type { Config } from './config';
import { openDatabase, type Database } from './store/database';
import { EventStore } from './store/event-store';
import { migrateToLatest, type MigrationReport } from './store/migrate';

export interface Factlog {
  database: Database;
  store: EventStore;
  migrations: MigrationReport;
  close(): Promise<void>;
}

/** Opens the configured database, brings its schema up to date and wires the store to it. */
export async function openFactlog(config: Pick<Config, 'databaseUrl' | 'dataDir'>): Promise<Factlog> {
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    const migrations = await migrateToLatest(database.db);
    const store = new EventStore(database);
    return { database, store, migrations, close: () => database.close() };
  } catch (err) {
    await database.close().catch(() => undefined);
    throw err;
  }
}
