import { promises as fs } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { resolveBasis, type Pins } from '../../projections/queries/basis';
import type { FactlogDb } from '../../projections/tables';
import { loadStoreSnapshot } from '../sync/store-snapshot';
import { CORRELATION_PREFIX } from './index';
import { DATASET_FILES, RECORD_SCHEMAS_DIR } from './read';
import { unmapStore, type DatasetFile, type UnmappedStore } from './unmap';

/**
 * `factlog export longterm-wiki <dir>`: the store at a log position → the wiki's own layout, so that
 * the wiki can edit through the API and still review and publish its YAML through git. Reading
 * happens in one snapshot of the store; files are replaced whole (written beside, then renamed).
 */

export interface ExportOptions extends Pins {
  /** Called after each file written. */
  progress?: (done: number, total: number) => void;
}

export interface ExportReport {
  dir: string;
  position: number;
  recordedAt: string | null;
  counts: UnmappedStore['counts'];
  filesWritten: number;
  /** Files of the layout the export found in the folder but the store no longer has (things of a deleted or renamed entity). */
  filesRemoved: string[];
}

/** The folders whose every YAML file is the store's to write (one file per entity, entity type, record schema, group of entities or sources). */
const OWNED_FOLDERS = [DATASET_FILES.entities, DATASET_FILES.things, DATASET_FILES.resources, DATASET_FILES.schemas, RECORD_SCHEMAS_DIR];

export async function exportLongtermWiki(db: FactlogDb, dir: string, options: ExportOptions = {}): Promise<ExportReport> {
  const absDir = path.resolve(dir);
  // One transaction, so the basis and everything read at it come from the same snapshot of the log.
  const { basis, unmapped } = await db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (trx) => {
      const basis = await resolveBasis(trx, { knownAt: options.knownAt, atPosition: options.atPosition });
      const store = await loadStoreSnapshot(trx, CORRELATION_PREFIX, basis.position);
      return { basis, unmapped: unmapStore(store) };
    });

  const written = new Set<string>();
  let done = 0;
  for (const file of unmapped.files) {
    await writeAtomically(path.join(absDir, file.path), render(file));
    written.add(file.path);
    options.progress?.(++done, unmapped.files.length);
  }
  const filesRemoved: string[] = [];
  for (const folder of OWNED_FOLDERS) {
    const names = await fs.readdir(path.join(absDir, folder)).catch(() => [] as string[]);
    for (const name of names.sort()) {
      const rel = `${folder}/${name}`;
      if (!/\.ya?ml$/.test(name) || written.has(rel)) continue;
      await fs.rm(path.join(absDir, rel));
      filesRemoved.push(rel);
    }
  }
  return {
    dir: absDir,
    position: basis.position,
    recordedAt: basis.recordedAt?.toISOString() ?? null,
    counts: unmapped.counts,
    filesWritten: written.size,
    filesRemoved,
  };
}

/** YAML in the core schema the importer reads with (yaml.ts), so a string such as "2024" stays a string. */
function render(file: DatasetFile): string {
  if (file.format === 'json') return `${JSON.stringify(file.value, null, 2)}\n`;
  return stringify(file.value, { schema: 'core', lineWidth: 0, aliasDuplicateObjects: false });
}

async function writeAtomically(target: string, text: string): Promise<void> {
  await fs.mkdir(path.dirname(target), { recursive: true });
  const temp = `${target}.${process.pid}.tmp`;
  await fs.writeFile(temp, text, 'utf8');
  await fs.rename(temp, target);
}

export function formatExportReport(r: ExportReport): string {
  const c = r.counts;
  const lines = [
    `exported the store at position ${r.position}${r.recordedAt ? ` (recorded ${r.recordedAt})` : ''} to ${r.dir}`,
    `  ${c.publications} publications, ${c.properties} properties, ${c.entities} entities in entities/, ${c.things} things files with ${c.facts} facts and ${c.records} records, ${c.recordSchemas} record schemas, ${c.entityTypes} entity types, ${c.sources} sources in resources/, ${c.pages} pages`,
    `  ${r.filesWritten} files written`,
  ];
  if (r.filesRemoved.length) lines.push(`  ${r.filesRemoved.length} files removed (no longer in the store): ${r.filesRemoved.join(', ')}`);
  return lines.join('\n');
}
