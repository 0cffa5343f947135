import { clearThingCache, ThingCache } from '../../src/graphql/thing-cache';
import { createTestGateway, type TestGateway } from '../support/gateway';

// States are cached across requests by log position (src/graphql/thing-cache.ts): a repeated
// read at an unchanged head costs fewer statements, and a write or a pinned read still gets the state
// the log says at its position.
let g: TestGateway;

beforeAll(async () => {
  g = await createTestGateway();
  const c = g.app.commands;
  await c.execute({ type: 'DefineProperty', id: 'score', fields: { name: 'Score', dataType: 'number', unit: 'points', temporal: true } });
  await c.execute({ type: 'RegisterEntity', id: 'cacheent01', fields: { slug: 'cached', name: 'Before', type: 'organization' } });
  await c.execute({ type: 'AssertFact', entity: 'cached', property: 'score', value: 7, asOf: '2020' });
});
afterAll(() => g.dispose());

const QUERY = `query($at: String) { entity(id: "cacheent01", atPosition: $at) { name value(property: "score") { displayValue property { name } } } }`;

it('a repeated read at the same head costs fewer statements and answers the same', async () => {
  clearThingCache(g.app.db);
  const cold = await g.counted(QUERY);
  const warm = await g.counted(QUERY);
  expect(cold.result.errors).toBeUndefined();
  expect(warm.result).toEqual(cold.result);
  expect(cold.result.data.entity).toEqual({ name: 'Before', value: { displayValue: '7 points', property: { name: 'Score' } } });
  expect(warm.statements).toBeLessThan(cold.statements);
});

it('a write is seen by the next read, and a read pinned before it still sees the old state', async () => {
  const before = await g.gql(QUERY);
  const position = (before.extensions as { basis: { position: string } }).basis.position;
  await g.app.commands.execute({ type: 'UpdateEntity', entity: 'cacheent01', set: { name: 'After' } });
  await g.app.commands.execute({ type: 'UpdateProperty', id: 'score', set: { name: 'Points' } });
  expect((await g.gql(QUERY)).data.entity).toEqual({ name: 'After', value: { displayValue: '7 points', property: { name: 'Points' } } });
  expect((await g.gql(QUERY, { at: position })).data.entity).toEqual({
    name: 'Before',
    value: { displayValue: '7 points', property: { name: 'Score' } },
  });
  // And the head again, after the pinned read touched the cache.
  expect((await g.gql(QUERY)).data.entity).toEqual({ name: 'After', value: { displayValue: '7 points', property: { name: 'Points' } } });
});

it('a thing absent at a position stays absent there and appears once registered', async () => {
  const q = `query($at: String) { entity(id: "cacheent02", atPosition: $at) { name } }`;
  const missing = await g.gql(q);
  expect(missing.data.entity).toBeNull();
  const position = (missing.extensions as { basis: { position: string } }).basis.position;
  await g.app.commands.execute({ type: 'RegisterEntity', id: 'cacheent02', fields: { slug: 'late', name: 'Late', type: 'organization' } });
  expect((await g.gql(q)).data.entity).toEqual({ name: 'Late' });
  expect((await g.gql(q, { at: position })).data.entity).toBeNull();
});

describe('ThingCache bounds', () => {
  const version = (position: number, state: object) => ({ state, version: 1, position, recordedAt: new Date(0) });

  it('keeps memory bounded by size as well as by count: big states push old ones out, huge ones are not kept', () => {
    const cache = new ThingCache(1000, 1_000_000);
    for (let i = 0; i < 20; i++) cache.set('source', `s${i}`, 10, version(5, { id: `s${i}`, content: { text: 'x'.repeat(40_000) } }));
    expect(cache.size.bytes).toBeLessThanOrEqual(1_000_000);
    expect(cache.size.entries).toBeLessThan(20);
    // The newest stay, the oldest went first.
    expect(cache.get('source', 's19', 10)).not.toBeUndefined();
    expect(cache.get('source', 's0', 10)).toBeUndefined();
    // A state over an eighth of the budget is served from the database every time, never kept.
    cache.set('source', 'huge', 10, version(5, { content: { text: 'x'.repeat(100_000) } }));
    expect(cache.get('source', 'huge', 10)).toBeUndefined();
    expect(cache.size.bytes).toBeLessThanOrEqual(1_000_000);
  });

  it('keeps at most its capacity of entries', () => {
    const cache = new ThingCache(3);
    for (let i = 0; i < 10; i++) cache.set('entity', `e${i}`, 10, version(1, { id: `e${i}` }));
    expect(cache.size.entries).toBe(3);
    expect(cache.get('entity', 'e9', 10)).not.toBeUndefined();
  });

  it('answers only inside the range of positions it knows', () => {
    const cache = new ThingCache();
    cache.set('entity', 'a', 20, version(12, { id: 'a' }));
    expect(cache.get('entity', 'a', 12)).not.toBeUndefined();
    expect(cache.get('entity', 'a', 20)).not.toBeUndefined();
    expect(cache.get('entity', 'a', 11)).toBeUndefined(); // before the event that made this version
    expect(cache.get('entity', 'a', 21)).toBeUndefined(); // after what was read: a later event may exist
    cache.set('entity', 'a', 30, version(12, { id: 'a' })); // the same version read later widens the range
    expect(cache.get('entity', 'a', 25)).not.toBeUndefined();
  });
});
