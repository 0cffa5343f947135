import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

export interface Command {
  name: string;
  summary: string;
  /** Usage text shown by `--help`: arguments, options, environment. */
  help: string;
  options: Options;
  allowPositionals?: boolean;
  run(values: Record<string, string | boolean | undefined>, positionals: string[]): Promise<number>;
}

/** A wrong invocation: printed with a hint and exit code 2, never a stack trace. */
export class UsageError extends Error {}

export async function runCommand(command: Command, argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: command.allowPositionals ?? false,
      strict: true,
    });
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\nRun "factlog ${command.name} --help" for usage.`);
  }
  if (parsed.values.help) {
    process.stdout.write(`${command.help.trim()}\n`);
    return 0;
  }
  return command.run(parsed.values as Record<string, string | boolean | undefined>, parsed.positionals);
}
