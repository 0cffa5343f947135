import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Command } from './commands/commands';
import type { CommandHandler } from './commands/handler';

export const SEEDS_DIR = path.resolve(__dirname, '..', 'seeds');

interface SeedFile {
  name: string;
  description?: string;
  commands: Command[];
}

export interface SeedReport {
  files: string[];
  commands: number;
  /** Commands that appended events (0 on a re-run: seeds are idempotent). */
  applied: number;
}

/**
 * Runs every seed file's commands through the normal command path. Each command carries a fixed
 * idempotency key (`seed:<file>:<index>`), so loading seeds again appends nothing.
 */
export async function loadSeeds(commands: CommandHandler, dir = SEEDS_DIR): Promise<SeedReport> {
  const files = (await fs.readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  const report: SeedReport = { files, commands: 0, applied: 0 };
  const correlationId = randomUUID();
  for (const file of files) {
    const seed = JSON.parse(await fs.readFile(path.join(dir, file), 'utf8')) as SeedFile;
    for (const [i, command] of seed.commands.entries()) {
      const result = await commands.execute(command, {
        idempotencyKey: `seed:${seed.name}:${i}`,
        actor: 'seed',
        reason: `seed ${seed.name}`,
        correlationId,
      });
      report.commands += 1;
      if (result.changed && !result.replayed) report.applied += 1;
    }
  }
  return report;
}
