import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ApolloServer } from '@apollo/server';
import { openFactlog, type Factlog } from '../../src/app';
import { createContext, type GraphQLContext } from '../../src/graphql/context';
import { gatewayOptions } from '../../src/api-schema';
import { createScratchDatabase } from '../support/test-database';

export const ROOT = path.resolve(__dirname, '..', '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const run = promisify(execFile);

function newestMtime(dir: string, accept: (file: string) => boolean): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(full, accept));
    else if (accept(entry.name)) newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

/** The built files the audit CLI runs; dist is fresh when each is newer than every source file. */
const BUILT = ['cli.js', 'cli/audit.js', 'projections/audit.js', 'projections/rebuild.js', 'store/verify-chain.js'].map((f) =>
  path.join(ROOT, 'dist', f),
);

function distIsFresh(): boolean {
  const sources = Math.max(
    newestMtime(path.join(ROOT, 'src'), (f) => f.endsWith('.ts')),
    statSync(path.join(ROOT, 'tsconfig.json')).mtimeMs,
    statSync(path.join(ROOT, 'tsconfig.build.json')).mtimeMs,
  );
  return BUILT.every((f) => (statSync(f, { throwIfNoEntry: false })?.mtimeMs ?? 0) > sources);
}

/**
 * `npm run build` unless dist is already newer than src. Test files build at most one at a time (a lock
 * directory), and a build that reports type errors elsewhere in the tree but still wrote dist is used.
 */
export async function ensureBuilt(): Promise<void> {
  const lock = path.join(os.tmpdir(), 'factlog-audit-build.lock');
  const deadline = Date.now() + 5 * 60_000;
  for (;;) {
    if (distIsFresh()) return;
    try {
      mkdirSync(lock);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const age = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 5 * 60_000) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`waited too long for another build (${lock})`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    const started = Date.now();
    try {
      await run('npm', ['run', 'build'], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
    } catch (err) {
      const built = BUILT.every((f) => (statSync(f, { throwIfNoEntry: false })?.mtimeMs ?? 0) >= started - 1000);
      if (!built) throw err;
      process.stderr.write(`npm run build reported errors but wrote dist:\n${(err as { stdout?: string }).stdout ?? ''}\n`);
    }
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `node dist/cli.js audit …` against the given store, with the environment a user would set. */
export function runAudit(args: string[], env: Record<string, string>): Promise<CliResult> {
  const base = { ...process.env };
  delete base.DATABASE_URL;
  delete base.FACTLOG_DATA_DIR;
  delete base.NODE_OPTIONS;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'audit', ...args], {
      cwd: ROOT,
      env: { ...base, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * A store of its own that both the test and the CLI can open: a PGlite data folder, or, on PostgreSQL
 * (the CLI has no schema option), a fresh database created for the test and dropped afterwards.
 * PGlite allows one process at a time, so the test opens the store only around its own work.
 */
export interface CliStore {
  env: Record<string, string>;
  description: string;
  /** Opens (and migrates) the store in this process; close it before running the CLI on PGlite. */
  open(): Promise<Factlog>;
  /** Runs `work` with the store open, closing it afterwards. */
  with<T>(work: (app: Factlog) => Promise<T>): Promise<T>;
  dispose(): Promise<void>;
}

export async function createCliStore(): Promise<CliStore> {
  const url = process.env.DATABASE_URL;
  let env: Record<string, string>;
  let description: string;
  let drop: () => Promise<void>;
  if (url) {
    const scratch = await createScratchDatabase(url, 'factlog_audit');
    env = { DATABASE_URL: scratch.url };
    description = `PostgreSQL database ${scratch.name}`;
    drop = scratch.drop;
  } else {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'factlog-audit-'));
    env = { FACTLOG_DATA_DIR: dir };
    description = `PGlite at ${dir}`;
    drop = async () => rmSync(dir, { recursive: true, force: true });
  }
  const open = () => openFactlog({ databaseUrl: env.DATABASE_URL, dataDir: env.FACTLOG_DATA_DIR ?? '' });
  return {
    env,
    description,
    open,
    async with(work) {
      const app = await open();
      try {
        return await work(app);
      } finally {
        await app.close();
      }
    },
    dispose: drop,
  };
}

/** The GraphQL gateway in process over an open store (as tests/support/gateway.ts, for a store we own). */
export async function gatewayOver(app: Factlog) {
  const server = new ApolloServer<GraphQLContext>(gatewayOptions());
  await server.start();
  const gql = async <T = any>(query: string, variables?: Record<string, unknown>) => {
    const res = await server.executeOperation(
      { query, variables },
      { contextValue: createContext(app, { name: 'tester', role: 'editor' }) },
    );
    if (res.body.kind !== 'single') throw new Error('incremental delivery is not expected here');
    return res.body.singleResult as { data?: T | null; errors?: { message: string }[]; extensions?: { basis?: { position: string } } };
  };
  return { gql, stop: () => server.stop() };
}
