import { createHash } from 'node:crypto';
import { mkdirSync, realpathSync, unlinkSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * PGlite is PostgreSQL in one process's memory: it has no postmaster, no shared buffers and no lock
 * manager shared between processes, so two processes that open one data folder each write pages the
 * other does not know about. Indexes lose entries, log positions are handed out twice, and sooner or
 * later the folder no longer opens at all. The folder therefore has one owner at a time; every other
 * process that asks for it is refused with the owner's name (docs/embedded-store.md).
 *
 * The ownership is a listening local socket whose address is derived from the folder's real path:
 * binding it is atomic (exactly one of two racing processes wins), and on Linux (abstract namespace)
 * and Windows (named pipe) the kernel releases it the instant the owner dies, even by `kill -9`, so a
 * crash never leaves a stale lock behind. The owner answers every connection with who it is, which is
 * how a refused process can name it. Elsewhere (macOS, BSD) the address is a socket file inside the
 * folder; a file left by a killed owner refuses connections and is taken over.
 */

export interface FolderOwner {
  pid: number;
  host: string;
  /** The owner's command line after the executable and script, e.g. `serve --port 4000`. */
  command: string;
  startedAt: string;
}

/** How long a refused process waits for the owner to say who it is (a busy owner may be slow to answer). */
const ASK_OWNER_TIMEOUT_MS = 2_000;

export class StoreInUseError extends Error {
  readonly code = 'STORE_IN_USE';
  constructor(
    readonly dataDir: string,
    readonly owner: FolderOwner | undefined,
  ) {
    super(describeRefusal(dataDir, owner));
    this.name = 'StoreInUseError';
  }
}

function describeRefusal(dataDir: string, owner: FolderOwner | undefined): string {
  const who = owner
    ? `process ${owner.pid} on ${owner.host} ("factlog ${owner.command}", since ${owner.startedAt})`
    : 'another process (it did not say which in time)';
  const stop = owner ? `stop it first (Ctrl-C in its terminal, or kill ${owner.pid})` : 'stop it first';
  return [
    `STORE_IN_USE: the embedded store at ${dataDir} is open in ${who}.`,
    'The embedded database (PGlite) can be opened by one process at a time; a second one would corrupt it.',
    `To go on, ${stop} and run this command again, or give each process a store of its own`,
    '(FACTLOG_DATA_DIR), or use PostgreSQL (DATABASE_URL), which any number of processes can share.',
  ].join('\n');
}

export interface FolderLock {
  readonly owner: FolderOwner;
  release(): Promise<void>;
}

/** The socket address that stands for `dataDir` (which must exist, so its real path is known). */
export function lockAddress(dataDir: string): { address: string; isFile: boolean } {
  const real = realpathSync(dataDir);
  const digest = createHash('sha256').update(real).digest('hex').slice(0, 32);
  if (process.platform === 'linux') return { address: `\0factlog-pglite-${digest}`, isFile: false };
  if (process.platform === 'win32') return { address: `\\\\.\\pipe\\factlog-pglite-${digest}`, isFile: false };
  return { address: path.join(real, '.factlog-owner.sock'), isFile: true };
}

/** Takes the folder for this process, or throws StoreInUseError naming the process that has it. */
export async function lockFolder(dataDir: string): Promise<FolderLock> {
  mkdirSync(dataDir, { recursive: true });
  const { address, isFile } = lockAddress(dataDir);
  const owner: FolderOwner = {
    pid: process.pid,
    host: os.hostname(),
    command: process.argv.slice(2).join(' ') || path.basename(process.argv[1] ?? 'node'),
    startedAt: new Date().toISOString(),
  };
  const server = net.createServer((socket) => {
    socket.on('error', () => undefined);
    socket.end(`${JSON.stringify(owner)}\n`);
  });
  // The lock must never keep a process alive that has nothing else to do.
  server.unref();
  for (let attempt = 0; ; attempt++) {
    const error = await listen(server, address);
    if (!error) break;
    if (error.code !== 'EADDRINUSE') throw error;
    const answer = await askOwner(address);
    if (answer.kind === 'gone' && isFile && attempt === 0) {
      // A socket file whose owner died without removing it: nobody listens, so it is ours to replace.
      unlinkSync(address);
      continue;
    }
    throw new StoreInUseError(path.resolve(dataDir), answer.kind === 'owner' ? answer.owner : undefined);
  }
  return {
    owner,
    release: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
      }),
  };
}

function listen(server: net.Server, address: string): Promise<NodeJS.ErrnoException | undefined> {
  return new Promise((resolve) => {
    const onError = (err: NodeJS.ErrnoException) => resolve(err);
    server.once('error', onError);
    server.listen(address, () => {
      server.off('error', onError);
      resolve(undefined);
    });
  });
}

type OwnerAnswer = { kind: 'owner'; owner: FolderOwner } | { kind: 'silent' } | { kind: 'gone' };

/** Connects to the owner's socket and reads the one line it sends. */
export function askOwner(address: string): Promise<OwnerAnswer> {
  return new Promise((resolve) => {
    let text = '';
    let settled = false;
    const done = (answer: OwnerAnswer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const socket = net.connect(address);
    const timer = setTimeout(() => done({ kind: 'silent' }), ASK_OWNER_TIMEOUT_MS);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      text += chunk;
      if (text.includes('\n')) done(parseOwner(text));
    });
    socket.on('end', () => done(parseOwner(text)));
    socket.on('error', (err: NodeJS.ErrnoException) =>
      done(err.code === 'ECONNREFUSED' || err.code === 'ENOENT' ? { kind: 'gone' } : { kind: 'silent' }),
    );
  });
}

function parseOwner(text: string): OwnerAnswer {
  try {
    const parsed = JSON.parse(text.split('\n')[0]) as Partial<FolderOwner>;
    if (typeof parsed.pid === 'number') {
      return {
        kind: 'owner',
        owner: {
          pid: parsed.pid,
          host: String(parsed.host ?? '?'),
          command: String(parsed.command ?? '?'),
          startedAt: String(parsed.startedAt ?? '?'),
        },
      };
    }
  } catch {
    // Something else listens there; it still holds the address, so the folder counts as taken.
  }
  return { kind: 'silent' };
}
