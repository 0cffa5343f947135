/**
 * `npm run bench`: the performance suite. Generates the knowledge bases it needs (kept between runs),
 * then the read benchmarks (Factlog beside raw SQL, PostGraphile 4 and 5, and pgbench), then the write
 * benchmark.
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
                        each (factlog_bench_10k, …); an existing complete one is reused
  2. bench/read.js      GraphQL reads beside raw SQL (pg), PostGraphile 4, PostGraphile 5 (under
                        Node 24) and the database alone (pgbench) at the largest scale; the point
                        query at every smaller scale too, to show its cost stays flat
  3. bench/write.js     assertFact mutations/s at 1, 16 and 64 clients beside plain INSERTs
Each step has its own --help for finer control.

Options:
  --scale <s>     10k (default, a few minutes), 100k, or 1m (generates 10k, 100k and 1m: hours today)
  --seconds <n>   measured seconds per side and workload (default 10)
  --skip-write    leave out the write benchmark
  -h, --help      print this help and exit
`;

interface SuiteOptions {
  scale: string;
  seconds: string;
  skipWrite: boolean;
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
  return { kind: 'run', options: { scale: scale.name, seconds: values.seconds ?? '10', skipWrite: values['skip-write'] ?? false } };
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
  // The largest first: every workload there; the smaller ones only for the point query's flatness.
  step('read.js', ['--scale', [...scales].reverse().join(','), '--point-only-beyond', '--seconds', options.seconds]);
  if (!options.skipWrite) step('write.js', ['--seconds', options.seconds]);
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
