/**
 * What every gateway child process shares with its parent (bench/lib/load.ts): the IPC messages, the
 * listening server, and bench/package.json's own dependencies. Node built-ins only, so a child that
 * must not load Factlog's modules (PostGraphile 5 under Node 24: bench/lib/serve-postgraphile5.ts) can
 * use it without them counting in its memory.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import path from 'node:path';

export type ChildMessage =
  { type: 'ready'; port: number } | { type: 'stats'; rssMb: number; maxRssMb: number; cpuSeconds: number; statements?: number };

/** bench/package.json's own dependencies (autocannon, postgraphile 4, node24), resolved from the source tree. */
export const benchRequire = createRequire(path.resolve(__dirname, '..', '..', '..', 'bench', 'package.json'));

/** bench/postgraphile5/package.json's: PostGraphile 5, in a tree of its own (graphql 16 beside v4's 15). */
export const postgraphile5Require = createRequire(path.resolve(__dirname, '..', '..', '..', 'bench', 'postgraphile5', 'package.json'));

/** The schemas PostGraphile (4 and 5) serves: the read-model tables, plus the bench's SQL functions. */
export const POSTGRAPHILE_SCHEMAS = ['public', 'bench_pgl'];

/** Serves `handler` on a free loopback port; on {type: 'stop'} closes it, runs `onStop` and exits. */
export async function listen(handler: http.RequestListener | http.Server, onStop: () => Promise<void>): Promise<number> {
  const server = handler instanceof http.Server ? handler : http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.on('message', (m: { type: string }) => {
    if (m.type === 'stop') {
      server.closeAllConnections();
      server.close(() => void onStop().then(() => process.exit(0)));
    }
  });
  return (server.address() as AddressInfo).port;
}

/** Answers the parent's {type: 'stats'} with this process's memory and CPU, then says it is ready. */
export function announceReady(port: number, statements: () => number | undefined = () => undefined): void {
  process.on('message', (m: { type: string }) => {
    if (m.type !== 'stats') return;
    const usage = process.resourceUsage();
    const reply: ChildMessage = {
      type: 'stats',
      rssMb: process.memoryUsage().rss / 1e6,
      maxRssMb: usage.maxRSS / 1e3,
      cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6,
      statements: statements(),
    };
    process.send?.(reply);
  });
  process.send?.({ type: 'ready', port } satisfies ChildMessage);
}
