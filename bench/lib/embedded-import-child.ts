/**
 * One embedded store's life in a process of its own, so its peak RSS is the import's alone
 * (bench/import.ts, --memory): `open` opens a PGlite folder (creating it when missing) and migrates
 * it; `import` does the same, then imports the data set into it. Prints one JSON line.
 *
 *   node dist-bench/bench/lib/embedded-import-child.js <open|import> <folder> <dataset dir>
 */
import { factlogOver } from '../../src/app';
import { importLongtermWiki } from '../../src/importers/longterm-wiki';
import { openPglite } from '../../src/store/database';
import { migrateToLatest } from '../../src/store/migrate';

export interface EmbeddedRun {
  mode: 'open' | 'import';
  events: number;
  seconds: number;
  peakRssMb: number;
}

async function main(mode: string, folder: string, dataset: string): Promise<EmbeddedRun> {
  if (mode !== 'open' && mode !== 'import') throw new Error(`mode must be open or import, got ${JSON.stringify(mode)}`);
  const started = performance.now();
  const database = await openPglite({ dataDir: folder });
  let events = 0;
  try {
    await migrateToLatest(database.db);
    if (mode === 'import') events = (await importLongtermWiki(factlogOver(database), dataset, { reason: 'benchmark' })).eventsAppended;
  } finally {
    await database.close();
  }
  return { mode, events, seconds: (performance.now() - started) / 1000, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1000) };
}

const [mode, folder, dataset] = process.argv.slice(2);
main(mode, folder, dataset).then(
  (run) => process.stdout.write(`${JSON.stringify(run)}\n`),
  (err: unknown) => {
    process.stderr.write(`embedded-import-child: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
