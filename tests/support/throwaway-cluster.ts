import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { quoteIdent } from '../../src/store/database';
import { asOwner as command, clusterOwner as runAs, freePort, pgBinaries, run } from './pg-binaries';

export { freePort };
const findBinaries = (): string => pgBinaries('initdb');

/**
 * A PostgreSQL cluster of a test's own: initdb into a temp folder, on a free loopback port, with the
 * machine's binaries (/usr/lib/postgresql/<version>/bin). Fault tests stop, restart and kill it at will,
 * which they must never do to a shared server. PostgreSQL refuses to run as root, so as root the
 * cluster runs as the `postgres` system user (FACTLOG_TEST_PG_USER overrides it); FACTLOG_TEST_PG_BIN
 * overrides the binaries' folder.
 */
export interface ThrowawayCluster {
  readonly port: number;
  /** The temp folder: data/, the server log and the Unix socket. */
  readonly dir: string;
  /** A connection string for a database of this cluster (default `postgres`), as the superuser. */
  url(database?: string): string;
  running(): boolean;
  start(): Promise<void>;
  /** `pg_ctl stop`: fast (default) rolls back open transactions and closes connections; immediate is a crash. */
  stop(mode?: 'smart' | 'fast' | 'immediate'): Promise<void>;
  restart(): Promise<void>;
  /** Creates an empty database and returns its URL. */
  createDatabase(name?: string): Promise<string>;
  /** The server's log so far (for failure messages). */
  log(): string;
  /** Stops the server (immediately) and deletes the folder. */
  dispose(): Promise<void>;
}

const live = new Set<() => void>();
let exitHookInstalled = false;

/** initdb + start. The caller must `dispose()` it; a crashed test run still stops it when the process exits. */
export async function startThrowawayCluster(options: { settings?: Record<string, string> } = {}): Promise<ThrowawayCluster> {
  const bin = findBinaries();
  const as = runAs();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'factlog-pg-'));
  if (as.user) chownSync(dir, as.uid, as.gid);
  const data = path.join(dir, 'data');
  const logFile = path.join(dir, 'server.log');
  const port = await freePort();
  const pgCtl = (args: string[], timeoutMs?: number) => {
    const [file, argv] = command(as, path.join(bin, 'pg_ctl'), args);
    return run(file, argv, dir, timeoutMs);
  };

  const [initFile, initArgs] = command(as, path.join(bin, 'initdb'), [
    '-D',
    data,
    '-U',
    'postgres',
    '--auth=trust',
    '-E',
    'UTF8',
    '--no-locale',
    '--no-sync',
  ]);
  await run(initFile, initArgs, dir);

  const settings: Record<string, string> = {
    port: String(port),
    listen_addresses: '127.0.0.1',
    unix_socket_directories: dir,
    // A test cluster: durability against power loss is not what these tests are about.
    fsync: 'off',
    full_page_writes: 'off',
    max_connections: '100',
    ...options.settings,
  };
  const serverOptions = Object.entries(settings)
    .map(([k, v]) => `-c ${k}=${v}`)
    .join(' ');
  let up = false;

  const stopNow = () => {
    if (!up) return;
    try {
      const [file, argv] = command(as, path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
      execFileSync(file, argv, { cwd: dir, stdio: 'ignore', timeout: 30_000 });
    } catch {
      // already down
    }
    up = false;
  };
  live.add(stopNow);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const stop of live) stop();
    });
  }

  const cluster: ThrowawayCluster = {
    port,
    dir,
    url: (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${encodeURIComponent(database)}`,
    running: () => up,
    async start() {
      await pgCtl(['-D', data, '-o', serverOptions, '-l', logFile, '-w', '-t', '60', 'start'], 90_000);
      up = true;
    },
    async stop(mode = 'fast') {
      await pgCtl(['-D', data, '-m', mode, '-w', '-t', '60', 'stop'], 90_000);
      up = false;
    },
    async restart() {
      await cluster.stop('fast');
      await cluster.start();
    },
    async createDatabase(name = `factlog_${randomBytes(5).toString('hex')}`) {
      const client = new pg.Client({ connectionString: cluster.url() });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${quoteIdent(name)}`);
      } finally {
        await client.end();
      }
      return cluster.url(name);
    },
    log: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''),
    async dispose() {
      stopNow();
      live.delete(stopNow);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await cluster.start();
  } catch (err) {
    await cluster.dispose();
    throw err;
  }
  return cluster;
}
