/**
 * `npm run bench`: the performance suite, the one run BENCHMARKS.md quotes. Generates the knowledge
 * bases it needs (kept between runs; a reused one prints how its generation went), then the reads
 * (Factlog beside raw SQL, PostGraphile 4 and 5, and pgbench) at every scale with the flat-cost table,
 * the writes, the import with the history replay and the embedded import's memory, and the replay.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parseScale, SCALES } from './lib/bench-db';
import { DEFAULT_DATABASE_URL, UsageError } from './lib/cli';
import { runMain } from './lib/cleanup';

export const USAGE = `Usage: npm run bench -- [options]

The performance suite on PostgreSQL (DATABASE_URL, default ${DEFAULT_DATABASE_URL}):
  1. bench/generate.js  synthetic knowledge bases with the Longterm Wiki data set's shape, one database
                        each (factlog_bench_10k, …): the log written in bulk, then replayed into the
                        read models (the replay's events/s at each scale); a complete one is reused
  2. bench/read.js      GraphQL reads beside raw SQL (pg), PostGraphile 4, PostGraphile 5 (under
                        Node 24) and the database alone (pgbench), every workload at every scale,
                        and Factlog's cost at the largest scale beside the smallest (flat cost)
  3. bench/write.js     assertFact mutations/s at 1, 16 and 64 clients beside plain INSERTs
  4. bench/import.js    the real data set's import on PGlite and PostgreSQL beside plain INSERTs,
                        its 70-commit history replay, and the embedded import's peak RSS
  5. bench/replay.js    verify and replay of a 100k-event and a 1M-event log (linear or not)
Each step has its own --help for finer control.

Options:
  --scale <s>     10k (default, a few minutes), 100k, or 1m (generates 10k, 100k and 1m: hours today)
  --seconds <n>   measured seconds per side and workload (default 10)
  --skip-write    leave out the write benchmark
  --skip-import   leave out the import, history and memory benchmark
  --skip-replay   leave out the replay benchmark
  -h, --help      print this help and exit
`;

interface SuiteOptions {
  scale: string;
  seconds: string;
  skipWrite: boolean;
  skipImport: boolean;
  skipReplay: boolean;
}

function parseSuiteArgs(args: readonly string[]): { kind: 'run'; options: SuiteOptions } | { kind: 'help' } {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: false,
      options: {
        scale: { type: 'string' },
        seconds: { type: 'string' },
        'skip-write': { type: 'boolean' },
        'skip-import': { type: 'boolean' },
        'skip-replay': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message.split('. ')[0]);
  }
  if (values.help) return { kind: 'help' };
  const scale = parseScale(values.scale ?? '10k');
  if (!SCALES[scale.name]) throw new UsageError('--scale must be 10k, 100k or 1m for the suite');
  if (values.seconds !== undefined && !/^\d+$/.test(values.seconds)) throw new UsageError('--seconds must be a whole number');
  return {
    kind: 'run',
    options: {
      scale: scale.name,
      seconds: values.seconds ?? '10',
      skipWrite: values['skip-write'] ?? false,
      skipImport: values['skip-import'] ?? false,
      skipReplay: values['skip-replay'] ?? false,
    },
  };
}

function step(script: string, args: string[]): void {
  process.stderr.write(`\n$ node ${path.join('dist-bench', 'bench', script)} ${args.join(' ')}\n`);
  const r = spawnSync(process.execPath, [path.join(__dirname, script), ...args], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`${script} exited with ${r.status ?? r.signal}`);
}

async function main(options: SuiteOptions): Promise<number> {
  const order = ['10k', '100k', '1m'];
  const scales = order.slice(0, order.indexOf(options.scale) + 1);
  for (const s of scales) step('generate.js', ['--scale', s]);
  step('read.js', ['--scale', [...scales].reverse().join(','), '--seconds', options.seconds]);
  if (!options.skipWrite) step('write.js', ['--seconds', options.seconds]);
  // The import bench measures PostgreSQL only when DATABASE_URL names it; the suite always does.
  process.env.DATABASE_URL ||= DEFAULT_DATABASE_URL;
  if (!options.skipImport) step('import.js', ['--history', '--memory']);
  if (!options.skipReplay) for (const events of ['100000', '1000000']) step('replay.js', ['--events', events]);
  return 0;
}

if (require.main === module)
  runMain(
    'bench',
    (argv) => parseSuiteArgs(argv),
    USAGE,
    (err): err is UsageError => err instanceof UsageError,
    main,
  );
