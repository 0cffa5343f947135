import { parseArgs } from 'node:util';

export const DEFAULT_DATABASE_URL = 'postgres://root@127.0.0.1:5432/test';

export interface BenchOptions {
  /** Measured events per scenario and per side. */
  events: number;
  /** Unmeasured events per scenario and side, written first so that connections, plans and caches are warm. */
  warmup: number;
  pglite: boolean;
  json: boolean;
  databaseUrl: string;
}

export type ParsedCommandLine = { kind: 'run'; options: BenchOptions } | { kind: 'help' };

/** A mistake on the command line: the caller prints it with a pointer to --help and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const USAGE = `Usage: npm run bench:append -- [options]
       node dist-bench/bench/append.js [options]

Measures EventStore.append throughput and per-transaction latency next to a plain INSERT baseline
on the same database, in three scenarios:
  1 writer  × 1 event/tx      EventStore.append, expectedVersion = the writer's known version
  8 writers × 1 event/tx      each writer on its own stream, all at once
  1 writer  × 100 events/tx   one append of 100 events (baseline: one 100-row INSERT)

Options:
  --events <n>   measured events per scenario and side (default 4000)
  --warmup <n>   unmeasured warm-up events per scenario and side (default 200)
  --pglite       run both sides on an in-memory PGlite instead of PostgreSQL (DATABASE_URL is ignored)
  --json         print the results as JSON instead of a table
  -h, --help     print this help and exit

Environment:
  DATABASE_URL   the PostgreSQL to measure (default ${DEFAULT_DATABASE_URL}).
                 A fresh schema bench_<random> is created, migrated, and dropped at the end
                 (also on error and on Ctrl-C).

Progress goes to stderr, results to stdout.
`;

/** Parses argv (without node and the script) into options, or throws a UsageError. */
export function parseCommandLine(args: readonly string[], env: NodeJS.ProcessEnv): ParsedCommandLine {
  const { values } = parseStrict(args);
  if (values.help) return { kind: 'help' };
  return {
    kind: 'run',
    options: {
      events: positiveInteger('--events', values.events ?? '4000', 1),
      warmup: positiveInteger('--warmup', values.warmup ?? '200', 0),
      pglite: values.pglite ?? false,
      json: values.json ?? false,
      databaseUrl: env.DATABASE_URL || DEFAULT_DATABASE_URL,
    },
  };
}

function parseStrict(args: readonly string[]) {
  try {
    return parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: false,
      options: {
        events: { type: 'string' },
        warmup: { type: 'string' },
        pglite: { type: 'boolean' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    if (isParseArgsError(err)) throw new UsageError(firstSentence(err.message));
    throw err;
  }
}

function isParseArgsError(err: unknown): err is Error & { code: string } {
  return err instanceof Error && 'code' in err && typeof err.code === 'string' && err.code.startsWith('ERR_PARSE_ARGS');
}

/** Node appends advice about `--` to unknown-option errors, which only confuses a benchmark user. */
function firstSentence(message: string): string {
  const end = message.indexOf('. ');
  return end === -1 ? message : message.slice(0, end + 1);
}

function positiveInteger(option: string, raw: string, min: number): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n) || n < min) {
    throw new UsageError(`${option} must be an integer ≥ ${min}, got ${JSON.stringify(raw)}`);
  }
  return n;
}
