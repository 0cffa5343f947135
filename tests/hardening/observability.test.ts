import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { ApiKeys } from '../../src/auth/keys';
import { factlogOver } from '../../src/app';
import type { MetricsAccess } from '../../src/config';
import { loadSeeds } from '../../src/seed';
import { startServer, type RunningServer } from '../../src/server';
import { openPglite, openPostgres, quoteIdent, type Database } from '../../src/store/database';
import { migrateToLatest } from '../../src/store/migrate';
import { createTestFactlog, type TestFactlog } from '../support/factlog';
import { ensureBuilt, ROOT } from '../audit/cli-support';
import { adminQuery, createScratchDatabase, targetKind } from '../support/test-database';
import { freePort } from '../support/throwaway-cluster';

/**
 * Production hardening, part 5: what an operator sees. One JSON log line per request (request id,
 * operation, status, duration, error codes, principal, never the key), Prometheus metrics in a registry
 * per gateway, and /readyz answering 503 with a reason until the database answers and is migrated.
 */

type LogLine = Record<string, unknown>;

/** A pino logger whose lines land in an array. */
function collectingLogger(level = 'debug') {
  const lines: LogLine[] = [];
  const raw: string[] = [];
  const logger = pino(
    { level, formatters: { level: (label) => ({ level: label }) } },
    {
      write(chunk: string) {
        raw.push(chunk);
        lines.push(JSON.parse(chunk) as LogLine);
      },
    },
  );
  return { logger, lines, raw };
}

async function post(base: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return {
    status: res.status,
    headers: res.headers,
    body: (await res.json()) as { data?: any; errors?: { message: string; extensions?: { code?: string } }[] },
  };
}

/** Sample value of one series in Prometheus text, or undefined. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('logs and metrics', () => {
  let app: TestFactlog;
  let editorKey: string;
  let adminKey: string;
  const servers: RunningServer[] = [];

  beforeAll(async () => {
    app = await createTestFactlog();
    await loadSeeds(app.commands);
    const keys = new ApiKeys(app.database.db);
    editorKey = (await keys.create('writer', 'editor')).key;
    adminKey = (await keys.create('root', 'admin')).key;
  });
  afterAll(async () => {
    for (const server of servers) await server.stop();
    await app?.dispose();
  });

  async function start(options: { metrics?: MetricsAccess; maxBodyBytes?: number } = {}) {
    const log = collectingLogger();
    const server = await startServer({
      ...app,
      port: 0,
      host: '127.0.0.1',
      logger: log.logger,
      metrics: options.metrics,
      http: { rateLimitPerMinute: 0, ...(options.maxBodyBytes ? { maxBodyBytes: options.maxBodyBytes } : {}) },
    });
    servers.push(server);
    return { base: `http://127.0.0.1:${server.port}`, ...log };
  }

  it('writes one line per request with its id, operation, status, duration, codes and principal, and never the key', async () => {
    const { base, lines, raw } = await start({ maxBodyBytes: 10_000 });
    const requests = (path: string) => lines.filter((l) => l.msg === 'request' && l.path === path);

    // A sane incoming id is honoured and echoed.
    const named = await post(
      base,
      { query: 'query FactVersion { fact(id: "f_BnkEWenniQ") { version } }' },
      { authorization: `Bearer ${editorKey}`, 'x-request-id': 'trace-42.a' },
    );
    expect(named.status).toBe(200);
    expect(named.headers.get('x-request-id')).toBe('trace-42.a');
    // An id with spaces (or a newline, or 1 KB of it) is replaced by a fresh one.
    const insane = await post(base, { query: '{ health { headPosition } }' }, { 'x-request-id': 'a b <script>' });
    const generated = insane.headers.get('x-request-id')!;
    expect(generated).toMatch(/^[0-9a-f-]{36}$/);
    const none = await post(base, { query: '{ health { headPosition } }' });
    expect(none.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(none.headers.get('x-request-id')).not.toBe(generated);

    // Failures of every layer carry their codes: a domain rejection, a bad key, a refused body, a parse error.
    const conflict = await post(
      base,
      {
        query: 'mutation Fix($input: CorrectFactInput!) { correctFact(input: $input) { position } }',
        variables: { input: { id: 'f_BnkEWenniQ', expectedVersion: 99, set: { notes: 'x' } } },
        operationName: 'Fix',
      },
      { authorization: `Bearer ${editorKey}` },
    );
    expect(conflict.body.errors?.[0].extensions?.code).toBe('CONFLICT');
    const badKey = await post(base, { query: '{ health { headPosition } }' }, { authorization: 'Bearer flk_not-a-key' });
    expect(badKey.status).toBe(401);
    const tooLarge = await post(base, { query: `{ health { headPosition } } #${'x'.repeat(20_000)}` });
    expect(tooLarge.status).toBe(413);
    const unparsable = await post(base, { query: 'query Broken { health {', operationName: 'Broken' });
    expect(unparsable.body.errors?.[0].extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
    await fetch(`${base}/healthz`);

    // The line is written when the response finishes, which can be a moment after the client has it.
    await waitFor(() => requests('/healthz').length === 1);
    const graphql = requests('/graphql');
    expect(graphql).toHaveLength(7);
    const [first, second, , fourth, fifth, sixth, seventh] = graphql;
    expect(first).toMatchObject({
      level: 'info',
      requestId: 'trace-42.a',
      method: 'POST',
      path: '/graphql',
      operation: 'FactVersion',
      operationType: 'query',
      status: 200,
      principal: 'writer',
    });
    expect(typeof first.durationMs).toBe('number');
    expect(first.errorCodes).toBeUndefined();
    expect(second).toMatchObject({ requestId: generated, operation: '', operationType: 'query', principal: 'anonymous' });
    expect(fourth).toMatchObject({ operation: 'Fix', operationType: 'mutation', errorCodes: ['CONFLICT'], principal: 'writer' });
    expect(fifth).toMatchObject({ status: 401, errorCodes: ['UNAUTHENTICATED'] });
    expect(fifth.principal).toBeUndefined();
    expect(sixth).toMatchObject({ status: 413, errorCodes: ['PAYLOAD_TOO_LARGE'] });
    expect(seventh).toMatchObject({ operation: 'Broken', errorCodes: ['GRAPHQL_PARSE_FAILED'] });
    expect(seventh.operationType).toBeUndefined();
    // Probes are logged at debug, so a level of info keeps them out of the way.
    expect(requests('/healthz')[0]).toMatchObject({ level: 'debug', status: 200 });
    // No key, not even the wrong one, anywhere in the output.
    const all = raw.join('');
    expect(all).not.toContain(editorKey);
    expect(all).not.toContain('flk_not-a-key');
    expect(all).not.toContain('Bearer');
  });

  it('serves Prometheus metrics from a registry of its own', async () => {
    const one = await start();
    const other = await start();
    await post(one.base, { query: 'query Probe { health { headPosition } }' });
    await post(one.base, { query: 'query Probe { health { headPosition } }' });
    await post(one.base, { query: 'query Probe { nope }' });
    await post(
      one.base,
      {
        query:
          'mutation Add { assertFact(input: { entity: "anthropic", property: "safety-level", value: "ASL-9", asOf: "2031" }) { position } }',
      },
      { authorization: `Bearer ${editorKey}` },
    );
    await fetch(`${one.base}/playground-does-not-exist`);

    const res = await fetch(`${one.base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(sample(text, 'factlog_graphql_requests_total{operation="Probe",type="query",outcome="success"}')).toBe(2);
    expect(sample(text, 'factlog_graphql_requests_total{operation="Probe",type="query",outcome="client_error"}')).toBe(1);
    expect(sample(text, 'factlog_graphql_requests_total{operation="Add",type="mutation",outcome="success"}')).toBe(1);
    expect(sample(text, 'factlog_graphql_errors_total{code="GRAPHQL_VALIDATION_FAILED"}')).toBe(1);
    expect(sample(text, 'factlog_graphql_request_duration_seconds_count{operation="Probe",type="query",outcome="success"}')).toBe(2);
    expect(sample(text, 'factlog_http_requests_total{route="other",status="404"}')).toBe(1);
    const head = (await app.store.head()).position;
    expect(sample(text, 'factlog_log_head_position')).toBe(head);
    expect(sample(text, 'factlog_projection_lag_events{node="primary"}')).toBe(0);
    expect(sample(text, 'factlog_database_up{node="primary"}')).toBe(1);
    expect(sample(text, 'factlog_db_pool_max{node="primary"}')).toBe(targetKind === 'pglite' ? 1 : 10);
    for (const state of ['total', 'idle', 'waiting'])
      expect(sample(text, `factlog_db_pool_connections{node="primary",state="${state}"}`)).toBeGreaterThanOrEqual(0);
    // On PostgreSQL the gateways of this file share one schema and so one leader lock; any one may hold it.
    expect([0, 1]).toContain(sample(text, 'factlog_leader'));
    expect(text).toContain('process_resident_memory_bytes');

    // The other gateway in this process counted nothing of that.
    const otherText = await (await fetch(`${other.base}/metrics`)).text();
    expect(otherText).not.toContain('operation="Probe"');
  });

  it('puts /metrics behind an admin key, or switches it off, when told to', async () => {
    const guarded = await start({ metrics: 'admin' });
    expect((await fetch(`${guarded.base}/metrics`)).status).toBe(401);
    expect((await fetch(`${guarded.base}/metrics`, { headers: { authorization: `Bearer ${editorKey}` } })).status).toBe(403);
    expect((await fetch(`${guarded.base}/metrics`, { headers: { authorization: 'Bearer flk_nope' } })).status).toBe(401);
    const ok = await fetch(`${guarded.base}/metrics`, { headers: { authorization: `Bearer ${adminKey}` } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('factlog_log_head_position');
    const off = await start({ metrics: 'off' });
    const res = await fetch(`${off.base}/metrics`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      errors: [{ message: expect.stringContaining('FACTLOG_METRICS=off'), extensions: { code: 'NOT_FOUND' } }],
    });
  });
});

describe('/readyz', () => {
  it('answers 503 until the migrations have run, then 200; /healthz answers throughout', async () => {
    // An empty database: a schema of its own on PostgreSQL, a fresh PGlite otherwise.
    const url = process.env.DATABASE_URL;
    const schema = `test_${randomBytes(6).toString('hex')}`;
    let database: Database;
    if (url) {
      await adminQuery(url, `CREATE SCHEMA ${quoteIdent(schema)}`);
      database = openPostgres({ url, schema });
    } else {
      database = await openPglite({ dataDir: 'memory://' });
    }
    const log = collectingLogger();
    const server = await startServer({
      ...factlogOver(database),
      port: 0,
      host: '127.0.0.1',
      logger: log.logger,
      replication: { heartbeatMs: 600_000, leaderRetryMs: 600_000 },
    });
    try {
      const base = `http://127.0.0.1:${server.port}`;
      const before = await fetch(`${base}/readyz`);
      expect(before.status).toBe(503);
      expect(await before.json()).toEqual({
        status: 'migrating',
        reason: expect.stringMatching(/^migrations not applied yet: 0001_event_log, /),
      });
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      // The failed probe is logged as a warning (a successful one only at debug).
      await waitFor(() => log.lines.some((l) => l.path === '/readyz'));
      expect(log.lines.find((l) => l.path === '/readyz')).toMatchObject({ level: 'warn', status: 503 });

      await migrateToLatest(database.db);
      const after = await fetch(`${base}/readyz`);
      expect(after.status).toBe(200);
      expect(await after.json()).toEqual({ status: 'ready', database: targetKind, headPosition: '0' });
    } finally {
      await server.stop();
      await database.close();
      if (url) await adminQuery(url, `DROP SCHEMA ${quoteIdent(schema)} CASCADE`);
    }
  });

  it('answers 503 with a reason while the database is down; GraphQL says SERVICE_UNAVAILABLE and the process stays up', async () => {
    // Nothing listens on this port: every connection is refused, as when PostgreSQL is down.
    const port = await freePort();
    const database = openPostgres({ url: `postgres://nobody@127.0.0.1:${port}/nothing`, connectionTimeoutMs: 5000 });
    const log = collectingLogger();
    const server = await startServer({
      ...factlogOver(database),
      port: 0,
      host: '127.0.0.1',
      logger: log.logger,
      readyTimeoutMs: 5000,
      replication: { heartbeatMs: 600_000, leaderRetryMs: 600_000 },
    });
    try {
      const base = `http://127.0.0.1:${server.port}`;
      const ready = await fetch(`${base}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toEqual({ status: 'unavailable', reason: expect.stringMatching(/^database: .*ECONNREFUSED/) });
      expect((await fetch(`${base}/healthz`)).status).toBe(200);

      const query = await post(base, { query: '{ health { headPosition } }' });
      expect(query.status).toBe(503);
      expect(query.headers.get('retry-after')).toBe('1');
      expect(query.body.errors?.map((e) => e.extensions?.code)).toEqual(['SERVICE_UNAVAILABLE']);
      // With a key, the key lookup is what fails first.
      const keyed = await post(base, { query: '{ health { headPosition } }' }, { authorization: 'Bearer flk_whatever' });
      expect(keyed.status).toBe(503);
      expect(keyed.body.errors?.map((e) => e.extensions?.code)).toEqual(['SERVICE_UNAVAILABLE']);

      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(sample(metrics, 'factlog_database_up{node="primary"}')).toBe(0);
      expect(sample(metrics, 'factlog_graphql_errors_total{code="SERVICE_UNAVAILABLE"}')).toBe(2);
      await waitFor(() => log.lines.filter((l) => l.path === '/graphql').length === 2);
      expect(log.lines.filter((l) => l.path === '/graphql').map((l) => [l.level, l.status, l.errorCodes])).toEqual([
        ['error', 503, ['SERVICE_UNAVAILABLE']],
        ['error', 503, ['SERVICE_UNAVAILABLE']],
      ]);
    } finally {
      await server.stop();
      await database.close();
    }
  });
});

describe('factlog serve', () => {
  it('logs JSON lines on stdout (startup, each request, shutdown) and exits 0 on SIGTERM, also with NODE_ENV=production', async () => {
    await ensureBuilt();
    // Its own store: a fresh database on DATABASE_URL's server, or a PGlite folder (which serve seeds).
    const url = process.env.DATABASE_URL;
    const scratch = url ? await createScratchDatabase(url, 'factlog_serve') : undefined;
    const dir = url ? undefined : mkdtempSync(path.join(os.tmpdir(), 'factlog-serve-'));
    const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'production', FACTLOG_LOG_LEVEL: 'info' };
    delete env.NODE_OPTIONS;
    delete env.DATABASE_URL;
    delete env.FACTLOG_DATA_DIR;
    if (scratch) env.DATABASE_URL = scratch.url;
    else env.FACTLOG_DATA_DIR = dir;
    const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), 'serve', '--port', '0', '--host', '127.0.0.1'], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('exit', (code, signal) => resolve({ code, signal })),
    );
    try {
      await waitFor(() => /GraphQL: http:\/\/localhost:\d+\/graphql/.test(stdout) || child.exitCode !== null);
      const port = /GraphQL: http:\/\/localhost:(\d+)\/graphql/.exec(stdout)?.[1];
      expect({ port: typeof port, stderr }).toEqual({ port: 'string', stderr: expect.any(String) });
      const res = await post(
        `http://127.0.0.1:${port}`,
        { query: 'query Served { health { headPosition } }' },
        { 'x-request-id': 'from-the-edge' },
      );
      expect(res.status).toBe(200);
      await waitFor(() => stdout.includes('"requestId":"from-the-edge"'));
      child.kill('SIGTERM');
      expect(await exited).toEqual({ code: 0, signal: null });

      // Every line of stdout is one JSON object.
      const lines = stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as LogLine);
      expect(lines[0]).toMatchObject({ service: 'factlog', level: 'info' });
      expect(lines.find((l) => typeof l.msg === 'string' && l.msg.includes('GraphQL: http://localhost:'))).toMatchObject({
        port: Number(port),
      });
      expect(lines.find((l) => l.requestId === 'from-the-edge')).toMatchObject({
        msg: 'request',
        method: 'POST',
        path: '/graphql',
        operation: 'Served',
        operationType: 'query',
        status: 200,
        principal: 'anonymous',
      });
      expect(lines.map((l) => l.msg)).toEqual(expect.arrayContaining(['shutting down: finishing in-flight requests', 'stopped']));
      expect(lines.at(-1)).toMatchObject({ msg: 'stopped' });
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
      await scratch?.drop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    }
  }, 600_000);
});

async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 10));
}
