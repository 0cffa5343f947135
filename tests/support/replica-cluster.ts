import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { asOwner, clusterOwner as owner, freePort, pgBinaries, run } from './pg-binaries';

const binaries = (): string => pgBinaries('pg_basebackup');

/**
 * A throwaway PostgreSQL primary with streaming replicas, for tests of read routing, leader election
 * and live updates across gateways (tests/scale). Built like tests/support/throwaway-cluster.ts: the
 * machine's binaries (/usr/lib/postgresql/<version>/bin, or FACTLOG_TEST_PG_BIN), temp folders, free
 * loopback ports, and — since PostgreSQL refuses to run as root — the `postgres` system user when the
 * tests run as root (FACTLOG_TEST_PG_USER overrides it). Replicas are made with `pg_basebackup -R`
 * and stream WAL from the primary as any hot standby does. It never touches another server.
 */
export interface ClusterNode {
  readonly name: string;
  readonly port: number;
  readonly dataDir: string;
  /** Connection string as the superuser (database `postgres`). */
  readonly url: string;
  /** The server's log so far. */
  log(): string;
  /** `pg_ctl stop`. */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  start(): Promise<void>;
}

export interface ReplicaCluster {
  readonly primary: ClusterNode;
  readonly replicas: ClusterNode[];
  /** Runs one statement on a node and returns its rows. */
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(node: ClusterNode, text: string, params?: unknown[]): Promise<R[]>;
  /** Stops applying WAL on a replica (it keeps receiving it): the replica lags until resumed. */
  pauseReplay(replica: ClusterNode): Promise<void>;
  resumeReplay(replica: ClusterNode): Promise<void>;
  /** Waits until a replica has replayed everything the primary has written so far. */
  waitForCatchUp(replica: ClusterNode, timeoutMs?: number): Promise<void>;
  /** Stops every server (immediately) and deletes the folders. */
  dispose(): Promise<void>;
}

const running = new Set<() => void>();
let exitHook = false;

/** initdb a primary, start it, then `pg_basebackup -R` and start each replica. */
export async function startReplicaCluster(options: { replicas?: number; settings?: Record<string, string> } = {}): Promise<ReplicaCluster> {
  const bin = binaries();
  const o = owner();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'factlog-replicas-'));
  if (o.user) chownSync(dir, o.uid, o.gid);
  const nodes: ClusterNode[] = [];
  const up = new Set<ClusterNode>();

  const tool = (name: string, args: string[], timeoutMs?: number) => {
    const [file, argv] = asOwner(o, path.join(bin, name), args);
    return run(file, argv, dir, timeoutMs);
  };

  const stopAllNow = () => {
    for (const node of [...up].reverse()) {
      try {
        const [file, argv] = asOwner(o, path.join(bin, 'pg_ctl'), ['-D', node.dataDir, '-m', 'immediate', '-w', 'stop']);
        execFileSync(file, argv, { cwd: dir, stdio: 'ignore', timeout: 30_000 });
      } catch {
        // already down
      }
      up.delete(node);
    }
  };
  running.add(stopAllNow);
  if (!exitHook) {
    exitHook = true;
    process.once('exit', () => {
      for (const stop of running) stop();
    });
  }

  const node = async (name: string): Promise<ClusterNode> => {
    const port = await freePort();
    const dataDir = path.join(dir, name);
    const logFile = path.join(dir, `${name}.log`);
    const settings: Record<string, string> = {
      port: String(port),
      listen_addresses: '127.0.0.1',
      unix_socket_directories: dir,
      // Throwaway: durability against power loss is not what these tests are about.
      fsync: 'off',
      full_page_writes: 'off',
      synchronous_commit: 'off',
      wal_level: 'replica',
      max_wal_senders: '10',
      hot_standby: 'on',
      max_connections: '60',
      shared_buffers: '16MB',
      ...options.settings,
    };
    const serverOptions = Object.entries(settings)
      .map(([k, v]) => `-c ${k}=${v}`)
      .join(' ');
    const n: ClusterNode = {
      name,
      port,
      dataDir,
      url: `postgres://postgres@127.0.0.1:${port}/postgres`,
      log: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''),
      async start() {
        await tool('pg_ctl', ['-D', dataDir, '-o', serverOptions, '-l', logFile, '-w', '-t', '90', 'start'], 120_000);
        up.add(n);
      },
      async stop(mode = 'fast') {
        await tool('pg_ctl', ['-D', dataDir, '-m', mode, '-w', '-t', '60', 'stop'], 90_000);
        up.delete(n);
      },
    };
    nodes.push(n);
    return n;
  };

  const query = async <R extends pg.QueryResultRow>(n: ClusterNode, text: string, params: unknown[] = []): Promise<R[]> => {
    const client = new pg.Client({ connectionString: n.url });
    await client.connect();
    try {
      return (await client.query<R>(text, params)).rows;
    } finally {
      await client.end();
    }
  };

  const cluster: ReplicaCluster = {
    primary: undefined as unknown as ClusterNode,
    replicas: [],
    query,
    async pauseReplay(replica) {
      await query(replica, 'SELECT pg_wal_replay_pause()');
    },
    async resumeReplay(replica) {
      await query(replica, 'SELECT pg_wal_replay_resume()');
    },
    async waitForCatchUp(replica, timeoutMs = 30_000) {
      const [{ lsn }] = await query<{ lsn: string }>(cluster.primary, 'SELECT pg_current_wal_lsn()::text AS lsn');
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const [{ done }] = await query<{ done: boolean }>(replica, 'SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS done', [lsn]);
        if (done) return;
        if (Date.now() > deadline) throw new Error(`${replica.name} did not replay up to ${lsn} in ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async dispose() {
      stopAllNow();
      running.delete(stopAllNow);
      rmSync(dir, { recursive: true, force: true });
    },
  };

  try {
    const primary = await node('primary');
    await tool('initdb', ['-D', primary.dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-locale', '--no-sync']);
    await primary.start();
    Object.assign(cluster, { primary });
    for (let i = 1; i <= (options.replicas ?? 1); i++) {
      const replica = await node(`replica${i}`);
      // -R writes standby.signal and primary_conninfo: the copy starts as a streaming hot standby.
      await tool('pg_basebackup', [
        '-h',
        '127.0.0.1',
        '-p',
        String(primary.port),
        '-U',
        'postgres',
        '-D',
        replica.dataDir,
        '-R',
        '-X',
        'stream',
        '-c',
        'fast',
        '--no-sync',
      ]);
      await replica.start();
      // Make sure the URL reaches this standby and not some other server on a reused port.
      const [{ standby }] = await query<{ standby: boolean }>(replica, 'SELECT pg_is_in_recovery() AS standby');
      if (!standby) throw new Error(`${replica.url} answers, but not as a standby: another server has its port`);
      cluster.replicas.push(replica);
    }
  } catch (err) {
    const logs = nodes.map((n) => `--- ${n.name}\n${n.log()}`).join('\n');
    await cluster.dispose();
    throw new Error(`${(err as Error).message}\n${logs}`);
  }
  return cluster;
}
