import type { Config } from './config';
import { openDatabase, type Database } from './store/database';
import { EventStore } from './store/event-store';
import { migrateToLatest, type MigrationReport } from './store/migrate';
import { CommandHandler } from './commands/handler';
import { inlineProjector } from './projections/project';
import type { FactlogDb } from './projections/tables';

export interface Factlog {
  database: Database;
  store: EventStore;
  /** The same database, typed with the read models too. */
  db: FactlogDb;
  commands: CommandHandler;
  migrations: MigrationReport;
  close(): Promise<void>;
}

/** Opens the configured database, brings its schema up to date and wires the store to it. */
export async function openFactlog(
  config: Pick<Config, 'databaseUrl' | 'dataDir'> & Partial<Pick<Config, 'statementTimeoutMs' | 'poolMax' | 'poolTimeoutMs'>>,
): Promise<Factlog> {
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    statementTimeoutMs: config.statementTimeoutMs,
    maxConnections: config.poolMax,
    connectionTimeoutMs: config.poolTimeoutMs,
  });
  try {
    const migrations = await migrateToLatest(database.db);
    return { ...factlogOver(database), migrations, close: () => database.close() };
  } catch (err) {
    await database.close().catch(() => undefined);
    throw err;
  }
}

/**
 * Factlog over an open database: the store with its inline projections, and the command handler over
 * both. Migrating and closing the database are the caller's (openFactlog does both).
 */
export function factlogOver(database: Database): Pick<Factlog, 'database' | 'store' | 'db' | 'commands'> {
  const store = new EventStore(database, { projectors: [inlineProjector] });
  // The same Kysely instance, seen with the read-model tables as well.
  const db = database.db as unknown as FactlogDb;
  return { database, store, db, commands: new CommandHandler(store, db) };
}
