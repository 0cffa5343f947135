import {
  decidePage,
  evolvePage,
  pageFields,
  type PageCommand,
  type PageEvent,
  type PageFields,
  type PageState,
} from '../../src/domain/page';
import { expectFail, expectOk, replay } from './domain-test-helpers';

const SRC_A = '7512ddb574f82249';
const SRC_B = '683aef834ac1612a';

const create = (fields: unknown, slug: unknown = 'anthropic'): PageCommand => ({ type: 'CreatePage', slug, fields });
const update = (set?: unknown, unset?: unknown, slug = 'anthropic'): PageCommand => ({ type: 'UpdatePage', slug, set, unset });
const cite = (sourceId: string, slug = 'anthropic'): PageCommand => ({ type: 'CiteSource', slug, sourceId });
const uncite = (sourceId: string, slug = 'anthropic'): PageCommand => ({ type: 'UnciteSource', slug, sourceId });

const FULL: PageFields = {
  title: 'Anthropic',
  numericId: 'E22',
  description: 'An AI safety company.',
  quality: 74.5,
  entityId: 'mK9pX3rQ7n',
};

const created = (fields: PageFields = FULL, citations: string[] = []): PageState => {
  let state = replay(evolvePage, null, expectOk(decidePage(create(fields), null)));
  for (const s of citations) state = replay(evolvePage, state, expectOk(decidePage(cite(s), state, { sourceExists: true })));
  if (!state) throw new Error('no state');
  return state;
};

describe('CreatePage', () => {
  it('produces one PageCreated event, and evolve starts with no citations', () => {
    const events = expectOk(decidePage(create(FULL), null));
    expect(events).toEqual([{ type: 'PageCreated', data: { slug: 'anthropic', ...FULL } }]);
    expect(replay(evolvePage, null, events)).toEqual({ slug: 'anthropic', fields: FULL, citations: [] });
  });

  it('needs only a title', () => {
    const events = expectOk(decidePage(create({ title: 'Deceptive alignment' }, 'deceptive-alignment'), null));
    expect(events).toEqual([{ type: 'PageCreated', data: { slug: 'deceptive-alignment', title: 'Deceptive alignment' } }]);
  });

  it.each([0, 100, 74.5, 74, 0.1, 99.9, 33.3])('accepts quality %d', (quality) => {
    expect(expectOk(decidePage(create({ title: 'T', quality }), null))[0].data).toEqual({ slug: 'anthropic', title: 'T', quality });
  });

  it('accepts every one-decimal quality from 0 to 100 despite binary floating point', () => {
    const rejected = Array.from({ length: 1001 }, (_, i) => i / 10).filter(
      (quality) => !decidePage(create({ title: 'T', quality }), null).ok,
    );
    expect(rejected).toEqual([]);
  });

  it.each([['anthropic page'], ['Anthropic'], ['anthropic_page'], [''], [5]])('rejects the slug %j', (slug) => {
    const command: PageCommand = { type: 'CreatePage', slug, fields: { title: 'T' } };
    expectFail(decidePage(command, null), 'BAD_USER_INPUT', 'slug', 'expected a kebab-case slug');
  });

  it('rejects creating a page that exists with CONFLICT', () => {
    expectFail(decidePage(create(FULL), created()), 'CONFLICT', 'id', 'page "anthropic" already exists');
  });

  it.each([
    [{}, 'title', 'is required'],
    [{ description: 'd' }, 'title', 'is required'],
    [{ title: '' }, 'title', 'must not be empty'],
    [{ title: 'x'.repeat(501) }, 'title', 'the limit is 500'],
    [{ title: 'T', slug: 'anthropic' }, 'slug', 'unknown field; known fields: title, numericId, description, quality, entityId'],
    [{ title: 'T', type: 'organization' }, 'type', 'unknown field'],
    [{ title: 'T', quality: 74.25 }, 'quality', 'may carry at most one decimal, got 74.25'],
    [{ title: 'T', quality: 0.05 }, 'quality', 'may carry at most one decimal'],
    [{ title: 'T', quality: -1 }, 'quality', 'expected a number from 0 to 100, got number -1'],
    [{ title: 'T', quality: 100.1 }, 'quality', 'expected a number from 0 to 100'],
    [{ title: 'T', quality: '75' }, 'quality', 'expected a number from 0 to 100, got string "75"'],
    [{ title: 'T', quality: Number.NaN }, 'quality', 'expected a number from 0 to 100'],
    [{ title: 'T', quality: Number.POSITIVE_INFINITY }, 'quality', 'expected a number from 0 to 100'],
    [{ title: 'T', numericId: 'e22' }, 'numericId', 'expected a numeric id such as "E22"'],
    [{ title: 'T', numericId: '22' }, 'numericId', 'expected a numeric id'],
    [{ title: 'T', entityId: 'anthropic' }, 'entityId', 'expected an entity id'],
    [{ title: 'T', description: 5 }, 'description', 'expected a string'],
  ])('rejects %j at %s', (fields, path, fragment) => {
    expectFail(decidePage(create(fields), null), 'BAD_USER_INPUT', path, fragment);
  });
});

describe('UpdatePage', () => {
  it('sets and unsets fields, keeping the citations and the unnamed fields', () => {
    const state = created(FULL, [SRC_A]);
    const events = expectOk(decidePage(update({ quality: 80 }, ['description']), state));
    expect(events).toEqual([{ type: 'PageUpdated', data: { slug: 'anthropic', set: { quality: 80 }, unset: ['description'] } }]);
    expect(replay(evolvePage, state, events)).toEqual({
      slug: 'anthropic',
      fields: { title: 'Anthropic', numericId: 'E22', quality: 80, entityId: 'mK9pX3rQ7n' },
      citations: [SRC_A],
    });
  });

  it('clears quality through unset', () => {
    const state = created();
    const next = replay(evolvePage, state, expectOk(decidePage(update(undefined, ['quality']), state)));
    expect(next?.fields).not.toHaveProperty('quality');
    expect(next?.fields.title).toBe('Anthropic');
  });

  it('appends no event when the values are already current', () => {
    expect(expectOk(decidePage(update({ quality: 74.5, title: 'Anthropic' }), created()))).toEqual([]);
  });

  it('accepts quality 74.5 and rejects 74.25 in a patch too', () => {
    expect(expectOk(decidePage(update({ quality: 60.5 }), created()))).toHaveLength(1);
    expectFail(decidePage(update({ quality: 74.25 }), created()), 'BAD_USER_INPUT', 'set.quality', 'at most one decimal');
  });

  it('rejects an update of an unknown page with NOT_FOUND', () => {
    expectFail(decidePage(update({ title: 'X' }), null), 'NOT_FOUND', 'id', 'page "anthropic" does not exist');
  });

  it.each([
    [undefined, ['title'], 'unset.0', '"title" is required and cannot be unset'],
    [undefined, ['citations'], 'unset.0', 'unknown field string "citations"'],
    [{ citations: [SRC_A] }, undefined, 'set.citations', 'unknown field'],
    [{ quality: 101 }, undefined, 'set.quality', 'expected a number from 0 to 100'],
    [{ quality: 50 }, ['quality'], 'unset.0', 'both set and unset'],
    [{}, undefined, 'set', 'the patch changes nothing'],
  ])('rejects set %j unset %j at %s', (set, unset, path, fragment) => {
    expectFail(decidePage(update(set, unset), created()), 'BAD_USER_INPUT', path, fragment);
  });
});

describe('CiteSource', () => {
  it('produces SourceCited, and evolve adds the source to the set', () => {
    const state = created();
    const events = expectOk(decidePage(cite(SRC_A), state, { sourceExists: true }));
    expect(events).toEqual([{ type: 'SourceCited', data: { slug: 'anthropic', sourceId: SRC_A } }]);
    const next = replay(evolvePage, state, events);
    expect(next).toEqual({ ...state, citations: [SRC_A] });
    const both = replay(evolvePage, next, expectOk(decidePage(cite(SRC_B), next, { sourceExists: true })));
    expect(both?.citations).toEqual([SRC_A, SRC_B]);
  });

  it('is a no-op to cite the same source twice', () => {
    expect(expectOk(decidePage(cite(SRC_A), created(FULL, [SRC_A]), { sourceExists: true }))).toEqual([]);
  });

  it('accepts a citation when the caller did not check existence', () => {
    expect(expectOk(decidePage(cite(SRC_A), created()))).toHaveLength(1);
  });

  it('rejects citing on an unknown page with NOT_FOUND at slug', () => {
    expectFail(decidePage(cite(SRC_A), null, { sourceExists: true }), 'NOT_FOUND', 'slug', 'page "anthropic" does not exist');
  });

  it('rejects citing a source that does not exist with NOT_FOUND at source', () => {
    expectFail(decidePage(cite(SRC_A), created(), { sourceExists: false }), 'NOT_FOUND', 'source', `source ${SRC_A} does not exist`);
  });

  it.each([['7512DDB574F82249'], ['7512ddb574f8224'], ['not-a-source-id'], ['']])(
    'treats the malformed source id %j as not found',
    (id) => {
      expectFail(decidePage(cite(id), created(), { sourceExists: true }), 'NOT_FOUND', 'source', 'does not exist');
    },
  );
});

describe('UnciteSource', () => {
  it('produces SourceUncited, and evolve removes only that source', () => {
    const state = created(FULL, [SRC_A, SRC_B]);
    const events = expectOk(decidePage(uncite(SRC_A), state));
    expect(events).toEqual([{ type: 'SourceUncited', data: { slug: 'anthropic', sourceId: SRC_A } }]);
    expect(replay(evolvePage, state, events)).toEqual({ ...state, citations: [SRC_B] });
  });

  it('rejects unciting a source the page does not cite', () => {
    expectFail(
      decidePage(uncite(SRC_B), created(FULL, [SRC_A])),
      'BAD_USER_INPUT',
      'source',
      `page "anthropic" does not cite source ${SRC_B}`,
    );
  });

  it('rejects unciting on an unknown page with NOT_FOUND', () => {
    expectFail(decidePage(uncite(SRC_A), null), 'NOT_FOUND', 'slug', 'page "anthropic" does not exist');
  });
});

describe('evolvePage', () => {
  it.each<PageEvent>([
    { type: 'PageUpdated', data: { slug: 'x', set: { title: 'X' }, unset: [] } },
    { type: 'SourceCited', data: { slug: 'x', sourceId: SRC_A } },
    { type: 'SourceUncited', data: { slug: 'x', sourceId: SRC_A } },
  ])('ignores $type for a page it has not seen', (event) => {
    expect(evolvePage(null, event)).toBeNull();
  });
});

describe('page front matter fields', () => {
  const create = (fields: Record<string, unknown>) =>
    decidePage({ type: 'CreatePage', slug: 'p', fields: { title: 'P', ...fields } }, null);

  it('reads the wiki’s front matter: scores like quality, days, clusters, ratings, a partial date', () => {
    const [event] = expectOk(
      create({
        path: 'knowledge-base/p.mdx',
        lastEdited: '2026-02',
        updateFrequency: 21,
        readerImportance: 72.5,
        researchImportance: 94,
        tacticalValue: 0,
        subcategory: 'agentic',
        clusters: ['ai-safety', 'governance'],
        ratings: { rigor: 6, novelty: 3.5 },
        pageType: 'stub',
        contentFormat: 'table',
      }),
    );
    expect(event.data).toMatchObject({ lastEdited: '2026-02', ratings: { rigor: 6, novelty: 3.5 }, readerImportance: 72.5 });
  });

  it.each([
    [{ readerImportance: 72.55 }, 'readerImportance', 'at most one decimal'],
    [{ tacticalValue: 101 }, 'tacticalValue', 'expected a number from 0 to 100'],
    [{ updateFrequency: 1.5 }, 'updateFrequency', 'expected an integer'],
    [{ ratings: { rigor: 11 } }, 'ratings.rigor', 'expected a number from 0 to 10'],
    [{ ratings: {} }, 'ratings', 'at least one rating'],
    [{ clusters: ['AI Safety'] }, 'clusters.0', 'kebab-case'],
    [{ lastEdited: '2026-02-30' }, 'lastEdited', ''],
  ])('refuses %j', (fields, path, fragment) => {
    expectFail(create(fields), 'BAD_USER_INPUT', path, fragment);
  });

  it('has a keyed attributes field', () => {
    expect(pageFields.attributes.keyed).toBe(true);
  });
});
