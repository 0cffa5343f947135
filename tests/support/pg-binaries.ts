import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

// What the tests that start their own PostgreSQL clusters share: finding the machine's binaries,
// a free port, and running the binaries as a user PostgreSQL accepts (it refuses root).

/** The newest /usr/lib/postgresql/<version>/bin that has `tool` (FACTLOG_TEST_PG_BIN overrides). */
export function pgBinaries(tool: string): string {
  const override = process.env.FACTLOG_TEST_PG_BIN;
  if (override) return override;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(path.join(root, v, 'bin', tool)))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) throw new Error(`no PostgreSQL binaries with ${tool} under ${root}; set FACTLOG_TEST_PG_BIN`);
  return path.join(root, versions[0], 'bin');
}

/**
 * A free loopback port for a test cluster, drawn at random below Linux's ephemeral range. Asking the
 * OS for port 0 can hand the port just released in one test file to another file's cluster starting at
 * the same moment, and a gateway would then talk to the wrong cluster.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await new Promise<boolean>((resolve) => {
      const server = net.createServer();
      server.unref();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error('no free port found for a test cluster');
}

/** Who owns a test cluster: ourselves, or (as root) the `postgres` user (FACTLOG_TEST_PG_USER overrides). */
export interface RunAs {
  user: string | null;
  uid: number;
  gid: number;
}

export function clusterOwner(): RunAs {
  if (process.getuid?.() !== 0) return { user: null, uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
  const user = process.env.FACTLOG_TEST_PG_USER ?? 'postgres';
  const uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim());
  return { user, uid, gid };
}

/** A PostgreSQL binary invocation, as the cluster's owner. */
export function asOwner(as: RunAs, bin: string, args: string[]): [string, string[]] {
  return as.user ? ['runuser', ['-u', as.user, '--', bin, ...args]] : [bin, args];
}

export function run(file: string, args: string[], cwd: string, timeoutMs = 90_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { cwd, timeout: timeoutMs, maxBuffer: 8 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${file} ${args.join(' ')} failed: ${err.message}\n${stdout}\n${stderr}`));
      else resolve(stdout + stderr);
    });
  });
}
