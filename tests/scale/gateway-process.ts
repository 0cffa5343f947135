import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

const ROOT = path.resolve(__dirname, '../..');
const REGISTER = path.join(__dirname, 'swc-register.js');

export interface GqlResponse<T = any> {
  data?: T | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
  extensions?: { basis?: { position: string; recordedAt: string | null; node?: string } };
}

/** A real `factlog serve` process (TypeScript sources compiled on load by SWC), on a free port. */
export interface GatewayProcess {
  readonly name: string;
  readonly pid: number;
  readonly url: string;
  gql<T = any>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GqlResponse<T>>;
  /** A graphql-ws client of this gateway (the caller disposes it). */
  ws(options?: { retryAttempts?: number }): Client;
  /** Everything it printed. */
  output(): string;
  /** SIGKILL: a crash, nothing cleaned up. Resolves when the process is gone. */
  kill(): Promise<void>;
  /** SIGTERM: a graceful shutdown. */
  stop(): Promise<void>;
  readonly exited: boolean;
}

const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});

export async function startGateway(name: string, env: Record<string, string>): Promise<GatewayProcess> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, FACTLOG_ANONYMOUS: 'write', FACTLOG_RATE_LIMIT: '0', ...env };
  delete childEnv.NODE_OPTIONS;
  if (!env.DATABASE_READ_URL) delete childEnv.DATABASE_READ_URL;
  const child = spawn(process.execPath, ['-r', REGISTER, 'src/cli.ts', 'serve', '--port', '0', '--host', '127.0.0.1'], {
    cwd: ROOT,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let out = '';
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      children.delete(child);
      resolve();
    }),
  );
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway ${name} did not start in 90 s:\n${out}`)), 90_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /GraphQL: http:\/\/localhost:(\d+)\/graphql/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    void exit.then(() => {
      clearTimeout(timer);
      reject(new Error(`gateway ${name} exited before listening:\n${out}`));
    });
  });
  const url = `http://127.0.0.1:${port}/graphql`;
  return {
    name,
    pid: child.pid!,
    url,
    get exited() {
      return exited;
    },
    async gql(query, variables, headers = {}) {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      return (await res.json()) as GqlResponse;
    },
    ws(options = {}) {
      return createClient({
        url: url.replace('http:', 'ws:'),
        webSocketImpl: WebSocket,
        retryAttempts: options.retryAttempts ?? 0,
        lazy: true,
      });
    },
    output: () => out,
    async kill() {
      if (!exited) child.kill('SIGKILL');
      await exit;
    },
    async stop() {
      if (!exited) child.kill('SIGTERM');
      await exit;
    },
  };
}

/** Polls until `check` returns a value (not undefined), or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Registers an entity and a numeric property through a gateway; returns the entity's id. */
export async function defineBasics(g: GatewayProcess, entity: string, property: string): Promise<string> {
  const e = await g.gql(
    `mutation { registerEntity(input: { slug: "${entity}", name: "${entity}", type: "organization" }) { position entity { id } } }`,
  );
  if (e.errors) throw new Error(JSON.stringify(e.errors));
  const p = await g.gql(`mutation { defineProperty(input: { id: "${property}", name: "${property}", dataType: "number" }) { position } }`);
  if (p.errors) throw new Error(JSON.stringify(p.errors));
  return e.data.registerEntity.entity.id as string;
}

/** Asserts a fact through a gateway; returns its id and the mutation's log position. */
export async function assertFact(
  g: GatewayProcess,
  entity: string,
  property: string,
  value: number,
): Promise<{ id: string; position: string }> {
  const r = await g.gql(
    `mutation($v: JSON!) { assertFact(input: { entity: "${entity}", property: "${property}", value: $v }) { position fact { id } } }`,
    { v: value },
  );
  if (r.errors) throw new Error(JSON.stringify(r.errors));
  return { id: r.data.assertFact.fact.id, position: r.data.assertFact.position };
}
