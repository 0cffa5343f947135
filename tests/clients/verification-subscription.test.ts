import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { startSeededServer, type SeededServer } from './seeded-server';

// verificationChanged follows one target's evidence stream over graphql-ws, like factChanged: from a
// position, each change with the target's verification read at that change's position.
let s: SeededServer;
let client: Client;
let factId = '';
const URL_A = 'https://example.org/checked';

beforeAll(async () => {
  s = await startSeededServer({ seeds: false });
  const c = s.app.commands;
  await c.execute({ type: 'RegisterEntity', fields: { slug: 'anthropic', name: 'Anthropic', type: 'organization' } });
  await c.execute({ type: 'DefineProperty', id: 'revenue', fields: { name: 'Revenue', dataType: 'number', unit: 'USD' } });
  await c.execute({ type: 'RegisterSource', fields: { url: URL_A, title: 'Checked', type: 'web' } });
  factId = (await c.execute({ type: 'AssertFact', entity: 'anthropic', property: 'revenue', value: 9e9, citations: [{ source: URL_A }] }))
    .id;
  client = createClient({ url: s.url.replace('http:', 'ws:'), webSocketImpl: WebSocket, retryAttempts: 0 });
});
afterAll(async () => {
  await client?.dispose();
  await s?.stop();
});

/** The first `n` changes the subscription delivers. */
function collect(query: string, n: number): Promise<unknown[]> {
  const got: unknown[] = [];
  return new Promise((resolve, reject) => {
    const stop = client.subscribe(
      { query },
      {
        next: (value) => {
          got.push(value);
          if (got.length === n) {
            stop();
            resolve(got);
          }
        },
        error: reject,
        complete: () => resolve(got),
      },
    );
  });
}

it('delivers each evidence change of one fact with its verification at that position', async () => {
  const before = String((await s.app.store.head()).position);
  const c = s.app.commands;
  const evidence = { verdict: 'confirmed', confidence: 0.7, checkedBy: 'alice' };
  await c.execute({ type: 'RecordEvidence', target: `fact:${factId}`, source: URL_A, evidence });
  await c.execute({ type: 'RecordEvidence', target: `fact:${factId}`, source: URL_A, evidence: { ...evidence, verdict: 'contradicted' } });
  const changes = await collect(
    `subscription { verificationChanged(target: "fact:${factId}", afterPosition: "${before}") {
      event { type } verification { target verdict confidence needsRecheck } } }`,
    2,
  );
  expect(changes.map((c) => (c as { data: { verificationChanged: unknown } }).data.verificationChanged)).toEqual([
    {
      event: { type: 'EvidenceRecorded' },
      verification: { target: `fact:${factId}`, verdict: 'CONFIRMED', confidence: 0.7, needsRecheck: false },
    },
    {
      event: { type: 'EvidenceRecorded' },
      verification: { target: `fact:${factId}`, verdict: 'CONTRADICTED', confidence: 0.7, needsRecheck: false },
    },
  ]);
});

it('refuses a malformed target', async () => {
  const [result] = await collect('subscription { verificationChanged(target: "page:x") { position } }', 1);
  expect(result).toMatchObject({ errors: [{ message: expect.stringContaining('target'), extensions: { code: 'BAD_USER_INPUT' } }] });
});
