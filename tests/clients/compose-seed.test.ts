import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { EXAMPLE_QUERY } from '../../src/playground/example-query';
import { startGateway, type GatewayProcess } from '../scale/gateway-process';
import { createScratchDatabase, targetKind } from '../support/test-database';

/**
 * `docker compose up` must show the example: its store is PostgreSQL, which `serve` never seeds unless
 * FACTLOG_SEED=example says so. Docker does not run here, so the compose file is read as data and the
 * setting is tested on a real `factlog serve` against a store of its own (a scratch PostgreSQL database,
 * or a PGlite folder on a run without DATABASE_URL).
 */
const ROOT = path.resolve(__dirname, '../..');

interface ComposeService {
  environment?: Record<string, string>;
  ports?: (string | number | { published?: string | number; target?: number })[];
}

const compose = parse(readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8')) as { services: Record<string, ComposeService> };

/** The host ports a service publishes ("4000:4000" → 4000; a bare "5432" publishes 5432 on a random host port, listed too). */
function publishedPorts(service: ComposeService): number[] {
  return (service.ports ?? []).map((p) => {
    if (typeof p === 'object') return Number(p.published ?? p.target);
    const parts = String(p).split('/')[0]!.split(':');
    return Number(parts.length >= 2 ? parts[parts.length - 2] : parts[0]);
  });
}

it('compose seeds the example in its PostgreSQL store and leaves the host its 5432', () => {
  const gateway = compose.services.gateway!;
  expect(gateway.environment?.DATABASE_URL).toMatch(/^postgres:\/\//);
  expect(gateway.environment?.FACTLOG_SEED).toBe('example');
  expect(publishedPorts(gateway)).toEqual([4000]);
  for (const [name, service] of Object.entries(compose.services)) {
    expect({ name, ports: publishedPorts(service) }).toEqual({ name, ports: expect.not.arrayContaining([5432]) });
  }
  // The image must carry the seeds that the setting loads.
  expect(readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8')).toMatch(/^COPY seeds \.\/seeds$/m);
});

/** A store of its own for one `serve`: a scratch PostgreSQL database, or a PGlite folder. */
async function freshStore(): Promise<{ env: Record<string, string>; dispose(): Promise<void> }> {
  const url = process.env.DATABASE_URL;
  if (url) {
    const scratch = await createScratchDatabase(url, 'factlog_seed');
    return { env: { DATABASE_URL: scratch.url }, dispose: () => scratch.drop() };
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'factlog-seed-'));
  // An empty DATABASE_URL is unset for Factlog: the embedded PGlite in this folder.
  return { env: { DATABASE_URL: '', FACTLOG_DATA_DIR: dir }, dispose: async () => rmSync(dir, { recursive: true, force: true }) };
}

describe('FACTLOG_SEED', () => {
  let store: Awaited<ReturnType<typeof freshStore>>;
  const running: GatewayProcess[] = [];

  beforeEach(async () => {
    store = await freshStore();
  });
  afterEach(async () => {
    for (const g of running.splice(0)) await g.stop();
    await store.dispose();
  });

  async function serve(seed: string | undefined): Promise<GatewayProcess> {
    const g = await startGateway(`seed-${seed ?? 'unset'}`, { ...store.env, FACTLOG_SEED: seed ?? '' });
    running.push(g);
    return g;
  }
  const stop = async (g: GatewayProcess) => {
    running.splice(running.indexOf(g), 1);
    await g.stop();
  };
  const headPosition = async (g: GatewayProcess): Promise<string> => (await g.gql('{ __typename }')).extensions!.basis!.position;

  it('=example loads the example, so the playground query answers, and a restart appends nothing', async () => {
    const first = await serve('example');
    const { data, errors } = await first.gql(EXAMPLE_QUERY);
    expect(errors).toBeUndefined();
    expect(data.source).toMatchObject({ stableId: 'YmFkZjUwMz', title: 'Activating AI Safety Level 3 protections' });
    expect(data.source.facts.totalCount).toBe(2);
    const seeded = await headPosition(first);
    await stop(first);

    const again = await serve('example');
    expect(await headPosition(again)).toBe(seeded);
    expect(again.output()).toMatch(/loaded 0 example commands from seeds\//);
  });

  it('unset seeds only an empty embedded store; =none seeds nothing', async () => {
    const unset = await serve(undefined);
    const { data } = await unset.gql(EXAMPLE_QUERY);
    // A DATABASE_URL store is someone's real data: the example goes in only when asked for.
    if (targetKind === 'postgres') expect(data.source).toBeNull();
    else expect(data.source.stableId).toBe('YmFkZjUwMz');
    await stop(unset);

    await store.dispose();
    store = await freshStore();
    const none = await serve('none');
    expect((await none.gql(EXAMPLE_QUERY)).data.source).toBeNull();
    expect(await headPosition(none)).toBe('0');
  });
});
