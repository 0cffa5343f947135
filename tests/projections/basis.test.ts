import { resolveBasis } from '../../src/projections/queries/basis';
import { createTestFactlog, type TestFactlog } from '../support/factlog';

/**
 * Every read starts by resolving its basis: the head, or the position a knownAt / atPosition pin
 * points at. That is one statement whatever the pin; a knownAt beyond the head answers at the head, and a
 * position beyond it is refused, since its answer would change once the log reached it.
 */

let app: TestFactlog;
const times: Date[] = [];

beforeAll(async () => {
  app = await createTestFactlog();
  for (const id of ['basisent01', 'basisent02', 'basisent03']) {
    await app.commands.execute({ type: 'RegisterEntity', id, fields: { slug: id, name: id, type: 'organization' } });
    const { rows } = await app.database.pool.query<{ recorded_at: Date }>('SELECT recorded_at FROM log_head');
    times.push(rows[0].recorded_at);
    await new Promise((r) => setTimeout(r, 5)); // distinct recorded milliseconds
  }
});
afterAll(() => app?.dispose());

async function counted(pins: Parameters<typeof resolveBasis>[1]) {
  const before = app.database.stats.queries;
  const basis = await resolveBasis(app.db, pins);
  return { basis, statements: app.database.stats.queries - before };
}

it('answers the head, a knownAt and an atPosition in one statement each', async () => {
  expect(await counted({})).toEqual({ basis: { position: 3, recordedAt: times[2] }, statements: 1 });
  expect(await counted({ knownAt: times[1] })).toEqual({ basis: { position: 2, recordedAt: times[1] }, statements: 1 });
  expect(await counted({ knownAt: new Date(times[1].getTime() + 1) })).toEqual({
    basis: { position: 2, recordedAt: times[1] },
    statements: 1,
  });
  expect(await counted({ atPosition: 1 })).toEqual({ basis: { position: 1, recordedAt: times[0] }, statements: 1 });
});

it('answers pins at the edges: before the first event, at 0, at the head, and a knownAt beyond it', async () => {
  expect((await counted({ knownAt: new Date(times[0].getTime() - 1) })).basis).toEqual({ position: 0, recordedAt: null });
  expect((await counted({ atPosition: 0 })).basis).toEqual({ position: 0, recordedAt: null });
  expect((await counted({ atPosition: 3 })).basis).toEqual({ position: 3, recordedAt: times[2] });
  expect((await counted({ knownAt: new Date(times[2].getTime() + 60_000) })).basis).toEqual({ position: 3, recordedAt: times[2] });
});

it('refuses a position beyond the head, and names the head', async () => {
  const refused = resolveBasis(app.db, { atPosition: 4 });
  await expect(refused).rejects.toMatchObject({ code: 'BAD_USER_INPUT', path: ['atPosition'], details: { head: '3' } });
  await expect(refused).rejects.toThrow(/atPosition 4 is beyond the log's head \(position 3\)/);
});

it('refuses bad pins before asking the database', async () => {
  await expect(resolveBasis(app.db, { atPosition: -1 })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
  await expect(resolveBasis(app.db, { knownAt: new Date('nope') })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
  await expect(resolveBasis(app.db, { atPosition: 1, knownAt: times[0] })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
});
