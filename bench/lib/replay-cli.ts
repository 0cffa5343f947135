import { parseArgs } from 'node:util';
import { DEFAULT_DATABASE_URL, UsageError } from './cli';

export interface ReplayBenchOptions {
  /** Events in the generated log. */
  events: number;
  entities: number;
  sources: number;
  /** Replay only up to this position (0: skip the replay); default: the whole log. */
  replayEvents: number | undefined;
  /** Rows per INSERT when writing the log. */
  insertBatch: number;
  /** Events per read in verify and replay. */
  readBatch: number;
  seed: number;
  pglite: boolean;
  json: boolean;
  databaseUrl: string;
}

export type ParsedReplayCommandLine = { kind: 'run'; options: ReplayBenchOptions } | { kind: 'help' };

export const REPLAY_USAGE = `Usage: npm run bench:replay -- [options]
       node dist-bench/bench/replay.js [options]

Generates a log of realistic Factlog events (properties, entities, sources, pages, then mostly
FactAsserted and FactCorrected, with citations added, deprecations and retractions, and 1% editorial
work: entity updates and renames, page updates, citations and uncitations, a source merge every
20,000 events) with a correct hash chain, written in bulk (multi-row INSERTs) into a fresh schema,
then measures:
  verify   verifyLog over the whole log: hash chain, stream versions, every event parsing
  replay   withReplay from position 0: every event through the projection code into a scratch
           schema (the full work of \`factlog audit replay\` before its comparison), in batches
           of --read-batch events, each projected with a few multi-row statements per table
and prints events/second for each.

Options:
  --events <n>          events in the log (default 1000000; --events 20000 is a quick run)
  --entities <n>        entities the facts are about (default: events/300, from 50 to 3000)
  --sources <n>         sources the facts cite (default: entities/10, at least 10)
  --replay-events <n>   replay only the first n events (0 skips the replay; default: all)
  --insert-batch <n>    rows per INSERT while writing the log (default 5000)
  --read-batch <n>      events per read in verify and replay (default 2000 and 5000, as the CLI)
  --seed <n>            seed of the generator (default 1)
  --pglite              run on an in-memory PGlite instead of PostgreSQL (DATABASE_URL is ignored)
  --json                print the results as JSON
  -h, --help            print this help and exit

Environment:
  DATABASE_URL   the PostgreSQL to use (default ${DEFAULT_DATABASE_URL}).
                 A fresh schema bench_<random> is created, migrated, and dropped at the end
                 (also on error and on Ctrl-C).

Progress goes to stderr, results to stdout.
`;

export function parseReplayCommandLine(args: readonly string[], env: NodeJS.ProcessEnv): ParsedReplayCommandLine {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: false,
      options: {
        events: { type: 'string' },
        entities: { type: 'string' },
        sources: { type: 'string' },
        'replay-events': { type: 'string' },
        'insert-batch': { type: 'string' },
        'read-batch': { type: 'string' },
        seed: { type: 'string' },
        pglite: { type: 'boolean' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    if (err instanceof Error && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS')) {
      const end = err.message.indexOf('. ');
      throw new UsageError(end === -1 ? err.message : err.message.slice(0, end + 1));
    }
    throw err;
  }
  if (values.help) return { kind: 'help' };
  const events = integer('--events', values.events ?? '1000000', 1);
  const entities =
    values.entities === undefined ? Math.min(3000, Math.max(50, Math.floor(events / 300))) : integer('--entities', values.entities, 1);
  const sources = values.sources === undefined ? Math.max(10, Math.floor(entities / 10)) : integer('--sources', values.sources, 1);
  return {
    kind: 'run',
    options: {
      events,
      entities,
      sources,
      replayEvents: values['replay-events'] === undefined ? undefined : integer('--replay-events', values['replay-events'], 0),
      insertBatch: integer('--insert-batch', values['insert-batch'] ?? '5000', 1),
      readBatch: integer('--read-batch', values['read-batch'] ?? '0', 0),
      seed: integer('--seed', values.seed ?? '1', 0),
      pglite: values.pglite ?? false,
      json: values.json ?? false,
      databaseUrl: env.DATABASE_URL || DEFAULT_DATABASE_URL,
    },
  };
}

function integer(option: string, raw: string, min: number): number {
  const n = Number(raw.replace(/_/g, ''));
  if (!/^\d[\d_]*$/.test(raw) || !Number.isSafeInteger(n) || n < min) {
    throw new UsageError(`${option} must be an integer ≥ ${min}, got ${JSON.stringify(raw)}`);
  }
  return n;
}
