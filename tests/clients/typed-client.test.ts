import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startSeededServer, type SeededServer } from './seeded-server';

/**
 * examples/typed-client: its generated documents match the schema and its operations, it compiles,
 * and run against a started server it prints the example page and Anthropic's safety-level timeline.
 */
const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');
const EXAMPLE = path.join(ROOT, 'examples/typed-client');

let s: SeededServer;
let outDir: string;

beforeAll(async () => {
  s = await startSeededServer();
  outDir = await mkdtemp(path.join(os.tmpdir(), 'factlog-typed-client-'));
});
afterAll(async () => {
  await s?.stop();
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

it('has its generated documents up to date with schema.graphql and its operations (npm run codegen)', async () => {
  const codegen = path.join(ROOT, 'node_modules/@graphql-codegen/cli/esm/bin.js');
  // --check writes nothing and exits 1, naming the stale files, when the committed src/gql/ differs.
  const result = await run(process.execPath, [codegen, '--config', 'codegen.ts', '--check', '--errors-only'], { cwd: ROOT }).then(
    () => 'up to date',
    (err: { stdout?: string; stderr?: string }) => `stale or failing; run npm run codegen\n${err.stdout ?? ''}${err.stderr ?? ''}`,
  );
  expect(result).toBe('up to date');
});

it('compiles and prints the example page and the timeline from a running server', async () => {
  const tsc = path.join(ROOT, 'node_modules/typescript/bin/tsc');
  await run(process.execPath, [tsc, '-p', path.join(EXAMPLE, 'tsconfig.json'), '--outDir', outDir], { cwd: ROOT });
  // The program resolves graphql from the project's node_modules, as it does when run in place.
  const { stdout, stderr } = await run(process.execPath, [path.join(outDir, 'main.js'), s.url], {
    env: { ...process.env, NODE_PATH: path.join(ROOT, 'node_modules'), NODE_OPTIONS: '' },
    timeout: 60_000,
  });
  await mkdir(path.join(ROOT, 'artifacts'), { recursive: true });
  await writeFile(path.join(ROOT, 'artifacts/typed-client.txt'), stdout);
  expect(stderr).toBe('');
  const lines = stdout.trimEnd().split('\n');
  expect(lines[0]).toBe('# Activating AI Safety Level 3 protections');
  expect(lines).toContain('type: blog   id: 7512ddb574f82249   stable id: YmFkZjUwMz');
  expect(stdout).toMatch(/^credibility: 4 High \(inherited from Anthropic\): High quality\. /m);
  expect(lines.filter((l) => l.startsWith('  • '))).toHaveLength(5);
  expect(lines).toContain('cited by 6 pages:');
  expect(lines).toContain('2 facts cite this source:');
  expect(lines).toContain('cached content: 13 KB');

  // The timeline, as the API answers it.
  const res = await fetch(s.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ entity(id: "anthropic") { name timeline(property: "safety-level") { asOf displayValue } } }' }),
  });
  const { data } = (await res.json()) as { data: { entity: { name: string; timeline: { asOf: string | null; displayValue: string }[] } } };
  expect(data.entity.timeline.length).toBeGreaterThan(0);
  const at = lines.indexOf(`timeline of safety-level for ${data.entity.name}:`);
  expect(at).toBeGreaterThan(0);
  expect(lines.slice(at + 1, at + 1 + data.entity.timeline.length)).toEqual(
    data.entity.timeline.map((f) => `  ${f.asOf ?? '(undated)'}  ${f.displayValue}`),
  );
  expect(stdout).toContain('ASL-3');
  // The seeds define no entity types, relations or records: the entity page says so rather than inventing.
  expect(lines).toContain('entity page of Anthropic (Organization): 0 relations, 0 records; lacks (type not defined)');
  expect(lines.at(-1)).toMatch(/^basis: position \d+ recorded \d{4}-/);
});

it('reports a GraphQL error and exits non-zero when the data is missing', async () => {
  const empty = await startSeededServer({ seeds: false });
  try {
    await expect(
      run(process.execPath, [path.join(outDir, 'main.js'), empty.url], {
        env: { ...process.env, NODE_PATH: path.join(ROOT, 'node_modules'), NODE_OPTIONS: '' },
      }),
    ).rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/^typed-client: /) });
  } finally {
    await empty.stop();
  }
});
