/**
 * A gateway under test in a process of its own (so its RSS and CPU are its own, not the load
 * generator's): `node serve-child.js factlog|factlog-write|postgraphile <database url> <pool size>`. It tells its parent the
 * port over IPC when it listens, answers {type: 'stats'} with its memory, and exits on {type: 'stop'}.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import path from 'node:path';
import { wire } from '../../src/app';
import { startServer } from '../../src/server';
import { openPostgres } from '../../src/store/database';

export type ChildMessage =
  | { type: 'ready'; port: number }
  | { type: 'stats'; rssMb: number; maxRssMb: number; cpuSeconds: number; statements?: number };

/** bench/package.json's own dependencies (autocannon, postgraphile), resolved from the source tree. */
export const benchRequire = createRequire(path.resolve(__dirname, '..', '..', '..', 'bench', 'package.json'));

/** The schema PostGraphile serves: the read-model tables, plus the bench's SQL functions. */
export const POSTGRAPHILE_SCHEMAS = ['public', 'bench_pgl'];

let statements: () => number | undefined = () => undefined;

async function serveFactlog(url: string, connections: number, anonymous: 'read' | 'write'): Promise<number> {
  const database = openPostgres({ url, maxConnections: connections });
  statements = () => database.stats.queries;
  // The rate limit is off for benchmarks; anonymous writes only for the write benchmark's own database.
  const running = await startServer({ ...wire(database), port: 0, host: '127.0.0.1', anonymous, http: { rateLimitPerMinute: 0 } });
  process.on('message', (m: { type: string }) => {
    if (m.type === 'stop') void running.stop().then(() => database.close()).then(() => process.exit(0));
  });
  return running.port;
}

async function servePostgraphile(url: string, connections: number): Promise<number> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { postgraphile } = benchRequire('postgraphile') as { postgraphile: (pool: unknown, schemas: string[], options: Record<string, unknown>) => http.RequestListener };
  const pg = benchRequire('pg') as typeof import('pg');
  const pool = new pg.Pool({ connectionString: url, max: connections });
  const handler = postgraphile(pool, POSTGRAPHILE_SCHEMAS, {
    // Production settings (PostGraphile's own advice): no watch, no GraphiQL, no extended errors.
    disableQueryLog: true, retryOnInitFail: false, ignoreRBAC: true, dynamicJson: true, setofFunctionsContainNulls: false,
    disableDefaultMutations: true,
  });
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.on('message', (m: { type: string }) => {
    if (m.type === 'stop') server.close(() => void pool.end().then(() => process.exit(0)));
  });
  return (server.address() as AddressInfo).port;
}

async function main(): Promise<void> {
  const [kind, url, connections] = process.argv.slice(2);
  const port = kind === 'postgraphile'
    ? await servePostgraphile(url, Number(connections) || 16)
    : await serveFactlog(url, Number(connections) || 16, kind === 'factlog-write' ? 'write' : 'read');
  process.on('message', (m: { type: string }) => {
    if (m.type !== 'stats') return;
    const usage = process.resourceUsage();
    const reply: ChildMessage = {
      type: 'stats', rssMb: process.memoryUsage().rss / 1e6, maxRssMb: usage.maxRSS / 1e3, cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6,
      statements: statements(),
    };
    process.send?.(reply);
  });
  process.send?.({ type: 'ready', port } satisfies ChildMessage);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`serve-child: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
