import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createCliStore, ensureBuilt, type CliStore } from '../audit/cli-support';
import { runScenario, type Scenario } from '../audit/scenario';
import { readYaml } from '../importers/longterm-wiki-support';
import { spawnCli } from '../support/cli-process';

// The built `factlog export longterm-wiki` as a user runs it, on a store of its own (PGlite folder or a fresh PostgreSQL database).

jest.setTimeout(300_000);

let store: CliStore;
let scenario: Scenario;
let out: string;
const exportCli = async (...args: string[]) =>
  (await spawnCli(['export', ...args], store.env).exited) as { code: number; stdout: string; stderr: string };

beforeAll(async () => {
  await ensureBuilt();
  store = await createCliStore();
  scenario = await store.with((app) => runScenario(app.commands, app.db));
  out = await fs.mkdtemp(path.join(os.tmpdir(), 'factlog-export-cli-'));
}, 300_000);
afterAll(async () => {
  await store?.dispose();
  if (out) await fs.rm(out, { recursive: true, force: true });
});

it('--help says what it writes and how to pin a moment', async () => {
  const r = await exportCli('--help');
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('Usage: factlog export longterm-wiki <dir>');
  expect(r.stdout).toContain('--at-position N');
  expect(r.stdout).toContain('--known-at TIME');
});

it('writes the layout of a store built through the API, each entity into things/<slug>.yaml, at any position', async () => {
  const dir = path.join(out, 'now');
  const thing = async (slug: string) => readYaml(await fs.readFile(path.join(dir, 'things', `${slug}.yaml`), 'utf8'));
  const factIds = (doc: { facts: { id: string }[] }) => doc.facts.map((f) => f.id);

  const r = await exportCli('longterm-wiki', dir);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(new RegExp(`^exported the store at position ${scenario.head} `));
  // Renamed to anthropic-pbc, the old slug kept as an alias; the retracted rumour is not a fact any more.
  const now = await thing('anthropic-pbc');
  expect(now.thing).toMatchObject({ id: 'anthropic-pbc', stableId: 'mK9pX3rQ7n', type: 'organization' });
  expect(now.thing.aliases).toContain('anthropic');
  expect(factIds(now)).toEqual(['f_BnkEWenniQ', 'f_R59LmVVzcw']);

  // The same folder at the position where the rumour was asserted: the file has its old name again.
  const json = await exportCli('longterm-wiki', dir, '--json', '--at-position', String(scenario.steps.assertRumor.position));
  expect(json.code).toBe(0);
  expect(JSON.parse(json.stdout)).toMatchObject({
    position: scenario.steps.assertRumor.position,
    // The mirror source, merged away by then, was only named by the rumour's citation: no resources file yet.
    filesRemoved: ['things/anthropic-pbc.yaml', 'resources/web-other.yaml'],
  });
  expect(factIds(await thing('anthropic'))).toEqual(['f_BnkEWenniQ', 'f_R59LmVVzcw', 'f_AuditRumor1']);
});

it.each([
  [['longterm-wiki', 'DIR', '--at-position', 'HEAD+1'], /BAD_USER_INPUT: atPosition \d+ is beyond the log's head/],
  [['longterm-wiki', 'DIR', '--at-position=-1'], /--at-position must be a whole number ≥ 0/],
  [['longterm-wiki', 'DIR', '--at-position', '3', '--known-at', '2026-01-01T00:00:00Z'], /give --at-position or --known-at, not both/],
  [['longterm-wiki', 'DIR', '--known-at', 'yesterday'], /--known-at must be an ISO 8601 instant/],
  [['mediawiki', 'DIR'], /unknown format "mediawiki"; known: longterm-wiki/],
  [['longterm-wiki'], /give the folder to write/],
])('refuses %j with exit code 2, writing nothing', async (args, message) => {
  const dir = path.join(out, 'refused');
  const r = await exportCli(...args.map((a) => (a === 'DIR' ? dir : a === 'HEAD+1' ? String(scenario.head + 1) : a)));
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(message);
  await expect(fs.access(dir)).rejects.toThrow();
});

it('refuses to write into the embedded database folder', async () => {
  const dataDir = store.env.FACTLOG_DATA_DIR;
  if (!dataDir) return expect(store.env.DATABASE_URL).toBeDefined(); // on PostgreSQL there is no such folder
  const r = await exportCli('longterm-wiki', path.join(dataDir, 'export'));
  expect(r.code).toBe(2);
  expect(r.stderr).toContain("inside the embedded database's folder");
  await expect(fs.access(path.join(dataDir, 'export'))).rejects.toThrow();
});
