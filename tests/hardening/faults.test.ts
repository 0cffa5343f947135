import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openFactlog, factlogOver, type Factlog } from '../../src/app';
import { ApiKeys } from '../../src/auth/keys';
import { verifyLog } from '../../src/projections/audit';
import { loadSeeds } from '../../src/seed';
import { startServer, type RunningServer } from '../../src/server';
import { openPostgres, type Database } from '../../src/store/database';
import { migrateToLatest } from '../../src/store/migrate';
import { ensureBuilt, ROOT } from '../audit/cli-support';
import { describeExit, runCli, sleep, spawnCli, startGateway } from '../support/cli-process';
import { createScratchDatabase } from '../support/test-database';
import { startThrowawayCluster, type ThrowawayCluster } from '../support/throwaway-cluster';

/**
 * Production hardening, part 4: faults. (a) SIGKILL in the middle of an import, (b) PostgreSQL
 * restarting under a gateway that is serving load, (c) two gateway processes correcting the same facts
 * concurrently. (b) and (c) run on a PostgreSQL cluster this file starts itself (never the shared
 * server, which they would have to stop), whatever DATABASE_URL says; (a) runs on a fresh PGlite folder,
 * or on a fresh database of the shared server when DATABASE_URL is set.
 */

const DATASET = path.resolve(__dirname, '../../../shared/datasets/longterm-wiki');

let cluster: ThrowawayCluster;

beforeAll(async () => {
  // The cluster boots while dist is (re)built, if it has to be.
  const [started] = await Promise.all([startThrowawayCluster(), ensureBuilt()]);
  cluster = started;
  if (!existsSync(path.join(ROOT, 'dist', 'cli', 'import.js'))) throw new Error('dist/cli/import.js is missing after the build');
}, 600_000);
afterAll(async () => {
  await cluster?.dispose();
});

/** Progress lines on stderr, so a slow run shows where its time went. */
function timer(label: string): (what: string) => void {
  const started = Date.now();
  return (what) => process.stderr.write(`[${label} +${((Date.now() - started) / 1000).toFixed(1)} s] ${what}\n`);
}

// ---- (a) SIGKILL mid-import -----------------------------------------------------------------------

/** A store the CLI and this process take turns on: a PGlite folder, or a fresh database on DATABASE_URL's server. */
async function importStore(): Promise<{
  env: Record<string, string>;
  kind: 'pglite' | 'postgres';
  open(): Promise<Factlog>;
  reset(): void;
  dispose(): Promise<void>;
}> {
  const url = process.env.DATABASE_URL;
  if (url) {
    const scratch = await createScratchDatabase(url, 'factlog_kill');
    return {
      env: { DATABASE_URL: scratch.url },
      kind: 'postgres',
      open: () => openFactlog({ databaseUrl: scratch.url, dataDir: '' }),
      reset: () => undefined, // PostgreSQL is watched, so the kill never comes too late to need one
      dispose: scratch.drop,
    };
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'factlog-kill-'));
  return {
    env: { FACTLOG_DATA_DIR: dir },
    kind: 'pglite',
    open: () => openFactlog({ dataDir: dir }),
    reset: () => {
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir);
    },
    dispose: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

interface ImportReport {
  completed: boolean;
  eventsAppended: number;
  commands: number;
  batches: number;
  run: { correlationId: string; batchSize: number };
}

const BATCH = 200;

it('(a) an import killed with SIGKILL leaves whole batches; a re-run finishes it and a third appends nothing', async () => {
  const store = await importStore();
  const log = timer(`faults (a) on ${store.kind}`);
  try {
    const importArgs = ['import', 'longterm-wiki', DATASET, '--json', '--quiet', '--batch-size', String(BATCH)];

    // Run 1, killed once some batches are in. PostgreSQL can be watched while the import runs; PGlite
    // is one process's alone, so there the kill comes after a delay that adapts until it lands
    // mid-sync: longer when nothing was in yet, shorter (on a fresh store) when the import had
    // already finished — how long an import takes depends on the machine and its load.
    let killedAt = 0;
    let delayMs = 6_000;
    for (let attempt = 1; ; attempt++) {
      const child = spawnCli(importArgs, store.env);
      const spawned = Date.now();
      if (store.kind === 'postgres') {
        const watcher = new pg.Client({ connectionString: store.env.DATABASE_URL });
        await watcher.connect();
        try {
          const deadline = Date.now() + 240_000;
          for (;;) {
            const n = await watcher.query('SELECT count(*)::int AS n FROM events').then(
              (r) => r.rows[0].n as number,
              () => 0,
            );
            if (n >= BATCH * 2 || child.process.exitCode !== null || Date.now() > deadline) break;
            await sleep(50);
          }
          // Somewhere inside the next batch.
          await sleep(Math.floor(Math.random() * 400));
        } finally {
          await watcher.end();
        }
      } else {
        await Promise.race([sleep(delayMs), child.exited]);
      }
      if (store.kind === 'pglite' && child.process.exitCode !== null && attempt < 8) {
        log(`run 1, attempt ${attempt}: the import finished within ${delayMs} ms; again on a fresh store, sooner`);
        store.reset();
        delayMs = Math.round(delayMs * 0.6);
        continue;
      }
      child.process.kill('SIGKILL');
      const exit = await child.exited;
      // It was still running: killed mid-import, not after it ended on its own.
      if (exit.signal !== 'SIGKILL') throw new Error(`the import was not running any more when killed: ${describeExit(exit)}`);
      const app = await store.open();
      try {
        killedAt = (await app.store.head()).position;
      } finally {
        await app.close();
      }
      log(`run 1, attempt ${attempt}: killed after ${((Date.now() - spawned) / 1000).toFixed(1)} s with ${killedAt} events in`);
      if (killedAt > 0 || attempt >= 8) break;
      delayMs = Math.round(delayMs * 1.5);
    }
    expect(killedAt).toBeGreaterThan(0);

    // The log is intact and the read models equal a replay of it.
    const verify = await runCli(['audit', 'verify', '--json'], store.env);
    expect(verify.code).toBe(0);
    expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true, checked: killedAt });
    const replay = await runCli(['audit', 'replay'], store.env);
    expect({ code: replay.code, out: replay.stdout }).toEqual({
      code: 0,
      out: expect.stringContaining('every live read model equals a replay of the log'),
    });
    log('audit verify and replay passed');

    // Only whole batches: each batch is one append (one recorded_at, one correlation id, consecutive
    // positions, at most BATCH commands of one event each), and every stream's versions run 1..n.
    const app = await store.open();
    try {
      const { rows } = await app.database.pool.query<{
        position: number;
        recorded_at: Date;
        cid: string | null;
        stream: string;
        stream_version: number;
      }>(`SELECT position, recorded_at, metadata->>'correlationId' AS cid, stream, stream_version FROM events ORDER BY position`);
      expect(rows).toHaveLength(killedAt);
      const runs = new Set(rows.map((r) => r.cid));
      expect(runs.size).toBe(1);
      expect([...runs][0]).toMatch(/^longterm-wiki-import:/);
      const batches = new Map<number, number[]>();
      for (const r of rows)
        batches.set(new Date(r.recorded_at).getTime(), [...(batches.get(new Date(r.recorded_at).getTime()) ?? []), Number(r.position)]);
      for (const positions of batches.values()) {
        expect(positions.length).toBeLessThanOrEqual(BATCH);
        expect(positions[positions.length - 1] - positions[0]).toBe(positions.length - 1);
      }
      const versions = new Map<string, number>();
      for (const r of rows) {
        expect(r.stream_version).toBe((versions.get(r.stream) ?? 0) + 1);
        versions.set(r.stream, r.stream_version);
      }
      const { rows: streams } = await app.database.pool.query<{ stream: string; version: number }>('SELECT stream, version FROM streams');
      expect(new Map(streams.map((s) => [s.stream, s.version]))).toEqual(versions);
    } finally {
      await app.close();
    }

    // Run 2 finishes the job.
    const second = await runCli(importArgs, store.env);
    expect({ code: second.code, why: second.code === 0 ? '' : describeExit(second) }).toEqual({ code: 0, why: '' });
    const secondReport = JSON.parse(second.stdout) as ImportReport;
    expect(secondReport.completed).toBe(true);
    expect(secondReport.eventsAppended).toBeGreaterThan(0);
    log(`run 2 completed: ${secondReport.eventsAppended} more events`);

    // Run 3 has nothing left to do.
    const third = await runCli(importArgs, store.env);
    expect({ code: third.code, why: third.code === 0 ? '' : describeExit(third) }).toEqual({ code: 0, why: '' });
    const thirdReport = JSON.parse(third.stdout) as ImportReport;
    expect(thirdReport).toMatchObject({ completed: true, eventsAppended: 0 });
    log('run 3 appended nothing');

    const final = await store.open();
    try {
      const head = await final.store.head();
      expect(head.position).toBe(killedAt + secondReport.eventsAppended);
      const report = await verifyLog(final.db);
      expect(report).toMatchObject({ ok: true, checked: head.position });
    } finally {
      await final.close();
    }
  } finally {
    await store.dispose();
  }
}, 900_000);

// ---- (b) PostgreSQL restarts under load ------------------------------------------------------------

interface Sample {
  phase: string;
  ok: boolean;
  status: number;
  codes: string[];
  ms: number;
  kind: 'query' | 'mutation';
  factId?: string;
  error?: string;
}

const BOUND_MS = 15_000;

async function gql(url: string, key: string, query: string, variables: Record<string, unknown> = {}) {
  const started = Date.now();
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(BOUND_MS),
  });
  const text = await res.text();
  let body: { data?: any; errors?: { message: string; extensions?: { code?: string } }[] };
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`HTTP ${res.status}: not JSON: ${text.slice(0, 300)}`);
  }
  return { status: res.status, body, ms: Date.now() - started };
}

it('(b) a PostgreSQL restart under load fails requests cleanly, and the same gateway serves again afterwards', async () => {
  const url = await cluster.createDatabase();
  const database: Database = openPostgres({ url, maxConnections: 4, statementTimeoutMs: 10_000 });
  let server: RunningServer | undefined;
  try {
    await migrateToLatest(database.db);
    const app = factlogOver(database);
    await loadSeeds(app.commands);
    const key = (await new ApiKeys(database.db).create('loader', 'editor')).key;
    server = await startServer({ ...app, port: 0, host: '127.0.0.1', http: { rateLimitPerMinute: 0 } });
    const endpoint = `http://127.0.0.1:${server.port}/graphql`;
    const readyz = `http://127.0.0.1:${server.port}/readyz`;

    let phase = 'before';
    let running = true;
    const samples: Sample[] = [];
    const worker = async (w: number) => {
      for (let i = 0; running; i++) {
        const kind = i % 2 === 0 ? 'query' : 'mutation';
        const startedIn = phase;
        // A request counts for a phase only if it started and ended in it.
        const at = () => (phase === startedIn ? startedIn : `${startedIn}→${phase}`);
        try {
          const r =
            kind === 'query'
              ? await gql(endpoint, key, '{ fact(id: "f_BnkEWenniQ") { id version } health { headPosition } }')
              : await gql(
                  endpoint,
                  key,
                  'mutation($asOf: PartialDate!) { assertFact(input: { entity: "anthropic", property: "safety-level", value: "ASL-4", asOf: $asOf }) { position fact { id } } }',
                  { asOf: String(2030 + ((w * 1000 + i) % 5000)) },
                );
          const codes = (r.body.errors ?? []).map((e) => String(e.extensions?.code));
          samples.push({
            phase: at(),
            ok: !r.body.errors && r.status === 200,
            status: r.status,
            codes,
            ms: r.ms,
            kind,
            factId: r.body.data?.assertFact?.fact?.id,
            error: r.body.errors?.[0]?.message,
          });
        } catch (err) {
          samples.push({ phase: at(), ok: false, status: 0, codes: [], ms: BOUND_MS, kind, error: `no answer: ${(err as Error).message}` });
        }
        await sleep(20);
      }
    };
    const workers = [0, 1, 2, 3].map(worker);

    await sleep(1500);
    phase = 'outage';
    await cluster.stop('fast');
    const outageStarted = Date.now();
    const readiness: number[] = [];
    while (Date.now() - outageStarted < 3000) {
      const r = await fetch(readyz, { signal: AbortSignal.timeout(BOUND_MS) });
      readiness.push(r.status);
      await sleep(300);
    }
    phase = 'restarting';
    await cluster.start();
    // The same gateway (no restart) answers again within a bound.
    const recoveryStarted = Date.now();
    for (;;) {
      const r = await fetch(readyz, { signal: AbortSignal.timeout(BOUND_MS) });
      if (r.status === 200) break;
      if (Date.now() - recoveryStarted > 20_000) throw new Error(`still not ready 20 s after PostgreSQL came back: ${await r.text()}`);
      await sleep(100);
    }
    await sleep(500); // let requests that were queued across the restart settle
    phase = 'after';
    await sleep(2000);
    running = false;
    await Promise.all(workers);

    const inPhase = (p: string) => samples.filter((s) => s.phase === p);
    const summary = (p: string) =>
      `${p}: ${inPhase(p).length} requests, ${inPhase(p).filter((s) => s.ok).length} ok, codes ${JSON.stringify([...new Set(inPhase(p).flatMap((s) => s.codes))])}, first error ${inPhase(p).find((s) => !s.ok)?.error ?? '-'}`;
    const context = ['before', 'outage', 'restarting', 'after'].map(summary).join('\n');

    // Before: everything works.
    expect({ failed: inPhase('before').filter((s) => !s.ok).length, context }).toEqual({ failed: 0, context });
    expect(inPhase('before').length).toBeGreaterThan(4);
    // Every request got an answer within the bound, in GraphQL's shape (a client error list), never a hang.
    for (const s of samples) {
      expect({ answered: s.status !== 0, error: s.error, context }).toEqual({ answered: true, error: s.error, context });
      expect(s.ms).toBeLessThan(BOUND_MS);
      if (!s.ok) expect(s.codes.length).toBeGreaterThan(0);
    }
    // The outage was seen: failing requests, and /readyz said 503.
    expect(inPhase('outage').some((s) => !s.ok)).toBe(true);
    expect(readiness).toContain(503);
    // After: everything works again, queries and writes.
    expect(inPhase('after').length).toBeGreaterThan(4);
    expect({ failed: inPhase('after').filter((s) => !s.ok).length, context }).toEqual({ failed: 0, context });
    expect(inPhase('after').some((s) => s.kind === 'mutation')).toBe(true);

    // Every write the gateway acknowledged is in the log, and the log is intact.
    const acknowledged = samples.filter((s) => s.ok && s.factId).map((s) => s.factId!);
    const { rows } = await database.pool.query<{ id: string }>(`SELECT substr(stream, 6) AS id FROM streams WHERE stream LIKE 'fact-%'`);
    const stored = new Set(rows.map((r) => r.id));
    expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
    expect(await verifyLog(app.db)).toMatchObject({ ok: true });
  } finally {
    if (!cluster.running()) await cluster.start();
    await server?.stop();
    await database.close();
  }
}, 120_000);

// ---- (c) two gateway processes, concurrent corrections ---------------------------------------------

const startGatewayOn = (url: string) => startGateway({ DATABASE_URL: url });

it('(c) two gateway processes: concurrent corrections with expectedVersion lose no update, conflicts are CONFLICT', async () => {
  const url = await cluster.createDatabase();
  const setup = await openFactlog({ databaseUrl: url, dataDir: '' });
  let key = '';
  try {
    await loadSeeds(setup.commands);
    key = (await new ApiKeys(setup.database.db).create('writer', 'editor')).key;
  } finally {
    await setup.close();
  }
  const gateways = await Promise.all([startGatewayOn(url), startGatewayOn(url)]);
  try {
    const FACTS = ['f_BnkEWenniQ', 'f_R59LmVVzcw'];
    type Outcome = { fact: string; note: string; ok: boolean; version?: number; code?: string; message?: string };
    const outcomes: Outcome[] = [];
    const correct = async (endpoint: string, fact: string, expectedVersion: number, note: string) => {
      const r = await gql(
        endpoint,
        key,
        'mutation($input: CorrectFactInput!) { correctFact(input: $input) { position fact { version notes } } }',
        { input: { id: fact, expectedVersion, set: { notes: note } } },
      );
      const error = r.body.errors?.[0];
      outcomes.push(
        error
          ? { fact, note, ok: false, code: error.extensions?.code, message: error.message }
          : { fact, note, ok: true, version: r.body.data.correctFact.fact.version },
      );
    };

    // Round 0: every writer holds version 1 at once, so exactly one per fact can win.
    const WRITERS = 6;
    await Promise.all(Array.from({ length: WRITERS }, (_, w) => correct(gateways[w % 2].endpoint, FACTS[w % FACTS.length], 1, `w${w}-r0`)));
    // Then read-modify-write loops through both gateways, racing each other.
    await Promise.all(
      Array.from({ length: WRITERS }, async (_, w) => {
        const gateway = gateways[w % 2];
        const fact = FACTS[w % FACTS.length];
        for (let round = 1; round <= 8; round++) {
          const read = await gql(gateway.endpoint, key, 'query($id: ID!) { fact(id: $id) { version } }', { id: fact });
          await correct(gateway.endpoint, fact, read.body.data.fact.version, `w${w}-r${round}`);
        }
      }),
    );

    const failures = outcomes.filter((o) => !o.ok);
    expect(failures.filter((o) => o.code !== 'CONFLICT')).toEqual([]);
    expect(failures.length).toBeGreaterThanOrEqual(WRITERS - FACTS.length);
    for (const fact of FACTS) {
      const won = outcomes.filter((o) => o.fact === fact && o.ok);
      expect(won.length).toBeGreaterThan(0);
      // No lost update: each success made exactly one new version, in order, through either gateway.
      expect(won.map((o) => o.version).sort((a, b) => a! - b!)).toEqual(won.map((_, i) => i + 2));
      for (const gateway of gateways) {
        const now = await gql(gateway.endpoint, key, 'query($id: ID!) { fact(id: $id) { version notes history { type data } } }', {
          id: fact,
        });
        expect(now.body.data.fact.version).toBe(1 + won.length);
        const corrections = (now.body.data.fact.history as { type: string; data: { set?: { notes?: string } } }[]).filter(
          (e) => e.type === 'FactCorrected',
        );
        expect(corrections.map((e) => e.data.set?.notes).sort()).toEqual(won.map((o) => o.note).sort());
        expect(now.body.data.fact.notes).toBe(won.find((o) => o.version === 1 + won.length)!.note);
      }
    }

    // Both processes are still up and ready.
    for (const gateway of gateways) {
      expect(gateway.process.exitCode).toBeNull();
      expect((await fetch(`${gateway.origin}/readyz`)).status).toBe(200);
    }
    const verify = await runCli(['audit', 'verify'], { DATABASE_URL: url });
    expect({ code: verify.code, out: verify.stdout }).toEqual({ code: 0, out: expect.stringMatching(/^ok: /) });
  } finally {
    for (const gateway of gateways) gateway.process.kill('SIGTERM');
    const exits = await Promise.all(gateways.map((g) => Promise.race([g.exited, sleep(15_000).then(() => null)])));
    for (const [i, exit] of exits.entries()) {
      if (exit === null) gateways[i].process.kill('SIGKILL');
    }
    expect(exits.map((e) => e?.code)).toEqual([0, 0]);
  }
}, 180_000);
