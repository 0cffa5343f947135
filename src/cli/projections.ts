import { DEFAULT_REPLAY_BATCH, rebuildReadModels } from '../projections/rebuild';
import { UsageError, type Command } from './command';
import { progressBar } from './progress';
import { READ_MODEL_NAME_WIDTH } from '../projections/tables';
import { openForCommand } from './open';

export const projectionsCommand: Command = {
  name: 'projections',
  summary: 'rebuild every read model from the log and check it equals the live one',
  help: `
Usage: factlog projections rebuild [--dry-run] [--json] [--batch-size N]

Replays the whole log through the projection code in one transaction (appends wait meanwhile),
then compares a checksum of every read-model table with the one before. Exit code 0 when every
table came out identical, 3 when any differed (the live tables had drifted from the log; without
--dry-run they are now repaired).

Options:
  --dry-run        compare only: roll the rebuild back and keep the live tables
  --json           print the report as JSON
  --batch-size N   events per read from the log (default ${DEFAULT_REPLAY_BATCH})

Environment:
  DATABASE_URL, FACTLOG_DATA_DIR   as for serve
`,
  options: { 'dry-run': { type: 'boolean' }, json: { type: 'boolean' }, 'batch-size': { type: 'string' } },
  allowPositionals: true,
  async run(values, positionals) {
    if (positionals[0] !== 'rebuild' || positionals.length > 1)
      throw new UsageError('usage: factlog projections rebuild [--dry-run] [--json]');
    const batchSize = values['batch-size'] === undefined ? DEFAULT_REPLAY_BATCH : Number(values['batch-size']);
    if (!Number.isInteger(batchSize) || batchSize < 1)
      throw new UsageError(`--batch-size must be a positive integer, got ${String(values['batch-size'])}`);
    const app = await openForCommand();
    const bar = progressBar('replaying');
    try {
      const report = await rebuildReadModels(app.db, {
        batchSize,
        dryRun: Boolean(values['dry-run']),
        onProgress: (d, t) => bar.update(d, t),
      });
      bar.stop();
      if (values.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else {
        process.stdout.write(
          `replayed ${report.events} events in ${report.seconds.toFixed(1)} s (${Math.round(report.events / Math.max(report.seconds, 0.001))} events/s)\n`,
        );
        for (const t of report.tables) {
          process.stdout.write(
            `  ${t.equal ? 'equal    ' : 'DIFFERENT'} ${t.table.padEnd(READ_MODEL_NAME_WIDTH)} ${t.after.rows} rows${t.equal ? '' : ` (live had ${t.before.rows}, checksum ${t.before.checksum.slice(0, 8)} ≠ ${t.after.checksum.slice(0, 8)})`}\n`,
          );
        }
        process.stdout.write(
          report.equal
            ? 'every read model equals the log\n'
            : `read models differed from the log${values['dry-run'] ? ' (dry run: left as they were)' : ' (now rebuilt)'}\n`,
        );
      }
      return report.equal ? 0 : 3;
    } finally {
      bar.stop();
      await app.close();
    }
  },
};
