import { createTestGateway, type TestGateway } from '../support/gateway';
import { CORRECTED_VALUE, DUPLICATE_URL, NEW_FACT, runScenario, SOURCE_ID, type Scenario } from './scenario';

// The audit trail through GraphQL: `changes` between two transaction times, the `events` log with its
// filters, and `history` on sources, facts and pages.

let g: TestGateway;
let s: Scenario;
beforeAll(async () => {
  g = await createTestGateway();
  s = await runScenario(g.app.commands, g.app.db);
});
afterAll(() => g.dispose());

const ok = async (query: string, variables?: Record<string, unknown>) => {
  const r = await g.gql(query, variables);
  expect(r.errors).toBeUndefined();
  return r.data;
};

describe('changes(fromKnownAt, toKnownAt)', () => {
  const CHANGES = `query C($from: DateTime!, $to: DateTime, $first: Int, $after: String) {
    changes(fromKnownAt: $from, toKnownAt: $to, first: $first, after: $after) {
      totalCount pageInfo { hasNextPage endCursor }
      nodes { kind actor reason position recordedAt event { type stream position } fact { id version retracted rank displayValue } }
    }
  }`;
  const changes = async (from: Date, to?: Date, paging: { first?: number; after?: string } = {}) =>
    (await ok(CHANGES, { from: from.toISOString(), to: to?.toISOString(), ...paging })).changes;
  const brief = (nodes: { kind: string; fact: { id: string }; actor: string; reason: string; position: string }[]) =>
    nodes.map((n) => [n.kind, n.fact.id, n.actor, n.reason, Number(n.position)]);

  it('lists exactly the fact changes in (from, to]: from exclusive, to inclusive', async () => {
    const c = await changes(s.steps.assertRumor.recordedAt, s.steps.deprecateFirst.recordedAt);
    expect(brief(c.nodes)).toEqual([
      ['CORRECTED', 'f_R59LmVVzcw', 'bob', 'fix the model list', s.steps.correctValue.position],
      ['CORRECTED', 'f_BnkEWenniQ', 'bob', 'shorter notes', s.steps.correctNotes.position],
      ['RETRACTED', NEW_FACT, 'carol', 'unsourced rumour', s.steps.retractRumor.position],
      ['DEPRECATED', 'f_BnkEWenniQ', 'carol', 'superseded', s.steps.deprecateFirst.position],
    ]);
    expect(c.totalCount).toBe(4);
    expect(c.pageInfo.hasNextPage).toBe(false);
    // Each change carries its event and the fact as it stood right after it.
    const [first, , retracted, deprecated] = c.nodes;
    expect(first.event).toEqual({ type: 'FactCorrected', stream: 'fact-f_R59LmVVzcw', position: String(s.steps.correctValue.position) });
    expect(new Date(first.recordedAt).toISOString()).toBe(s.steps.correctValue.recordedAt.toISOString());
    expect(first.fact).toMatchObject({ version: 2, displayValue: CORRECTED_VALUE, retracted: false });
    expect(retracted.fact).toMatchObject({ id: NEW_FACT, version: 2, retracted: true });
    expect(deprecated.fact).toMatchObject({ version: 3, rank: 'deprecated' });
  });

  it('moves each boundary by one millisecond to take in exactly one more change', async () => {
    const ms = (d: Date, delta: number) => new Date(d.getTime() + delta);
    const widened = await changes(ms(s.steps.assertRumor.recordedAt, -1), s.steps.deprecateFirst.recordedAt);
    expect(brief(widened.nodes)[0]).toEqual(['ASSERTED', NEW_FACT, 'alice', 'new claim from the mirror', s.steps.assertRumor.position]);
    expect(widened.totalCount).toBe(5);
    const narrowed = await changes(s.steps.assertRumor.recordedAt, ms(s.steps.deprecateFirst.recordedAt, -1));
    expect(brief(narrowed.nodes).map((c) => c[0])).toEqual(['CORRECTED', 'CORRECTED', 'RETRACTED']);
  });

  it('is empty for an empty interval and for one holding only non-fact events', async () => {
    const t = s.steps.correctValue.recordedAt;
    expect((await changes(t, t)).nodes).toEqual([]);
    // The page update, merge and rename are not fact changes.
    expect((await changes(s.steps.deprecateFirst.recordedAt, s.steps.renameEntity.recordedAt)).totalCount).toBe(0);
  });

  it('defaults the upper bound to now, and starts from the seeds for an early lower bound', async () => {
    expect(brief((await changes(s.steps.renameEntity.recordedAt)).nodes)).toEqual([
      ['CITATION_ADDED', 'f_R59LmVVzcw', 'erin', 'quote the passage', s.steps.addCitation.position],
    ]);
    const seeds = await changes(new Date(0), s.seeded.recordedAt);
    expect(brief(seeds.nodes).map(([kind, id, actor, reason]) => [kind, id, actor, reason])).toEqual([
      ['ASSERTED', 'f_BnkEWenniQ', 'seed', 'seed source-page-example'],
      ['ASSERTED', 'f_R59LmVVzcw', 'seed', 'seed source-page-example'],
    ]);
    expect((await changes(new Date(0))).totalCount).toBe(8);
  });

  it('pages through the changes with first/after', async () => {
    const page1 = await changes(new Date(0), undefined, { first: 3 });
    expect(page1.pageInfo.hasNextPage).toBe(true);
    const page2 = await changes(new Date(0), undefined, { first: 3, after: page1.pageInfo.endCursor });
    const page3 = await changes(new Date(0), undefined, { first: 3, after: page2.pageInfo.endCursor });
    expect(page3.pageInfo.hasNextPage).toBe(false);
    const all = [...page1.nodes, ...page2.nodes, ...page3.nodes].map((n: { position: string }) => Number(n.position));
    expect(all).toHaveLength(8);
    expect([...all].sort((a, b) => a - b)).toEqual(all);
  });

  it('refuses an upper bound before the lower one', async () => {
    const r = await g.gql(CHANGES, {
      from: s.steps.correctNotes.recordedAt.toISOString(),
      to: s.steps.correctValue.recordedAt.toISOString(),
    });
    expect(r.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
  });
});

describe('events(stream, types, afterPosition, toPosition)', () => {
  const EVENTS = `query E($stream: String, $types: [String!], $after: String, $to: String, $first: Int) {
    events(stream: $stream, types: $types, afterPosition: $after, toPosition: $to, first: $first) {
      totalCount nodes { position stream version type actor reason data hash prevHash }
    }
  }`;
  const events = async (vars: Record<string, unknown>) => (await ok(EVENTS, { first: 100, ...vars })).events;
  const types = (nodes: { type: string }[]) => nodes.map((n) => n.type);

  it('filters by stream, in order, with who and why', async () => {
    const e = await events({ stream: 'fact-f_BnkEWenniQ' });
    expect(e.nodes.map((n: any) => [n.type, n.version, n.actor, n.reason])).toEqual([
      ['FactAsserted', 1, 'seed', 'seed source-page-example'],
      ['FactCorrected', 2, 'bob', 'shorter notes'],
      ['FactDeprecated', 3, 'carol', 'superseded'],
    ]);
    expect(e.nodes[2].data).toEqual({ id: 'f_BnkEWenniQ', reason: 'superseded by the 2026 value' });
    expect(e.totalCount).toBe(3);
    expect((await events({ stream: 'fact-f_nothere' })).nodes).toEqual([]);
  });

  it('filters by types', async () => {
    const e = await events({ types: ['FactCorrected', 'FactRetracted'] });
    expect(e.nodes.map((n: any) => [n.type, n.stream, Number(n.position)])).toEqual([
      ['FactCorrected', 'fact-f_R59LmVVzcw', s.steps.correctValue.position],
      ['FactCorrected', 'fact-f_BnkEWenniQ', s.steps.correctNotes.position],
      ['FactRetracted', `fact-${NEW_FACT}`, s.steps.retractRumor.position],
    ]);
    expect((await events({ types: [] })).totalCount).toBe(0);
    const merges = await events({ types: ['SourceMergedInto', 'SourceMergedFrom'] });
    expect(merges.nodes.map((n: any) => Number(n.position))).toEqual(s.steps.mergeSources.positions);
  });

  it('filters by a position range: after exclusive, to inclusive', async () => {
    const e = await events({ after: String(s.steps.correctValue.position), to: String(s.steps.retractRumor.position) });
    expect(e.nodes.map((n: any) => Number(n.position))).toEqual([s.steps.correctNotes.position, s.steps.retractRumor.position]);
    expect(types(e.nodes)).toEqual(['FactCorrected', 'FactRetracted']);
    // The chain links each event to the one before it.
    expect(e.nodes[1].prevHash).toBe(e.nodes[0].hash);
    expect((await events({ after: String(s.head) })).nodes).toEqual([]);
    expect((await events({ to: '3' })).nodes.map((n: any) => n.position)).toEqual(['1', '2', '3']);
  });

  it('combines the filters', async () => {
    const e = await events({
      stream: 'fact-f_R59LmVVzcw',
      types: ['FactCorrected', 'FactCitationAdded'],
      after: String(s.steps.correctValue.position),
    });
    expect(e.nodes.map((n: any) => [n.type, n.actor])).toEqual([['FactCitationAdded', 'erin']]);
    expect((await events({ stream: 'page-anthropic', types: ['PageUpdated'] })).nodes[0].data).toEqual({
      slug: 'anthropic',
      set: { description: 'AI safety company', quality: 80 },
      unset: ['numericId'],
    });
  });

  it('pages through the whole log in position order', async () => {
    const seen: number[] = [];
    let after: string | null = null;
    for (;;) {
      const page: any = (
        await ok(`query($after: String) { events(first: 10, after: $after) { pageInfo { hasNextPage endCursor } nodes { position } } }`, {
          after,
        })
      ).events;
      seen.push(...page.nodes.map((n: { position: string }) => Number(n.position)));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual(Array.from({ length: s.head }, (_, i) => i + 1));
  });
});

describe('history', () => {
  const hist = (nodes: { type: string; version: number; actor: string; reason: string }[]) =>
    nodes.map((n) => [n.type, n.version, n.actor, n.reason]);

  it('on a fact: every version in order, retracted facts included', async () => {
    const d = await ok(`{ a: fact(id: "f_R59LmVVzcw") { history { type version actor reason position } }
                          b: fact(id: "${NEW_FACT}") { retracted history { type version actor reason } } }`);
    expect(hist(d.a.history)).toEqual([
      ['FactAsserted', 1, 'seed', 'seed source-page-example'],
      ['FactCorrected', 2, 'bob', 'fix the model list'],
      ['FactCitationAdded', 3, 'erin', 'quote the passage'],
    ]);
    expect(d.a.history.map((e: { position: string }) => Number(e.position))).toEqual([
      expect.any(Number),
      s.steps.correctValue.position,
      s.steps.addCitation.position,
    ]);
    expect(d.b.retracted).toBe(true);
    expect(hist(d.b.history)).toEqual([
      ['FactAsserted', 1, 'alice', 'new claim from the mirror'],
      ['FactRetracted', 2, 'carol', 'unsourced rumour'],
    ]);
  });

  it('on a source: its own events, the merge included; the merged-away duplicate keeps its own', async () => {
    const d = await ok(`{ source(id: "${SOURCE_ID}") { history { type version actor data } } }`);
    expect(d.source.history.map((e: any) => [e.type, e.version, e.actor])).toEqual([
      ['SourceRegistered', 1, 'seed'],
      ['SourceContentCaptured', 2, 'seed'],
      ['SourceMergedFrom', 3, 'dave'],
    ]);
    const duplicateId = d.source.history[2].data.from;
    const dup = await ok(`query($s: String) { events(stream: $s) { nodes { type actor reason } } }`, { s: `source-${duplicateId}` });
    expect(dup.events.nodes).toEqual([
      { type: 'SourceRegistered', actor: 'alice', reason: 'found a mirror' },
      { type: 'SourceMergedInto', actor: 'dave', reason: 'duplicate source' },
    ]);
    // The duplicate's URL now resolves to the source it was merged into.
    expect((await ok(`{ source(id: "${DUPLICATE_URL}") { id } }`)).source.id).toBe(SOURCE_ID);
  });

  it('on a page: created, cited, updated with an unset', async () => {
    const d = await ok(`{ page(slug: "anthropic") { numericId description history { type version actor reason data } } }`);
    expect(d.page).toMatchObject({ numericId: null, description: 'AI safety company' });
    expect(hist(d.page.history)).toEqual([
      ['PageCreated', 1, 'seed', 'seed source-page-example'],
      ['SourceCited', 2, 'seed', 'seed source-page-example'],
      ['PageUpdated', 3, 'dave', 'tidy the page'],
    ]);
    expect(d.page.history[2].data.unset).toEqual(['numericId']);
  });

  it('as known at an earlier position: only the events up to it', async () => {
    const p = String(s.steps.correctValue.position);
    const d = await ok(
      `query($p: String) {
      fact(id: "f_R59LmVVzcw", atPosition: $p) { version history { type } }
      page(slug: "anthropic", atPosition: $p) { numericId history { type } }
      source(id: "${SOURCE_ID}", atPosition: $p) { version history { type } }
    }`,
      { p },
    );
    expect(d.fact).toEqual({ version: 2, history: [{ type: 'FactAsserted' }, { type: 'FactCorrected' }] });
    expect(d.page).toEqual({ numericId: 'E22', history: [{ type: 'PageCreated' }, { type: 'SourceCited' }] });
    expect(d.source).toEqual({ version: 2, history: [{ type: 'SourceRegistered' }, { type: 'SourceContentCaptured' }] });
  });

  it('on an entity: registered, renamed', async () => {
    const d = await ok(`{ entity(id: "anthropic") { slug aliases history { type version actor reason data } } }`);
    expect(d.entity.slug).toBe('anthropic-pbc');
    expect(hist(d.entity.history)).toEqual([
      ['EntityRegistered', 1, 'seed', 'seed source-page-example'],
      ['EntityRenamed', 2, 'erin', 'legal name'],
    ]);
    expect(d.entity.history[1].data).toEqual({ id: 'mK9pX3rQ7n', from: 'anthropic', to: 'anthropic-pbc' });
  });
});
