import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { ROOT } from '../audit/cli-support';

/** The built command line, run as a user would: `node dist/cli.js …` (tests/audit/cli-support.ts builds it). */
export const CLI = path.join(ROOT, 'dist', 'cli.js');

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface Child {
  process: ChildProcess;
  output(): { stdout: string; stderr: string };
  exited: Promise<Exit>;
}

/** The test's environment without its own store settings, so each child gets exactly the store it is given. */
function cliEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base = { ...process.env };
  delete base.DATABASE_URL;
  delete base.FACTLOG_DATA_DIR;
  delete base.NODE_OPTIONS;
  return { ...base, CI: 'true', ...env };
}

export function spawnCli(args: string[], env: Record<string, string>): Child {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: cliEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<Exit>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { process: child, output: () => ({ stdout, stderr }), exited };
}

export async function runCli(args: string[], env: Record<string, string>, timeoutMs = 300_000): Promise<Exit> {
  const child = spawnCli(args, env);
  const timer = setTimeout(() => child.process.kill('SIGKILL'), timeoutMs);
  try {
    return await child.exited;
  } finally {
    clearTimeout(timer);
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const describeExit = (e: Exit) =>
  `exit ${e.code} ${e.signal ?? ''}\nstdout: ${e.stdout.slice(-3000)}\nstderr: ${e.stderr.slice(-3000)}`;

export type Gateway = Child & { endpoint: string; origin: string };

/** `factlog serve` on a free port of 127.0.0.1, once its log line names the port. */
export async function startGateway(env: Record<string, string>): Promise<Gateway> {
  const child = spawnCli(['serve', '--port', '0', '--host', '127.0.0.1'], { FACTLOG_RATE_LIMIT: '0', ...env });
  const deadline = Date.now() + 60_000;
  for (;;) {
    const match = /GraphQL: http:\/\/localhost:(\d+)\/graphql/.exec(child.output().stdout);
    if (match) {
      const origin = `http://127.0.0.1:${match[1]}`;
      return { ...child, origin, endpoint: `${origin}/graphql` };
    }
    if (child.process.exitCode !== null || Date.now() > deadline) {
      child.process.kill('SIGKILL');
      throw new Error(`gateway did not start: ${describeExit(await child.exited)}`);
    }
    await sleep(50);
  }
}
