import type { Command } from './command';
import { openForCommand } from './open';

export const migrateCommand: Command = {
  name: 'migrate',
  summary: 'bring the database schema up to date',
  help: `
Usage: factlog migrate

Applies every migration in migrations/ that the database has not seen yet, then exits.
(serve also does this on start.)

Environment:
  DATABASE_URL       PostgreSQL to migrate; unset: the embedded PGlite in FACTLOG_DATA_DIR
  FACTLOG_DATA_DIR   PGlite data folder (default ./.factlog-data)
`,
  options: {},
  async run() {
    const app = await openForCommand();
    try {
      const { applied, total } = app.migrations;
      process.stdout.write(
        applied.length === 0
          ? `${app.database.description}: up to date (${total} migrations)\n`
          : `${app.database.description}: applied ${applied.join(', ')} (${total} migrations)\n`,
      );
      return 0;
    } finally {
      await app.close();
    }
  },
};
