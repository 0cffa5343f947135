/**
 * Soak test: a real gateway process under mixed read and write load for minutes, then proof that
 * nothing was lost. See USAGE below; `npm run bench:soak -- --help`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { openFactlog, type Factlog } from '../src/app';
import { ApiKeys } from '../src/auth/keys';
import { loadSeeds } from '../src/seed';
import { quoteIdent } from '../src/store/database';
import { Cleanup, describeError, runMain, settleWithin } from './lib/cleanup';
import { DEFAULT_DATABASE_URL, UsageError } from './lib/cli';
import { percentile } from './lib/stats';
import { formatTable } from './lib/table';

const USAGE = `Usage: npm run bench:soak -- [options]
       node dist-bench/bench/soak.js [options]

Starts a Factlog gateway process on 127.0.0.1 over a database of its own, seeds it, and runs mixed
load from many clients for a bounded time: reads (entity values and timelines, the source page, page
lists) and writes with an editor key (new facts, and corrections with expectedVersion on a small set of
hot facts, so CONFLICT answers are expected and counted as conflicts, not errors). Every ~10 s it
prints throughput, error rate by code and the gateway's RSS (from its /metrics). At the end it stops
the gateway, runs \`audit verify\` and \`audit replay\`, and checks that every acknowledged write (a
mutation answer with a position) is in the log at that position; then prints a summary table.

Options:
  --seconds <n>    how long the load runs (default 180, at most 86400)
  --clients <n>    concurrent clients, each one request at a time (default 16, at most 512)
  --writes <f>     share of requests that write, 0–1 (default 0.2)
  --entities <n>   extra entities seeded, with 4 facts each, on top of seeds/ (default 50)
  --pglite         an embedded PGlite in a temporary folder instead of PostgreSQL
  -h, --help       print this help and exit

Environment:
  DATABASE_URL     a PostgreSQL on this machine (loopback only; default ${DEFAULT_DATABASE_URL}).
                   A database factlog_soak_<random> is created there and dropped at the end
                   (also on failure and Ctrl-C).

Exit code: 0 when no acknowledged write is missing and both audits pass; 1 otherwise (or if the
gateway died); 2 for a usage error.
`;

interface SoakOptions {
  seconds: number;
  clients: number;
  writes: number;
  entities: number;
  pglite: boolean;
  databaseUrl: string;
}

function parse(argv: readonly string[], env: NodeJS.ProcessEnv): { kind: 'run'; options: SoakOptions } | { kind: 'help' } {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        seconds: { type: 'string' },
        clients: { type: 'string' },
        writes: { type: 'string' },
        entities: { type: 'string' },
        pglite: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new UsageError(describeError(err).split('. ')[0]);
  }
  if (values.help) return { kind: 'help' };
  const databaseUrl = env.DATABASE_URL || DEFAULT_DATABASE_URL;
  const pglite = values.pglite ?? false;
  if (!pglite) assertLoopback(databaseUrl);
  const writes = Number(values.writes ?? '0.2');
  if (!/^\d*\.?\d+$/.test(values.writes ?? '0.2') || writes < 0 || writes > 1)
    throw new UsageError(`--writes must be a number from 0 to 1, got ${JSON.stringify(values.writes)}`);
  return {
    kind: 'run',
    options: {
      seconds: integer('--seconds', values.seconds ?? '180', 1, 86_400),
      clients: integer('--clients', values.clients ?? '16', 1, 512),
      writes,
      entities: integer('--entities', values.entities ?? '50', 0, 10_000),
      pglite,
      databaseUrl,
    },
  };
}

function integer(option: string, raw: string, min: number, max: number): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < min || n > max)
    throw new UsageError(`${option} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  return n;
}

/** A soak hammers its database for minutes: never someone else's across the network. */
function assertLoopback(url: string): void {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    throw new UsageError('DATABASE_URL is not a URL this benchmark can check is local');
  }
  if (!['127.0.0.1', 'localhost', '[::1]', '::1', ''].includes(host)) {
    throw new UsageError(`DATABASE_URL must point at this machine (127.0.0.1, localhost or ::1), not ${host}`);
  }
}

// ---- the store ---------------------------------------------------------------------------------

interface Store {
  description: string;
  /** The gateway's and the CLI's environment for this store. */
  env: Record<string, string>;
  open(): Promise<Factlog>;
}

async function createStore(options: SoakOptions, cleanup: Cleanup): Promise<Store> {
  if (options.pglite) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'factlog-soak-'));
    cleanup.add(async () => rmSync(dir, { recursive: true, force: true }));
    return { description: `PGlite in ${dir}`, env: { FACTLOG_DATA_DIR: dir }, open: () => openFactlog({ dataDir: dir }) };
  }
  const name = `factlog_soak_${randomBytes(5).toString('hex')}`;
  await admin(options.databaseUrl, `CREATE DATABASE ${quoteIdent(name)}`);
  cleanup.add(async () => {
    await admin(options.databaseUrl, `DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
    process.stderr.write(`dropped database ${name}\n`);
  });
  const u = new URL(options.databaseUrl);
  u.pathname = `/${name}`;
  const url = u.toString();
  return {
    description: `PostgreSQL ${u.hostname}:${u.port || '5432'}/${name}`,
    env: { DATABASE_URL: url },
    open: () => openFactlog({ databaseUrl: url, dataDir: '' }),
  };
}

async function admin(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end().catch(() => undefined);
  }
}

interface Seeded {
  key: string;
  entities: string[];
  /** Facts that corrections aim at: few, so that concurrent clients collide on them. */
  hotFacts: string[];
}

/** seeds/ plus `n` organizations, each with a page and four safety-level facts, and an editor key. */
async function seed(store: Store, n: number): Promise<Seeded> {
  const app = await store.open();
  try {
    await loadSeeds(app.commands, path.join(ROOT, 'seeds'));
    const entities = ['anthropic'];
    for (let i = 0; i < n; i++) {
      const slug = `soak-org-${i}`;
      const entity = await app.commands.execute({
        type: 'RegisterEntity',
        fields: { slug, name: `Soak Organization ${i}`, type: 'organization' },
      });
      await app.commands.execute({
        type: 'CreatePage',
        slug,
        fields: { title: `Soak Organization ${i}`, quality: 50 + (i % 50), entityId: entity.id },
      });
      for (let k = 0; k < 4; k++) {
        await app.commands.execute({
          type: 'AssertFact',
          entity: slug,
          property: 'safety-level',
          value: `ASL-${1 + ((i + k) % 4)}`,
          asOf: `${2020 + k}-0${1 + (i % 9)}`,
        });
      }
      entities.push(slug);
    }
    const { rows } = await app.database.pool.query<{ id: string }>(
      `SELECT substr(stream, 6) AS id FROM streams WHERE stream LIKE 'fact-%' ORDER BY stream LIMIT 12`,
    );
    const key = (await new ApiKeys(app.database.db).create('soak', 'editor')).key;
    return { key, entities, hotFacts: rows.map((r) => r.id) };
  } finally {
    await app.close();
  }
}

// ---- the gateway process -----------------------------------------------------------------------

const ROOT = path.resolve(__dirname, '..', '..');
const CLI = path.join(__dirname, '..', 'src', 'cli.js');

interface Gateway {
  child: ChildProcess;
  origin: string;
  logFile: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
}

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base = { ...process.env };
  delete base.DATABASE_URL;
  delete base.FACTLOG_DATA_DIR;
  return { ...base, ...env };
}

async function startGateway(store: Store, cleanup: Cleanup, workDir: string): Promise<Gateway> {
  const port = await freeLoopbackPort();
  const logFile = path.join(workDir, 'gateway.log');
  const log = createWriteStream(logFile);
  const child = spawn(process.execPath, [CLI, 'serve', '--port', String(port), '--host', '127.0.0.1'], {
    cwd: ROOT,
    // The log level stays at info: writing a line per request is part of what is measured.
    env: childEnv({ ...store.env, FACTLOG_RATE_LIMIT: '0', FACTLOG_LOG_LEVEL: 'info' }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.pipe(log);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-20_000);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  cleanup.add(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await settleWithin(exited, 5000);
  });
  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the gateway exited with ${child.exitCode} while starting:\n${stderr}`);
    const ok = await fetch(`${origin}/readyz`, { signal: AbortSignal.timeout(5000) }).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`the gateway was not ready after 120 s:\n${stderr}`);
    await sleep(200);
  }
  return { child, origin, logFile, exited, stderr: () => stderr };
}

/** The gateway's RSS and log head, from its own /metrics (which the soak thereby exercises too). */
async function scrape(origin: string): Promise<{ rssBytes: number; head: number } | null> {
  try {
    const text = await (await fetch(`${origin}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
    const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
    return { rssBytes: value('process_resident_memory_bytes'), head: value('factlog_log_head_position') };
  } catch {
    return null;
  }
}

// ---- the load ------------------------------------------------------------------------------------

type Op = 'entity value' | 'source page' | 'pages' | 'assert fact' | 'correct fact';
const OPS: Op[] = ['entity value', 'source page', 'pages', 'assert fact', 'correct fact'];

const QUERIES: Record<Op, string> = {
  'entity value': `query EntityValue($id: ID!) { entity(id: $id) { name
    value(property: "safety-level") { displayValue asOfLabel }
    then: value(property: "safety-level", asOf: "2021-06") { displayValue }
    timeline(property: "safety-level") { asOf validEnd displayValue }
    facts(first: 20) { totalCount nodes { id displayValue version } } } }`,
  'source page': `query SourcePage { source(id: "YmFkZjUwMz") { id stableId title type
    credibility { rating label description inheritedFrom { name } } summary keyPoints
    citedBy(first: 50) { totalCount nodes { title type quality } }
    facts { totalCount nodes { entity { name } property { name } displayValue asOfLabel } }
    cachedContent { preview(chars: 400) sizeKb } } }`,
  pages: `query Pages($after: String) { pages(first: 20, after: $after) { totalCount pageInfo { endCursor hasNextPage } nodes { slug title quality entity { name } } } }`,
  'assert fact': `mutation AssertFact($input: AssertFactInput!) { assertFact(input: $input) { position fact { id version } } }`,
  'correct fact': `mutation CorrectFact($input: CorrectFactInput!) { correctFact(input: $input) { position fact { id version } } }`,
};

interface Acknowledged {
  position: number;
  factId: string;
  version: number;
}

class Tally {
  requests = 0;
  ok = 0;
  conflicts = 0;
  readonly errors = new Map<string, number>();
  readonly latencies: number[] = [];

  add(ms: number, outcome: 'ok' | 'conflict' | string): void {
    this.requests += 1;
    this.latencies.push(ms);
    if (outcome === 'ok') this.ok += 1;
    else if (outcome === 'conflict') this.conflicts += 1;
    else this.errors.set(outcome, (this.errors.get(outcome) ?? 0) + 1);
  }

  get errorCount(): number {
    return [...this.errors.values()].reduce((a, b) => a + b, 0);
  }
}

interface LoadState {
  running: boolean;
  total: Map<Op, Tally>;
  window: Tally;
  acknowledged: Acknowledged[];
  /** What the clients believe each hot fact's version is; a conflict tells them the actual one. */
  versions: Map<string, number>;
}

async function client(origin: string, seeded: Seeded, options: SoakOptions, state: LoadState, index: number): Promise<void> {
  let n = 0;
  while (state.running) {
    n += 1;
    const write = Math.random() < options.writes;
    const op: Op = write
      ? Math.random() < 0.5
        ? 'assert fact'
        : 'correct fact'
      : (['entity value', 'entity value', 'source page', 'pages'] as const)[Math.floor(Math.random() * 4)];
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)];
    let variables: Record<string, unknown> = {};
    let hot: string | undefined;
    if (op === 'entity value') variables = { id: pick(seeded.entities) };
    else if (op === 'assert fact') {
      variables = {
        input: {
          entity: pick(seeded.entities),
          property: 'safety-level',
          value: `ASL-${1 + (n % 5)} (soak ${index}.${n})`,
          asOf: `${2000 + Math.floor(Math.random() * 26)}-${String(1 + Math.floor(Math.random() * 12)).padStart(2, '0')}`,
        },
      };
    } else if (op === 'correct fact') {
      hot = pick(seeded.hotFacts);
      variables = {
        input: { id: hot, expectedVersion: state.versions.get(hot) ?? 1, set: { notes: `soak client ${index} request ${n}` } },
      };
    }
    const started = performance.now();
    let outcome: string;
    try {
      const res = await fetch(`${origin}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(write ? { authorization: `Bearer ${seeded.key}` } : {}) },
        body: JSON.stringify({ query: QUERIES[op], variables }),
        signal: AbortSignal.timeout(60_000),
      });
      const body = (await res.json()) as { data?: any; errors?: { extensions?: { code?: string; actualVersion?: number } }[] };
      const error = body.errors?.[0];
      if (!error && res.status === 200) {
        outcome = 'ok';
        const payload = body.data?.assertFact ?? body.data?.correctFact;
        if (payload) {
          state.acknowledged.push({ position: Number(payload.position), factId: payload.fact.id, version: payload.fact.version });
          if (hot) state.versions.set(hot, Math.max(state.versions.get(hot) ?? 0, payload.fact.version));
        }
      } else if (error?.extensions?.code === 'CONFLICT' && op === 'correct fact') {
        outcome = 'conflict';
        if (hot && typeof error.extensions.actualVersion === 'number') state.versions.set(hot, error.extensions.actualVersion);
      } else {
        outcome = error?.extensions?.code ?? `HTTP_${res.status}`;
      }
    } catch (err) {
      outcome = (err as Error).name === 'TimeoutError' ? 'CLIENT_TIMEOUT' : 'NO_ANSWER';
    }
    const ms = performance.now() - started;
    state.total.get(op)!.add(ms, outcome);
    state.window.add(ms, outcome);
  }
}

// ---- the checks at the end --------------------------------------------------------------------------

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runCli(args: string[], env: Record<string, string>): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: ROOT,
      env: childEnv({ ...env, CI: 'true' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-20_000)));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Acknowledged writes whose position does not hold that fact's event at that version. */
async function missingWrites(store: Store, acknowledged: readonly Acknowledged[]): Promise<string[]> {
  const app = await store.open();
  try {
    const missing: string[] = [];
    for (let i = 0; i < acknowledged.length; i += 5000) {
      const chunk = acknowledged.slice(i, i + 5000);
      const { rows } = await app.database.pool.query<{ position: number; stream: string; stream_version: number }>(
        'SELECT position, stream, stream_version FROM events WHERE position = ANY($1::bigint[])',
        [chunk.map((a) => a.position)],
      );
      const byPosition = new Map(rows.map((r) => [Number(r.position), r]));
      for (const a of chunk) {
        const row = byPosition.get(a.position);
        if (!row || row.stream !== `fact-${a.factId}` || Number(row.stream_version) !== a.version) {
          missing.push(
            `position ${a.position}: expected fact-${a.factId} v${a.version}, found ${row ? `${row.stream} v${row.stream_version}` : 'nothing'}`,
          );
        }
      }
    }
    return missing;
  } finally {
    await app.close();
  }
}

// ---- main --------------------------------------------------------------------------------------------

const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : '-');
const mb = (bytes: number) => `${fmt(bytes / 1024 / 1024)} MB`;
const codes = (m: Map<string, number>) =>
  m.size
    ? [...m]
        .sort((a, b) => b[1] - a[1])
        .map(([c, k]) => `${c} ${k}`)
        .join(', ')
    : '-';

async function soak(options: SoakOptions): Promise<number> {
  const cleanup = new Cleanup();
  const state: LoadState = {
    running: false,
    total: new Map(OPS.map((op) => [op, new Tally()])),
    window: new Tally(),
    acknowledged: [],
    versions: new Map(),
  };
  const interrupt = () => {
    state.running = false;
    process.stderr.write('interrupted: cleaning up\n');
    void cleanup.run().then(() => process.exit(130));
  };
  process.once('SIGINT', interrupt);
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'factlog-soak-work-'));
  cleanup.add(async () => rmSync(workDir, { recursive: true, force: true }));
  try {
    const store = await createStore(options, cleanup);
    process.stderr.write(`seeding ${store.description} (seeds/ + ${options.entities} entities) …\n`);
    const seeded = await seed(store, options.entities);
    for (const id of seeded.hotFacts) state.versions.set(id, 1);
    const gateway = await startGateway(store, cleanup, workDir);
    const first = await scrape(gateway.origin);
    const headBefore = first?.head ?? NaN;
    process.stdout.write(
      `soak: ${options.clients} clients for ${options.seconds} s against ${gateway.origin} on ${store.description}, ${Math.round(options.writes * 100)}% writes; gateway RSS ${mb(first?.rssBytes ?? NaN)}, log head ${headBefore}\n`,
    );

    const rss: number[] = [first?.rssBytes ?? NaN];
    state.running = true;
    const started = performance.now();
    const clients = Array.from({ length: options.clients }, (_, i) => client(gateway.origin, seeded, options, state, i));
    let lastReport = started;
    while (state.running) {
      const elapsed = (performance.now() - started) / 1000;
      const left = options.seconds - elapsed;
      await sleep(Math.max(0, Math.min(10_000 - (performance.now() - lastReport), left * 1000)));
      if (gateway.child.exitCode !== null)
        throw new Error(`the gateway died during the soak (exit ${gateway.child.exitCode}):\n${gateway.stderr()}`);
      const now = performance.now();
      if (now - lastReport >= 9_900 || now - started >= options.seconds * 1000) {
        const w = state.window;
        state.window = new Tally();
        const m = await scrape(gateway.origin);
        if (m) rss.push(m.rssBytes);
        const sorted = [...w.latencies].sort((a, b) => a - b);
        const seconds = (now - lastReport) / 1000;
        process.stdout.write(
          `[${fmt((now - started) / 1000).padStart(4)} s] ${fmt(w.requests / seconds, 1).padStart(7)} req/s, ` +
            `errors ${fmt((100 * w.errorCount) / Math.max(1, w.requests), 2)}% (${codes(w.errors)}), conflicts ${w.conflicts}, ` +
            `p50 ${fmt(percentile(sorted, 50), 1)} ms, p99 ${fmt(percentile(sorted, 99), 1)} ms; gateway RSS ${mb(m?.rssBytes ?? NaN)}, log head ${m?.head ?? '-'}\n`,
        );
        lastReport = now;
      }
      if (now - started >= options.seconds * 1000) state.running = false;
    }
    await Promise.all(clients);
    const loadSeconds = (performance.now() - started) / 1000;

    // Stop the gateway as an operator would; a clean drain exits 0.
    gateway.child.kill('SIGTERM');
    await settleWithin(gateway.exited, 30_000);
    const exit = gateway.child.exitCode;
    const logLines = readFileSync(gateway.logFile, 'utf8')
      .split('\n')
      .filter((l) => l.length > 0);
    const requestLines = logLines.filter((l) => l.includes('"msg":"request"') && l.includes('"path":"/graphql"')).length;

    process.stderr.write('audit verify …\n');
    const verify = await runCli(['audit', 'verify', '--json'], store.env);
    process.stderr.write('audit replay …\n');
    const replay = await runCli(['audit', 'replay', '--json'], store.env);
    const missing = await missingWrites(store, state.acknowledged);
    const verifyReport = safeJson(verify.stdout) as { ok?: boolean; checked?: number; eventsPerSecond?: number } | null;
    const replayReport = safeJson(replay.stdout) as { events?: number; tables?: { table: string; equal: boolean }[] } | null;

    // ---- summary
    const all = new Tally();
    for (const t of state.total.values()) {
      all.requests += t.requests;
      all.ok += t.ok;
      all.conflicts += t.conflicts;
      for (const [c, k] of t.errors) all.errors.set(c, (all.errors.get(c) ?? 0) + k);
      all.latencies.push(...t.latencies);
    }
    const rows = [...OPS.map((op) => ({ op, t: state.total.get(op)! })), { op: 'all' as const, t: all }];
    const stats = new Map(rows.map((r) => [r.op, [...r.t.latencies].sort((a, b) => a - b)]));
    process.stdout.write(
      `\n${formatTable(
        [
          { header: 'operation', align: 'left', cell: (r: (typeof rows)[number]) => r.op },
          { header: 'requests', align: 'right', cell: (r) => String(r.t.requests) },
          { header: 'req/s', align: 'right', cell: (r) => fmt(r.t.requests / loadSeconds, 1) },
          { header: 'ok', align: 'right', cell: (r) => String(r.t.ok) },
          { header: 'conflicts', align: 'right', cell: (r) => String(r.t.conflicts) },
          { header: 'errors', align: 'right', cell: (r) => String(r.t.errorCount) },
          { header: 'p50 ms', align: 'right', cell: (r) => fmt(percentile(stats.get(r.op)!, 50), 1) },
          { header: 'p95 ms', align: 'right', cell: (r) => fmt(percentile(stats.get(r.op)!, 95), 1) },
          { header: 'p99 ms', align: 'right', cell: (r) => fmt(percentile(stats.get(r.op)!, 99), 1) },
          { header: 'max ms', align: 'right', cell: (r) => fmt(stats.get(r.op)!.at(-1) ?? NaN, 1) },
        ],
        rows,
      )}\n\n`,
    );
    const finiteRss = rss.filter(Number.isFinite);
    const verifyOk = verify.code === 0 && verifyReport?.ok === true;
    const replayOk = replay.code === 0 && (replayReport?.tables?.every((t) => t.equal) ?? false);
    const facts: [string, string][] = [
      ['store', store.description],
      ['load', `${options.clients} clients, ${fmt(loadSeconds)} s, ${Math.round(options.writes * 100)}% writes`],
      ['throughput', `${fmt(all.requests / loadSeconds, 1)} req/s (${all.requests} requests)`],
      ['errors', `${all.errorCount} (${fmt((100 * all.errorCount) / Math.max(1, all.requests), 3)}%): ${codes(all.errors)}`],
      ['conflicts (expected)', String(all.conflicts)],
      ['gateway RSS', `start ${mb(finiteRss[0] ?? NaN)}, max ${mb(Math.max(...finiteRss))}, end ${mb(finiteRss.at(-1) ?? NaN)}`],
      ['log', `head ${headBefore} → ${verifyReport?.checked ?? '?'} events`],
      ['request log lines', `${requestLines} for /graphql (${all.requests} requests sent)`],
      ['gateway exit', exit === 0 ? 'SIGTERM → exit 0' : `exit ${String(exit)} ${gateway.child.signalCode ?? ''}`],
      ['acknowledged writes', `${state.acknowledged.length}, missing from the log: ${missing.length}`],
      [
        'audit verify',
        verifyOk
          ? `ok, ${verifyReport?.checked} events (${verifyReport?.eventsPerSecond} ev/s)`
          : `FAILED (exit ${verify.code}) ${verify.stdout.slice(0, 500)} ${verify.stderr.slice(-500)}`,
      ],
      [
        'audit replay',
        replayOk
          ? `ok, ${replayReport?.events} events, every read model equal`
          : `FAILED (exit ${replay.code}) ${replay.stdout.slice(0, 1500)} ${replay.stderr.slice(-500)}`,
      ],
    ];
    for (const [k, v] of facts) process.stdout.write(`${k.padEnd(20)} ${v}\n`);
    for (const m of missing.slice(0, 20)) process.stdout.write(`  lost: ${m}\n`);
    return missing.length === 0 && verifyOk && replayOk && exit === 0 ? 0 : 1;
  } finally {
    state.running = false;
    process.removeListener('SIGINT', interrupt);
    await cleanup.run();
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

runMain('bench:soak', parse, USAGE, (err): err is Error => err instanceof UsageError, soak);
