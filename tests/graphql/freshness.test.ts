import { importLongtermWiki } from '../../src/importers/longterm-wiki';
import { buildFixture, currentThing, readDataYaml, registryFor, removeFixtures } from '../importers/longterm-wiki-support';
import { createTestGateway, type TestGateway } from '../support/gateway';

// Freshness (docs/domain.md): a fact series is due stalenessDays after its latest asOf, a page
// updateFrequency days after lastEdited; staleFacts and stalePages list the overdue ones, most overdue first.

const STALE_FACTS = `query($asOf: PartialDate, $entityType: String, $property: ID, $first: Int, $after: String) {
  staleFacts(asOf: $asOf, entityType: $entityType, property: $property, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { id asOf entity { slug } freshness { since everyDays dueAt overdue overdueDays } }
  }
}`;
const STALE_PAGES = `query($asOf: PartialDate, $first: Int, $after: String) {
  stalePages(asOf: $asOf, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { slug lastEdited updateFrequency freshness { since everyDays dueAt overdue overdueDays } }
  }
}`;

describe('synthetic series and pages', () => {
  let g: TestGateway;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    g = await createTestGateway();
    const c = g.app.commands;
    await c.execute({ type: 'DefineProperty', id: 'arr', fields: { name: 'ARR', dataType: 'number', temporal: true, stalenessDays: 90 } });
    await c.execute({ type: 'DefineProperty', id: 'motto', fields: { name: 'Motto', dataType: 'text' } });
    await c.execute({ type: 'RegisterEntity', fields: { slug: 'fresh-org', name: 'Fresh Org', type: 'organization' } });
    await c.execute({ type: 'RegisterEntity', fields: { slug: 'fresh-person', name: 'Fresh Person', type: 'person' } });
    const assert = async (name: string, entity: string, asOf: string, property = 'arr') => {
      const r = await c.execute({ type: 'AssertFact', entity, property, value: property === 'arr' ? 1 : 'x', asOf });
      ids[name] = r.stream.replace(/^fact-/, '');
    };
    await assert('orgOld', 'fresh-org', '2025-06');
    await assert('orgLatest', 'fresh-org', '2025-09');
    await assert('orgDeprecated', 'fresh-org', '2025-12');
    await c.execute({ type: 'DeprecateFact', id: ids.orgDeprecated });
    await assert('orgRetracted', 'fresh-org', '2025-11');
    await c.execute({ type: 'RetractFact', id: ids.orgRetracted, reason: 'wrong' });
    await assert('orgFuture', 'fresh-org', '2027');
    await assert('person', 'fresh-person', '2025-03');
    await assert('motto', 'fresh-org', '2020', 'motto');
    await c.execute({ type: 'CreatePage', slug: 'monthly', fields: { title: 'Monthly', lastEdited: '2025-01-10', updateFrequency: 30 } });
    await c.execute({ type: 'CreatePage', slug: 'yearly', fields: { title: 'Yearly', lastEdited: '2025-01', updateFrequency: 365 } });
    await c.execute({ type: 'CreatePage', slug: 'undated', fields: { title: 'Undated', updateFrequency: 7 } });
  });
  afterAll(() => g.dispose());

  const stale = async (vars: Record<string, unknown>) => {
    const r = await g.gql(STALE_FACTS, vars);
    expect(r.errors).toBeUndefined();
    return r.data.staleFacts;
  };

  it('lists the latest fact of each overdue series, most overdue first, ignoring deprecated, retracted and future facts', async () => {
    const s = await stale({ asOf: '2025-12' });
    expect(s.totalCount).toBe(2);
    expect(s.nodes).toEqual([
      {
        id: ids.person,
        asOf: '2025-03',
        entity: { slug: 'fresh-person' },
        freshness: { since: '2025-03', everyDays: 90, dueAt: new Date('2025-05-30T00:00:00.000Z'), overdue: true, overdueDays: 215 },
      },
      {
        id: ids.orgLatest,
        asOf: '2025-09',
        entity: { slug: 'fresh-org' },
        freshness: { since: '2025-09', everyDays: 90, dueAt: new Date('2025-11-30T00:00:00.000Z'), overdue: true, overdueDays: 31 },
      },
    ]);
    // Before the organization's series is due, only the person's is listed.
    expect((await stale({ asOf: '2025-10' })).nodes.map((n: { id: string }) => n.id)).toEqual([ids.person]);
    // Once the 2027 fact is dated by today, it is the one the series counts from.
    expect((await stale({ asOf: '2027-12' })).nodes.map((n: { asOf: string }) => n.asOf)).toEqual(['2025-03', '2027']);
  });

  it('filters by entity type and property, pages, and refuses an unknown property', async () => {
    expect((await stale({ asOf: '2025-12', entityType: 'organization' })).nodes.map((n: { id: string }) => n.id)).toEqual([ids.orgLatest]);
    expect((await stale({ asOf: '2025-12', property: 'motto' })).totalCount).toBe(0);
    const first = await stale({ asOf: '2025-12', first: 1 });
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = await stale({ asOf: '2025-12', first: 1, after: first.pageInfo.endCursor });
    expect(second.nodes.map((n: { id: string }) => n.id)).toEqual([ids.orgLatest]);
    expect(second.pageInfo.hasNextPage).toBe(false);
    const r = await g.gql(STALE_FACTS, { property: 'ar' });
    expect(r.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });

  it('gives every fact its series’ freshness, and none for a property without stalenessDays', async () => {
    const r = await g.gql(
      `query($old: ID!, $motto: ID!) {
      old: fact(id: $old) { freshness { since dueAt overdue } }
      seen: entity(id: "fresh-org", asOf: "2025-10") { value(property: "arr") { id freshness { since overdue overdueDays } } }
      motto: fact(id: $motto) { freshness { since } }
    }`,
      { old: ids.orgOld, motto: ids.motto },
    );
    expect(r.errors).toBeUndefined();
    // Without asOf, "today" is now: the 2027 fact is not dated by then on this test's clock unless it is 2027.
    expect(r.data.old.freshness.since).toBe(new Date() >= new Date('2027-01-01T00:00:00Z') ? '2027' : '2025-09');
    expect(r.data.seen.value).toEqual({ id: ids.orgLatest, freshness: { since: '2025-09', overdue: false, overdueDays: -30 } });
    expect(r.data.motto.freshness).toBeNull();
  });

  it('lists pages past lastEdited + updateFrequency, most overdue first', async () => {
    const r = await g.gql(STALE_PAGES, { asOf: '2025-06' });
    expect(r.errors).toBeUndefined();
    expect(r.data.stalePages.nodes).toEqual([
      {
        slug: 'monthly',
        lastEdited: '2025-01-10',
        updateFrequency: 30,
        freshness: { since: '2025-01-10', everyDays: 30, dueAt: new Date('2025-02-09T00:00:00.000Z'), overdue: true, overdueDays: 141 },
      },
    ]);
    const later = await g.gql(STALE_PAGES, { asOf: '2026-06' });
    expect(later.data.stalePages.nodes.map((p: { slug: string }) => p.slug)).toEqual(['monthly', 'yearly']);
  });
});

describe('the real data set', () => {
  let g: TestGateway;
  type WikiPage = { slug: string; lastEdited?: string; update_frequency?: number };
  const pages = readDataYaml('pages.yaml') as WikiPage[];

  beforeAll(async () => {
    g = await createTestGateway();
    const things = { 'anthropic.yaml': currentThing('anthropic.yaml') };
    const dir = await buildFixture({
      link: ['publications.yaml', 'properties.yaml', 'pages.yaml'],
      things,
      files: { 'entities/needed.yaml': registryFor(Object.values(things)) },
    });
    await importLongtermWiki(g.app, dir, { actor: 'test', reason: 'freshness test' });
  }, 600_000);
  afterAll(async () => {
    await g.dispose();
    await removeFixtures();
  });

  it('lists the wiki’s overdue pages by their own update_frequency and lastEdited, counted from the file', async () => {
    const asOf = '2026-06-30';
    const today = new Date('2026-06-30T23:59:59.999Z').getTime();
    const due = (p: WikiPage) =>
      new Date(`${p.lastEdited}${p.lastEdited!.length === 4 ? '-01-01' : p.lastEdited!.length === 7 ? '-01' : ''}T00:00:00Z`).getTime() +
      p.update_frequency! * 86_400_000;
    const expected = pages
      .filter((p) => p.lastEdited && p.update_frequency && due(p) < today)
      .sort((a, b) => due(a) - due(b) || (a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0));
    expect(expected.length).toBeGreaterThan(100);
    const r = await g.gql(STALE_PAGES, { asOf, first: 100 });
    expect(r.errors).toBeUndefined();
    expect(r.data.stalePages.totalCount).toBe(expected.length);
    expect(r.data.stalePages.nodes.map((p: { slug: string }) => p.slug)).toEqual(expected.slice(0, 100).map((p) => p.slug));
    expect(r.data.stalePages.nodes[0].freshness.overdue).toBe(true);
  });

  it('explains why Anthropic’s revenue is $9B as of 2025-12: the latest asOf by then, later ones not valid yet', async () => {
    const r = await g.gql(`{ entity(id: "anthropic") {
      value(property: "revenue", asOf: "2025-12") { id displayValue }
      explain(property: "revenue", asOf: "2025-12") {
        value { id displayValue }
        candidates { outcome reason fact { asOf } sources { url credibility { rating } } }
      }
    } }`);
    expect(r.errors).toBeUndefined();
    const e = r.data.entity;
    expect(e.explain.value).toEqual(e.value);
    expect(e.value.displayValue).toBe('$9.0B');
    const outcomes = e.explain.candidates.map((c: { outcome: string; fact: { asOf: string } }) => [c.fact.asOf, c.outcome]);
    expect(outcomes).toEqual(
      expect.arrayContaining([
        ['2025-12', 'CHOSEN'],
        ['2025-10', 'SUPERSEDED'],
        ['2023-12', 'SUPERSEDED'],
        ['2026-02', 'NOT_VALID_YET'],
        ['2026-03', 'NOT_VALID_YET'],
      ]),
    );
    expect(outcomes).toHaveLength(9);
    expect(e.explain.candidates[0].sources.length).toBeGreaterThan(0);
  });

  it('has no overdue facts until a property gets a stalenessDays; then Anthropic’s revenue series is due 90 days after 2026-03', async () => {
    expect((await g.gql(STALE_FACTS, { asOf: '2026-12' })).data.staleFacts.totalCount).toBe(0);
    await g.app.commands.execute({ type: 'UpdateProperty', id: 'revenue', set: { stalenessDays: 90 } });
    const r = await g.gql(STALE_FACTS, { asOf: '2026-12', property: 'revenue', entityType: 'organization' });
    expect(r.errors).toBeUndefined();
    expect(r.data.staleFacts.nodes).toEqual([
      {
        id: expect.any(String),
        asOf: '2026-03',
        entity: { slug: 'anthropic' },
        freshness: { since: '2026-03', everyDays: 90, dueAt: new Date('2026-05-30T00:00:00.000Z'), overdue: true, overdueDays: 215 },
      },
    ]);
    expect((await g.gql(STALE_FACTS, { asOf: '2026-05-29' })).data.staleFacts.totalCount).toBe(0);
  });
});
