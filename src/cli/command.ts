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

/** An option that must be a whole number ≥ 0 (a log position, say). */
export function wholeNumber(raw: unknown, name: string): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0) throw new UsageError(`${name} must be a whole number ≥ 0, got ${String(raw)}`);
  return n;
}

/** `--known-at TIME` or `--<positionOption> N`: the moment of the log a command reads at (neither: the head). */
export function pinOptions(
  values: Record<string, string | boolean | undefined>,
  positionOption: string,
): { knownAt?: Date; atPosition?: number } {
  const knownAt = values['known-at'] === undefined ? undefined : new Date(String(values['known-at']));
  if (knownAt && Number.isNaN(knownAt.getTime()))
    throw new UsageError(`--known-at must be an ISO 8601 instant, got ${String(values['known-at'])}`);
  const atPosition = wholeNumber(values[positionOption], `--${positionOption}`);
  if (knownAt && atPosition !== undefined) throw new UsageError(`give --${positionOption} or --known-at, not both`);
  return { knownAt, atPosition };
}
