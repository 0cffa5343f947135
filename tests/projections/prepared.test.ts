import { sql } from 'kysely';
import { prepared } from '../../src/projections/queries/prepared';
import { createTestFactlog, type TestFactlog } from '../support/factlog';

let app: TestFactlog;
beforeAll(async () => {
  app = await createTestFactlog();
});
afterAll(async () => {
  await app.dispose();
});

it("runs the statement built once with each call's own values, an argument used twice in both places", async () => {
  let builds = 0;
  const statement = prepared((db, n: number, word: string) => {
    builds += 1;
    return db.selectNoFrom([
      sql<number>`${n}::int + 1`.as('next'),
      sql<string>`${word}::text || '/' || ${word}::text`.as('twice'),
      sql<boolean>`${true}::boolean`.as('constant'),
    ]);
  });
  for (const [n, word] of [
    [1, 'a'],
    [41, 'forty-one'],
    [-7, ''],
  ] as const) {
    expect(await statement(app.db, n, word)).toEqual([{ next: n + 1, twice: `${word}/${word}`, constant: true }]);
  }
  expect(builds).toBe(1);
});

it('refuses, with the argument named, a build that computes with an argument instead of passing it on', async () => {
  const statement = prepared((db, word: string) => db.selectNoFrom([sql<string>`${String(word).toUpperCase()}::text`.as('shout')]));
  await expect(statement(app.db, 'quiet')).rejects.toThrow('prepared statement: argument(s) 0 never reached the statement as values');
});
