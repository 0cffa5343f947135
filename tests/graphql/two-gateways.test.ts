import { factlogOver } from '../../src/app';
import { ApiKeys } from '../../src/auth/keys';
import { openPostgres, type Database } from '../../src/store/database';
import { loadSeeds } from '../../src/seed';
import { startServer, type RunningServer } from '../../src/server';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

// Two gateways on one database, each with its own connection pool (on PostgreSQL): optimistic
// concurrency and idempotency hold across them because they live in the database, not in a process.
let database: TestDatabase;
let second: Database;
let servers: RunningServer[];
let key: string;

beforeAll(async () => {
  database = await createTestDatabase();
  const schema = database.description.match(/\(schema (\w+)\)/)?.[1];
  second = process.env.DATABASE_URL ? openPostgres({ url: process.env.DATABASE_URL, schema }) : database;
  const a = factlogOver(database);
  await loadSeeds(a.commands);
  key = (await new ApiKeys(database.db).create('writer', 'editor')).key;
  servers = [
    await startServer({ ...a, port: 0, host: '127.0.0.1' }),
    await startServer({ ...factlogOver(second), port: 0, host: '127.0.0.1' }),
  ];
});
afterAll(async () => {
  for (const s of servers) await s.stop();
  if (second !== database) await second.close();
  await database.dispose();
});

async function post(server: RunningServer, query: string): Promise<{ data?: any; errors?: { extensions: Record<string, unknown> }[] }> {
  const res = await fetch(server.url.replace('localhost', '127.0.0.1'), {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query }),
  });
  return (await res.json()) as { data?: any; errors?: { extensions: Record<string, unknown> }[] };
}

it('lets exactly one of two corrections with the same expected version win', async () => {
  const correct = (note: string) =>
    `mutation { correctFact(input: { id: "f_BnkEWenniQ", expectedVersion: 1, set: { notes: "${note}" } }) { fact { version notes } } }`;
  const [a, b] = await Promise.all([post(servers[0], correct('from A')), post(servers[1], correct('from B'))]);
  const results = [a, b];
  const won = results.filter((r) => !r.errors);
  const lost = results.filter((r) => r.errors);
  expect(won).toHaveLength(1);
  expect(lost).toHaveLength(1);
  expect(lost[0].errors![0].extensions).toMatchObject({ code: 'CONFLICT', expectedVersion: 1, actualVersion: 2 });
  const now = await post(servers[1], '{ fact(id: "f_BnkEWenniQ") { version notes history { type } } }');
  expect(now.data.fact.version).toBe(2);
  expect(now.data.fact.notes).toBe(won[0].data.correctFact.fact.notes);
  expect(now.data.fact.history).toHaveLength(2);
});

it('applies a retried idempotent mutation once, whichever gateway gets it', async () => {
  const assert = `mutation { assertFact(input: { id: "f_twice00001", entity: "anthropic", property: "safety-level", value: "ASL-4", asOf: "2027", idempotencyKey: "retry-1" }) { position fact { id version } } }`;
  const responses = await Promise.all([post(servers[0], assert), post(servers[1], assert), post(servers[0], assert)]);
  for (const r of responses) expect(r.errors).toBeUndefined();
  expect(new Set(responses.map((r) => r.data.assertFact.position)).size).toBe(1);
  const history = await post(servers[1], '{ fact(id: "f_twice00001") { history { type } } }');
  expect(history.data.fact.history).toEqual([{ type: 'FactAsserted' }]);
});
