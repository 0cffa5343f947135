import { factlogOver } from '../../src/app';
import { createTestDatabase, type TestDatabase } from './test-database';

/** A migrated test database with the store, projections and command handler wired as in production. */
export async function createTestFactlog(options: { maxConnections?: number } = {}) {
  const database: TestDatabase = await createTestDatabase(options);
  return { ...factlogOver(database), dispose: () => database.dispose() };
}
export type TestFactlog = Awaited<ReturnType<typeof createTestFactlog>>;
