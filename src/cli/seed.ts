import { loadSeeds, SEEDS_DIR } from '../seed';
import type { Command } from './command';
import { openForCommand } from './open';

export const seedCommand: Command = {
  name: 'seed',
  summary: 'load the example knowledge (seeds/) into the store; safe to repeat',
  help: `
Usage: factlog seed [--dir DIR]

Runs the commands in every seeds/*.json file through the normal command path. Each carries a fixed
idempotency key, so running it again appends nothing. It works on any store, including the one
DATABASE_URL names (serve never seeds a DATABASE_URL store by itself).

Options:
  --dir DIR   folder of seed files (default: ${SEEDS_DIR})

Environment:
  DATABASE_URL, FACTLOG_DATA_DIR   as for serve
`,
  options: { dir: { type: 'string' } },
  async run(values) {
    const app = await openForCommand();
    try {
      const report = await loadSeeds(app.commands, typeof values.dir === 'string' ? values.dir : undefined);
      process.stdout.write(
        `${app.database.description}: ${report.commands} seed commands from ${report.files.join(', ')}; ${report.applied} applied, ${report.commands - report.applied} already there\n`,
      );
      return 0;
    } finally {
      await app.close();
    }
  },
};
