import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openFactlog } from '../../src/app';
import { ApiKeys } from '../../src/auth/keys';
import { verifyLog } from '../../src/projections/audit';
import { loadSeeds } from '../../src/seed';
import { StoreInUseError } from '../../src/store/folder-lock';
import { ensureBuilt } from '../audit/cli-support';
import { describeExit, runCli, sleep, spawnCli, startGateway, type Exit, type Gateway } from '../support/cli-process';
import { createScratchDatabase } from '../support/test-database';

/**
 * The embedded store (PGlite) is the README's default, so it is tested like PostgreSQL: (1) its folder
 * has one owner at a time, and every other process (each CLI command, a second `serve`) is refused by
 * name and changes nothing; (2) `kill -9` of a serving gateway mid-write loses no acknowledged write
 * and never hands a log position out twice. (1) is about PGlite whatever DATABASE_URL says; (2) runs
 * on a PGlite folder, or on a fresh database of DATABASE_URL's server when it is set.
 */

const DATASET = path.resolve(__dirname, '../../../shared/datasets/longterm-wiki');

beforeAll(() => ensureBuilt(), 600_000);

const folders: string[] = [];
function freshFolder(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'factlog-embedded-'));
  folders.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});

async function stop(gateway: Gateway, signal: NodeJS.Signals = 'SIGTERM'): Promise<Exit> {
  gateway.process.kill(signal);
  return gateway.exited;
}

async function head(gateway: Gateway): Promise<number> {
  const res = await fetch(gateway.endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ health { headPosition } }' }),
  });
  const body = (await res.json()) as { data: { health: { headPosition: string } } };
  return Number(body.data.health.headPosition);
}

function expectRefusedBy(exit: Exit, owner: Gateway, what: string): void {
  const context = `${what}: ${describeExit(exit)}`;
  expect({ code: exit.code, context }).toEqual({ code: 1, context });
  const said = exit.stderr + exit.stdout;
  expect({ said, context }).toEqual({ said: expect.stringContaining('STORE_IN_USE'), context });
  // It names the owner, so the user knows which process to stop.
  expect({ said, context }).toEqual({ said: expect.stringContaining(`process ${owner.process.pid} `), context });
  expect({ said, context }).toEqual({ said: expect.stringContaining('"factlog serve --port 0 --host 127.0.0.1"'), context });
}

describe('one owner per embedded folder', () => {
  it('refuses every CLI command and a second serve while a gateway serves the folder, and changes nothing', async () => {
    const dir = freshFolder();
    const env = { FACTLOG_DATA_DIR: dir };
    expect((await runCli(['keys', 'create', '--name', 'first', '--role', 'admin'], env)).code).toBe(0);
    const gateway = await startGateway(env);
    try {
      const before = await head(gateway);
      expect(before).toBeGreaterThan(0); // the example was loaded on start
      const attempts: [string, string[]][] = [
        ['keys create', ['keys', 'create', '--name', 'second', '--role', 'editor']],
        ['keys list', ['keys', 'list']],
        ['keys revoke', ['keys', 'revoke', 'first']],
        ['import', ['import', 'longterm-wiki', DATASET, '--quiet']],
        ['audit verify', ['audit', 'verify']],
        ['audit replay', ['audit', 'replay']],
        ['projections rebuild', ['projections', 'rebuild']],
        ['migrate', ['migrate']],
        ['seed', ['seed']],
      ];
      for (const [what, args] of attempts) expectRefusedBy(await runCli(args, env), gateway, what);
      const second = spawnCli(['serve', '--port', '0', '--host', '127.0.0.1'], env);
      expectRefusedBy(await second.exited, gateway, 'a second serve');

      // The owner noticed nothing: same head, still serving.
      expect(await head(gateway)).toBe(before);
      expect(gateway.process.exitCode).toBeNull();
    } finally {
      expect((await stop(gateway)).code).toBe(0);
    }

    // Once it is stopped, the commands run, and the store is whole: one key, an intact log.
    const verify = await runCli(['audit', 'verify'], env);
    expect({ code: verify.code, out: verify.stdout }).toEqual({ code: 0, out: expect.stringMatching(/^ok: /) });
    const keys = await runCli(['keys', 'list'], env);
    expect(
      keys.stdout
        .trim()
        .split('\n')
        .map((line) => line.split('\t').slice(0, 2)),
    ).toEqual([['first', 'admin']]);
  }, 300_000);

  it('is released at once when its owner is killed with SIGKILL', async () => {
    const env = { FACTLOG_DATA_DIR: freshFolder() };
    const gateway = await startGateway(env);
    const exit = await stop(gateway, 'SIGKILL');
    expect(exit.signal).toBe('SIGKILL');
    const created = await runCli(['keys', 'create', '--name', 'after-crash', '--role', 'editor'], env);
    expect({ code: created.code, why: describeExit(created) }).toEqual({ code: 0, why: expect.any(String) });
  }, 120_000);

  it('lets exactly the processes that were told yes write, when several start at the same instant', async () => {
    const env = { FACTLOG_DATA_DIR: freshFolder() };
    const names = ['k0', 'k1', 'k2', 'k3', 'k4'];
    const exits = await Promise.all(names.map((name) => runCli(['keys', 'create', '--name', name, '--role', 'editor'], env)));
    for (const exit of exits) {
      if (exit.code !== 0)
        expect({ code: exit.code, said: exit.stderr }).toEqual({ code: 1, said: expect.stringContaining('STORE_IN_USE') });
    }
    const created = names.filter((_, i) => exits[i].code === 0);
    expect(created.length).toBeGreaterThan(0);
    const keys = await runCli(['keys', 'list', '--json'], env);
    expect((JSON.parse(keys.stdout) as { name: string }[]).map((k) => k.name).sort()).toEqual(created);
    const verify = await runCli(['audit', 'verify'], env);
    expect(verify.code).toBe(0);
  }, 180_000);

  it('refuses a second open inside one process too, until the first is closed', async () => {
    const dir = freshFolder();
    const first = await openFactlog({ dataDir: dir });
    try {
      const second = openFactlog({ dataDir: dir });
      await expect(second).rejects.toBeInstanceOf(StoreInUseError);
      await expect(second).rejects.toMatchObject({ code: 'STORE_IN_USE', owner: { pid: process.pid } });
    } finally {
      await first.close();
    }
    const again = await openFactlog({ dataDir: dir });
    await again.close();
  }, 60_000);
});

// ---- kill -9 of a serving gateway mid-write --------------------------------------------------------

interface Ack {
  factId: string;
  position: number;
}

const ASSERT =
  'mutation($asOf: PartialDate!) { assertFact(input: { entity: "anthropic", property: "safety-level", value: "ASL-4", asOf: $asOf }) { position fact { id } } }';

/** Writers that record every write the gateway acknowledged, until the gateway stops answering. */
async function writeUntilKilled(gateway: Gateway, key: string, round: number, killAfterMs: number): Promise<Ack[]> {
  const acks: Ack[] = [];
  let stopped = false;
  const writer = async (w: number) => {
    for (let i = 0; !stopped; i++) {
      try {
        const res = await fetch(gateway.endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
          body: JSON.stringify({ query: ASSERT, variables: { asOf: String(2100 + round * 1000 + w * 200 + (i % 200)) } }),
        });
        const body = (await res.json()) as { data?: { assertFact: { position: string; fact: { id: string } } } };
        if (body.data?.assertFact) acks.push({ factId: body.data.assertFact.fact.id, position: Number(body.data.assertFact.position) });
      } catch {
        return; // the gateway is gone: whatever it had not answered was never acknowledged
      }
    }
  };
  const writers = [0, 1, 2, 3].map(writer);
  await sleep(killAfterMs);
  gateway.process.kill('SIGKILL');
  await gateway.exited;
  stopped = true;
  await Promise.all(writers);
  return acks;
}

it('kill -9 of a serving gateway mid-write, five times: every acknowledged write stays, at the position it was given', async () => {
  const url = process.env.DATABASE_URL;
  const scratch = url ? await createScratchDatabase(url, 'factlog_crash') : undefined;
  const env: Record<string, string> = scratch ? { DATABASE_URL: scratch.url } : { FACTLOG_DATA_DIR: freshFolder() };
  const open = () => openFactlog(scratch ? { databaseUrl: scratch.url, dataDir: '' } : { dataDir: env.FACTLOG_DATA_DIR });
  try {
    const setup = await open();
    await loadSeeds(setup.commands);
    const key = (await new ApiKeys(setup.database.db).create('crash-writer', 'editor')).key;
    await setup.close();

    const acknowledged: Ack[] = [];
    for (let round = 0; round < 5; round++) {
      const gateway = await startGateway(env);
      const acks = await writeUntilKilled(gateway, key, round, 800 + Math.floor(Math.random() * 1200));
      expect(acks.length).toBeGreaterThan(0);
      acknowledged.push(...acks);

      const app = await open();
      try {
        const { rows } = await app.database.pool.query<{ position: number; stream: string }>(
          'SELECT position, stream FROM events WHERE position = ANY($1::bigint[])',
          [acknowledged.map((a) => a.position)],
        );
        const streamAt = new Map(rows.map((r) => [Number(r.position), r.stream]));
        // Each acknowledged write is still at the position the gateway answered with: nothing lost,
        // and no position was handed out again after a restart.
        expect(acknowledged.filter((a) => streamAt.get(a.position) !== `fact-${a.factId}`)).toEqual([]);
        expect(await verifyLog(app.db)).toMatchObject({ ok: true });
      } finally {
        await app.close();
      }
    }
    expect(new Set(acknowledged.map((a) => a.position)).size).toBe(acknowledged.length);
  } finally {
    await scratch?.drop();
  }
}, 300_000);
