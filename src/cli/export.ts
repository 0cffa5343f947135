import { promises as fs } from 'node:fs';
import path from 'node:path';
import { readConfig } from '../config';
import { DomainError } from '../domain/errors';
import { exportLongtermWiki, formatExportReport } from '../importers/longterm-wiki/export';
import { pinOptions, UsageError, type Command } from './command';
import { progressBar } from './progress';
import { openForCommand } from './open';

const HELP = `
Usage: factlog export longterm-wiki <dir> [--at-position N | --known-at TIME] [--json] [--quiet]

Writes the store in the Longterm Wiki's own layout into <dir>: publications.yaml, properties.yaml,
entities/*.yaml, things/<slug>.yaml (an entity's header, its facts and its records),
schemas/records/*.yaml (record schemas), resources/*.yaml with resources-snapshot.json (sources;
cited_by lists the pages citing them) and pages.yaml. Each item
goes into the file it came from; one the store got elsewhere (through the API) goes into the file
that holds most of its type, or into things/<slug>.yaml for an entity.

Importing the export into the store it came from appends nothing: it is the store's own state.
With --at-position or --known-at it is the store as it was then (with the edit history imported,
the things/ files of a commit at that commit's position).

<dir> is created when missing. Files of the layout are replaced whole (written beside, then
renamed, so a reader never sees half a file); the YAML files in entities/, things/, resources/ and schemas/records/
that the store no longer has (a deleted or renamed entity's things file) are removed, and the
report names them. Nothing else in <dir> is touched: export into a git checkout of the wiki and
review the change with git diff.

Options:
  --at-position N   the store as it was at log position N (at most the head)
  --known-at TIME   the store as it was known at TIME (ISO 8601)
  --json            print the report as JSON
  --quiet           no progress bar (it is shown only on a terminal, never when CI is set)

Exit status: 0 done; 1 the export failed; 2 usage error (including a position past the head).

Environment:
  DATABASE_URL, FACTLOG_DATA_DIR   as for serve
`;

export const exportCommand: Command = {
  name: 'export',
  summary: "write the store in a knowledge base's own file layout (factlog export longterm-wiki <dir>)",
  help: HELP,
  allowPositionals: true,
  options: {
    'at-position': { type: 'string' },
    'known-at': { type: 'string' },
    json: { type: 'boolean' },
    quiet: { type: 'boolean' },
  },
  async run(values, positionals) {
    const [format, dir, ...extra] = positionals;
    if (format !== 'longterm-wiki') {
      throw new UsageError(
        format ? `unknown format "${format}"; known: longterm-wiki` : 'say what to export: factlog export longterm-wiki <dir>',
      );
    }
    if (!dir) throw new UsageError('give the folder to write: factlog export longterm-wiki <dir>');
    if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`);
    const pins = pinOptions(values, 'at-position');
    const stat = await fs.stat(dir).catch(() => null);
    if (stat && !stat.isDirectory()) throw new UsageError(`"${dir}" exists and is not a folder`);
    const config = readConfig();
    // The embedded database's folder is the database's alone: files written there could be taken for its own.
    if (!config.databaseUrl && isInside(path.resolve(dir), path.resolve(config.dataDir))) {
      throw new UsageError(`"${dir}" is inside the embedded database's folder (${config.dataDir}); export somewhere else`);
    }
    const app = await openForCommand(config);
    const bar = values.quiet ? { update: () => undefined, stop: () => undefined } : progressBar('exporting');
    try {
      const report = await exportLongtermWiki(app.db, dir, { ...pins, progress: (done, total) => bar.update(done, total) });
      bar.stop();
      process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatExportReport(report)}\n`);
      return 0;
    } catch (err) {
      bar.stop();
      if (err instanceof DomainError && err.code === 'BAD_USER_INPUT') throw new UsageError(`${err.code}: ${err.message}`);
      throw err;
    } finally {
      await app.close();
    }
  },
};

const isInside = (child: string, parent: string): boolean => {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
};
