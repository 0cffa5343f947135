#!/usr/bin/env node
import 'reflect-metadata';
import { auditCommand } from './cli/audit';
import { runCommand, UsageError, type Command } from './cli/command';
import { exportCommand } from './cli/export';
import { importCommand } from './cli/import';
import { keysCommand } from './cli/keys';
import { migrateCommand } from './cli/migrate';
import { projectionsCommand } from './cli/projections';
import { schemaCommand } from './cli/schema';
import { seedCommand } from './cli/seed';
import { serveCommand } from './cli/serve';

const commands: Command[] = [
  serveCommand,
  migrateCommand,
  seedCommand,
  schemaCommand,
  keysCommand,
  projectionsCommand,
  auditCommand,
  importCommand,
  exportCommand,
];

function usage(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'Usage: factlog <command> [options]',
    '',
    'Factlog: a GraphQL gateway over an event-sourced, bitemporal fact store.',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run "factlog <command> --help" for the options of a command.',
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${usage()}\n`);
    return name ? 0 : 2;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) throw new UsageError(`unknown command "${name}"\n\n${usage()}`);
  return runCommand(command, rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError) {
      process.stderr.write(`factlog: ${err.message}\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`factlog: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    }
  },
);
