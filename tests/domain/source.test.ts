import {
  decideSource,
  evolveSource,
  MAX_CONTENT_LENGTH,
  previewText,
  SOURCE_TYPES,
  sourceIdOf,
  type SourceCommand,
  type SourceContext,
  type SourceEvent,
  type SourceFields,
  type SourceState,
  instant,
} from '../../src/domain/source';
import { clone, expectFail, expectOk, replay } from './domain-test-helpers';

const URL_ASL3 = 'https://www.anthropic.com/news/activating-asl3-protections';
const ID_ASL3 = '7512ddb574f82249'; // sha256 of URL_ASL3, first 16 hex (checked with sha256sum)
const URL_CAI = 'https://arxiv.org/abs/2212.08073';
const ID_CAI = '683aef834ac1612a';
const CTX: SourceContext = { newStableId: 'Gen3rated0' };

const register = (fields: unknown): SourceCommand => ({ type: 'RegisterSource', fields });
const update = (set?: unknown, unset?: unknown, id = ID_ASL3): SourceCommand => ({ type: 'UpdateSource', id, set, unset });
const capture = (content: unknown, id = ID_ASL3): SourceCommand => ({ type: 'CaptureSourceContent', id, content });
const merge = (from: string, into: string): SourceCommand => ({ type: 'MergeSources', from, into });

const FULL_INPUT = {
  url: URL_ASL3,
  stableId: 'kX7pQ2rT9w',
  title: 'Activating AI Safety Level 3 Protections',
  type: 'blog',
  authors: ['Anthropic'],
  publishedDate: '2025-05-22',
  publicationId: 'anthropic',
  credibilityOverride: 4,
  abstract: 'We have activated the ASL-3 deployment and security standards.',
  summary: 'ASL-3 for Claude Opus 4.',
  review: 'Primary source.',
  keyPoints: ['ASL-3 activated', 'Precautionary'],
  tags: ['rsp', 'asl-3'],
};

const registered = (fields: Record<string, unknown> = { url: URL_ASL3, title: 'ASL-3' }): SourceState => {
  const state = replay(evolveSource, null, expectOk(decideSource(register(fields), null, CTX)));
  if (!state) throw new Error('registration produced no state');
  return state;
};

describe('sourceIdOf', () => {
  it('is the first 16 hex characters of the SHA-256 of the exact URL', () => {
    expect(expectOk(sourceIdOf({ url: URL_ASL3 }))).toBe(ID_ASL3);
    expect(expectOk(sourceIdOf({ url: URL_CAI }))).toBe(ID_CAI);
  });

  it('does not normalize: a trailing slash or another case is another source', () => {
    expect(expectOk(sourceIdOf({ url: `${URL_ASL3}/` }))).not.toBe(ID_ASL3);
    expect(expectOk(sourceIdOf({ url: URL_ASL3.replace('anthropic', 'Anthropic') }))).not.toBe(ID_ASL3);
  });

  it.each([[null], [{}], [{ url: 42 }], [{ url: 'not-a-url' }]])('rejects %j at url', (fields) => {
    expectFail(sourceIdOf(fields), 'BAD_USER_INPUT', 'url', 'expected an absolute http(s) URL');
  });
});

describe('RegisterSource', () => {
  it('produces one SourceRegistered event keyed by the URL hash, and evolve builds a fresh source', () => {
    const events = expectOk(decideSource(register(FULL_INPUT), null, CTX));
    expect(events).toEqual([{ type: 'SourceRegistered', data: { id: ID_ASL3, ...FULL_INPUT } }]);
    expect(replay(evolveSource, null, events)).toEqual({
      id: ID_ASL3,
      fields: FULL_INPUT,
      content: null,
      mergedInto: null,
      mergedFrom: [],
    });
  });

  it('takes the stable id from the input over the context', () => {
    const events = expectOk(decideSource(register({ url: URL_ASL3, stableId: 'kX7pQ2rT9w' }), null, CTX));
    expect(events).toEqual([{ type: 'SourceRegistered', data: { id: ID_ASL3, url: URL_ASL3, stableId: 'kX7pQ2rT9w' } }]);
  });

  it.each([[undefined], [null]])("takes the context's new stable id when the input gives %j", (stableId) => {
    const events = expectOk(decideSource(register({ url: URL_ASL3, stableId }), null, CTX));
    expect(events).toEqual([{ type: 'SourceRegistered', data: { id: ID_ASL3, url: URL_ASL3, stableId: 'Gen3rated0' } }]);
    expect(replay(evolveSource, null, events)?.fields.stableId).toBe('Gen3rated0');
  });

  it('requires a stable id when neither the input nor a context gives one', () => {
    expectFail(decideSource(register({ url: URL_ASL3 }), null), 'BAD_USER_INPUT', 'stableId', 'is required');
  });

  it('accepts the partial-date forms for publishedDate and keeps their precision', () => {
    for (const [given, stored] of [
      ['2025', '2025'],
      ['2025-05', '2025-05'],
      ['2025-05-22', '2025-05-22'],
      [2019, '2019'],
    ] as const) {
      const events = expectOk(decideSource(register({ url: URL_ASL3, publishedDate: given }), null, CTX));
      expect((events[0].data as SourceFields).publishedDate).toBe(stored);
    }
  });

  it.each(SOURCE_TYPES.map((t) => [t]))('accepts type %s', (type) => {
    expect(expectOk(decideSource(register({ url: URL_ASL3, type }), null, CTX))[0].data).toMatchObject({ type });
  });

  it('rejects registering a URL that already has a source with CONFLICT', () => {
    expectFail(decideSource(register({ url: URL_ASL3 }), registered(), CTX), 'CONFLICT', 'id', `source ${ID_ASL3}`);
  });

  it.each([
    [{ title: 'no url' }, 'url', 'expected an absolute http(s) URL, got nothing'],
    [{ url: null }, 'url', 'expected an absolute http(s) URL'],
    [{ url: 'ftp://example.com/file' }, 'url', 'expected an absolute http(s) URL'],
    [{ url: 'www.anthropic.com/news' }, 'url', 'expected an absolute http(s) URL'],
    [{ url: 'https://' }, 'url', 'expected an absolute http(s) URL'],
    [{ url: ` ${URL_ASL3}` }, 'url', 'must not contain whitespace'],
    [{ url: `https://example.com/${'a'.repeat(2048)}` }, 'url', 'the limit is 2048'],
    [{ url: URL_ASL3, stableId: 'short' }, 'stableId', 'expected a stable id of 10 characters'],
    [{ url: URL_ASL3, stableId: 'kX7pQ2rT9_' }, 'stableId', 'expected a stable id of 10 characters'],
    [{ url: URL_ASL3, id: ID_ASL3 }, 'id', 'unknown field'],
    [{ url: URL_ASL3, credibility: 3 }, 'credibility', 'unknown field; known fields: url, stableId, title'],
    [{ url: URL_ASL3, title: '' }, 'title', 'must not be empty'],
    [{ url: URL_ASL3, title: 7 }, 'title', 'expected a string'],
    [{ url: URL_ASL3, type: 'video' }, 'type', 'expected one of paper, blog'],
    [{ url: URL_ASL3, authors: 'Anthropic' }, 'authors', 'expected a list'],
    [{ url: URL_ASL3, authors: ['Dario Amodei', 'Jared Kaplan', 'Dario Amodei'] }, 'authors.2', 'duplicate item'],
    [{ url: URL_ASL3, authors: ['Dario Amodei', ''] }, 'authors.1', 'must not be empty'],
    [{ url: URL_ASL3, tags: ['rsp', 'rsp'] }, 'tags.1', 'duplicate item'],
    [{ url: URL_ASL3, keyPoints: ['a', 'b', 'a'] }, 'keyPoints.2', 'duplicate item'],
    [{ url: URL_ASL3, publishedDate: '2025-13' }, 'publishedDate', 'month must be 01–12'],
    [{ url: URL_ASL3, publishedDate: '2025-02-30' }, 'publishedDate', 'day must be 01–28'],
    [{ url: URL_ASL3, publishedDate: '2025-05-22T00:00:00Z' }, 'publishedDate', 'expected a partial date'],
    [{ url: URL_ASL3, publishedDate: 'May 2025' }, 'publishedDate', 'expected a partial date'],
    [{ url: URL_ASL3, publicationId: 'Anthropic Blog' }, 'publicationId', 'expected a publication id'],
    [{ url: URL_ASL3, credibilityOverride: 0 }, 'credibilityOverride', 'expected an integer from 1 to 5, got number 0'],
    [{ url: URL_ASL3, credibilityOverride: 6 }, 'credibilityOverride', 'expected an integer from 1 to 5, got number 6'],
    [{ url: URL_ASL3, credibilityOverride: 2.5 }, 'credibilityOverride', 'expected an integer from 1 to 5, got number 2.5'],
    [{ url: URL_ASL3, summary: 's'.repeat(50_001) }, 'summary', 'the limit is 50000'],
  ])('rejects %j at %s', (fields, path, fragment) => {
    expectFail(decideSource(register(fields), null, CTX), 'BAD_USER_INPUT', path, fragment);
  });
});

describe('UpdateSource', () => {
  it('sets and unsets fields; evolve leaves the others, the content and the merge links alone', () => {
    const state = registered({ url: URL_ASL3, title: 'ASL-3', summary: 'old', tags: ['rsp'] });
    const events = expectOk(decideSource(update({ title: 'Activating ASL-3 Protections', credibilityOverride: 5 }, ['summary']), state));
    expect(events).toEqual([
      {
        type: 'SourceUpdated',
        data: { id: ID_ASL3, set: { title: 'Activating ASL-3 Protections', credibilityOverride: 5 }, unset: ['summary'] },
      },
    ]);
    expect(replay(evolveSource, state, events)).toEqual({
      id: ID_ASL3,
      fields: { url: URL_ASL3, stableId: 'Gen3rated0', title: 'Activating ASL-3 Protections', tags: ['rsp'], credibilityOverride: 5 },
      content: null,
      mergedInto: null,
      mergedFrom: [],
    });
  });

  it('clears a field through unset', () => {
    const state = registered({ url: URL_ASL3, credibilityOverride: 2 });
    const next = replay(evolveSource, state, expectOk(decideSource(update(undefined, ['credibilityOverride']), state)));
    expect(next?.fields).toEqual({ url: URL_ASL3, stableId: 'Gen3rated0' });
  });

  it('appends no event when nothing changes', () => {
    const state = registered({ url: URL_ASL3, title: 'ASL-3', tags: ['a', 'b'] });
    expect(expectOk(decideSource(update({ title: 'ASL-3', tags: ['a', 'b'] }, ['summary']), state))).toEqual([]);
  });

  it('treats a reordered list as a change (lists are ordered)', () => {
    const state = registered({ url: URL_ASL3, tags: ['a', 'b'] });
    expect(expectOk(decideSource(update({ tags: ['b', 'a'] }), state))).toEqual([
      { type: 'SourceUpdated', data: { id: ID_ASL3, set: { tags: ['b', 'a'] }, unset: [] } },
    ]);
  });

  it('rejects an update of an unknown source with NOT_FOUND', () => {
    expectFail(decideSource(update({ title: 'x' }), null), 'NOT_FOUND', 'id', `source ${ID_ASL3} does not exist`);
  });

  it.each([
    [{ url: 'https://example.com/other' }, undefined, 'set.url', 'cannot be changed'],
    [{ url: URL_ASL3 }, undefined, 'set.url', 'cannot be changed'],
    [{ stableId: 'Zz9Zz9Zz9Z' }, undefined, 'set.stableId', 'cannot be changed'],
    [undefined, ['url'], 'unset.0', '"url" is required and cannot be unset'],
    [undefined, ['title', 'stableId'], 'unset.1', '"stableId" is required and cannot be unset'],
    [undefined, ['content'], 'unset.0', 'unknown field string "content"'],
    [{ credibilityOverride: 0 }, undefined, 'set.credibilityOverride', 'expected an integer from 1 to 5'],
    [{ credibilityOverride: 6 }, undefined, 'set.credibilityOverride', 'expected an integer from 1 to 5'],
    [{ credibilityOverride: 2.5 }, undefined, 'set.credibilityOverride', 'expected an integer from 1 to 5'],
    [{ authors: ['A', 'A'] }, undefined, 'set.authors.1', 'duplicate item'],
    [{ title: 'New' }, ['title'], 'unset.0', '"title" is both set and unset'],
    [{}, [], 'set', 'the patch changes nothing'],
  ])('rejects set %j unset %j at %s', (set, unset, path, fragment) => {
    expectFail(decideSource(update(set, unset), registered()), 'BAD_USER_INPUT', path, fragment);
  });
});

describe('CaptureSourceContent', () => {
  const TEXT = 'Anthropic activated ASL-3 protections.';
  const TEXT_HASH = '912d464bf2d314e0d8200de42bcd46ff5269c36e439ca4a7013a21b5d65d5e55'; // sha256sum

  it('derives length and SHA-256 hash from the text and normalizes fetchedAt', () => {
    const state = registered();
    const events = expectOk(
      decideSource(
        capture({
          text: TEXT,
          fetchedAt: '2025-05-22T10:00:00Z',
          httpStatus: 200,
          contentType: 'text/html',
        }),
        state,
      ),
    );
    const content = {
      text: TEXT,
      length: 38,
      contentHash: TEXT_HASH,
      fetchedAt: '2025-05-22T10:00:00.000Z',
      httpStatus: 200,
      contentType: 'text/html',
    };
    expect(events).toEqual([{ type: 'SourceContentCaptured', data: { id: ID_ASL3, ...content } }]);
    const next = replay(evolveSource, state, events);
    expect(next).toEqual({ ...state, content });
    expect(next?.fields).toEqual(state.fields);
  });

  it('ignores a caller-supplied length or hash: they are always derived', () => {
    const events = expectOk(decideSource(capture({ text: 'hello', length: 999, contentHash: 'forged' }), registered()));
    expect(events).toEqual([
      {
        type: 'SourceContentCaptured',
        data: { id: ID_ASL3, text: 'hello', length: 5, contentHash: '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824' },
      },
    ]);
  });

  it('hashes the text as UTF-8', () => {
    const events = expectOk(decideSource(capture({ text: 'café ☕' }), registered()));
    expect(events[0].data).toMatchObject({ length: 6, contentHash: 'a7e46d54289812af2aa5b08c2fbab5d24bccfc6586df55b187272c8a2a31c85f' });
  });

  it('is a no-op to capture identical content again', () => {
    const input = { text: TEXT, fetchedAt: '2025-05-22T10:00:00.000Z', httpStatus: 200 };
    const state = replay(evolveSource, registered(), expectOk(decideSource(capture(input), registered())));
    expect(expectOk(decideSource(capture(input), state))).toEqual([]);
    expect(expectOk(decideSource(capture({ ...input, fetchedAt: '2025-05-22T10:00:00Z' }), state))).toEqual([]);
  });

  it('is a no-op to capture identical text without fetch times', () => {
    const state = replay(evolveSource, registered(), expectOk(decideSource(capture({ text: TEXT }), registered())));
    expect(expectOk(decideSource(capture({ text: TEXT }), state))).toEqual([]);
  });

  it('records changed text, and evolve replaces the previous content', () => {
    const state = replay(evolveSource, registered(), expectOk(decideSource(capture({ text: TEXT }), registered())));
    const events = expectOk(decideSource(capture({ text: 'hello' }), state));
    expect(events).toHaveLength(1);
    expect(replay(evolveSource, state, events)?.content).toEqual({
      text: 'hello',
      length: 5,
      contentHash: '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824',
    });
  });

  it('records a re-fetch of the same text at a new time (fetchedAt moves)', () => {
    const first = { text: TEXT, fetchedAt: '2025-05-22T10:00:00Z' };
    const state = replay(evolveSource, registered(), expectOk(decideSource(capture(first), registered())));
    const events = expectOk(decideSource(capture({ ...first, fetchedAt: '2025-06-01T00:00:00Z' }), state));
    expect(events).toEqual([
      {
        type: 'SourceContentCaptured',
        data: { id: ID_ASL3, text: TEXT, length: 38, contentHash: TEXT_HASH, fetchedAt: '2025-06-01T00:00:00.000Z' },
      },
    ]);
  });

  it('rejects a capture for an unknown source with NOT_FOUND', () => {
    expectFail(decideSource(capture({ text: TEXT }), null), 'NOT_FOUND', 'id', 'does not exist');
  });

  it.each([
    [null, 'content', 'expected an object with at least "text"'],
    ['just text', 'content', 'expected an object'],
    [{}, 'content.text', 'expected the non-empty text'],
    [{ text: '' }, 'content.text', 'expected the non-empty text'],
    [{ text: 42 }, 'content.text', 'expected the non-empty text'],
    [{ text: 'x', fetchedAt: 'yesterday' }, 'content.fetchedAt', 'expected an ISO 8601 instant'],
    [{ text: 'x', fetchedAt: 1716372000000 }, 'content.fetchedAt', 'expected an ISO 8601 instant'],
    [{ text: 'x', httpStatus: 99 }, 'content.httpStatus', 'expected an integer from 100 to 599'],
    [{ text: 'x', httpStatus: 600 }, 'content.httpStatus', 'expected an integer from 100 to 599'],
    [{ text: 'x', httpStatus: '200' }, 'content.httpStatus', 'expected an integer from 100 to 599'],
    [{ text: 'x', contentType: '' }, 'content.contentType', 'must not be empty'],
    [{ text: 'x', contentType: 'x'.repeat(201) }, 'content.contentType', 'the limit is 200'],
  ])('rejects content %j at %s', (content, path, fragment) => {
    expectFail(decideSource(capture(content), registered()), 'BAD_USER_INPUT', path, fragment);
  });

  it('rejects text over the size limit', () => {
    expectFail(
      decideSource(capture({ text: 'x'.repeat(MAX_CONTENT_LENGTH + 1) }), registered()),
      'BAD_USER_INPUT',
      'content.text',
      `the limit is ${MAX_CONTENT_LENGTH}`,
    );
  });
});

describe('MergeSources', () => {
  const other = (): SourceState => {
    const s = replay(evolveSource, null, expectOk(decideSource(register({ url: URL_CAI }), null, { newStableId: 'Other00001' })));
    if (!s) throw new Error('no state');
    return s;
  };

  it('produces SourceMergedInto for the merged-away source and SourceMergedFrom for the target', () => {
    const from = registered();
    const events = expectOk(decideSource(merge(ID_ASL3, ID_CAI), from));
    expect(events).toEqual([
      { type: 'SourceMergedInto', data: { id: ID_ASL3, into: ID_CAI } },
      { type: 'SourceMergedFrom', data: { id: ID_CAI, from: ID_ASL3 } },
    ]);
    const merged = evolveSource(from, events[0]);
    expect(merged).toEqual({ ...from, mergedInto: ID_CAI });
    const target = evolveSource(other(), events[1]);
    expect(target).toEqual({ ...other(), mergedFrom: [ID_ASL3] });
  });

  it('accumulates several merged-from ids on the target', () => {
    const a: SourceEvent = { type: 'SourceMergedFrom', data: { id: ID_CAI, from: ID_ASL3 } };
    const b: SourceEvent = { type: 'SourceMergedFrom', data: { id: ID_CAI, from: '0123456789abcdef' } };
    expect(replay(evolveSource, other(), [a, b])?.mergedFrom).toEqual([ID_ASL3, '0123456789abcdef']);
  });

  it('rejects merging a source into itself', () => {
    expectFail(decideSource(merge(ID_ASL3, ID_ASL3), registered()), 'BAD_USER_INPUT', 'into', 'cannot be merged into itself');
  });

  it('rejects merging an unknown source with NOT_FOUND', () => {
    expectFail(decideSource(merge(ID_ASL3, ID_CAI), null), 'NOT_FOUND', 'id', `source ${ID_ASL3} does not exist`);
  });

  describe('a merged source takes no more changes', () => {
    const merged = (): SourceState | null => {
      const s = registered();
      return replay<SourceState | null, SourceEvent>(evolveSource, s, expectOk(decideSource(merge(ID_ASL3, ID_CAI), s)).slice(0, 1));
    };

    it.each([
      ['UpdateSource', update({ title: 'x' })],
      ['CaptureSourceContent', capture({ text: 'x' })],
      ['MergeSources', merge(ID_ASL3, '0123456789abcdef')],
    ])('%s is rejected, pointing at the target', (_name, command) => {
      const before = clone(merged());
      expectFail(decideSource(command, merged()), 'BAD_USER_INPUT', 'id', `source ${ID_ASL3} was merged into ${ID_CAI}; change that one`);
      expect(merged()).toEqual(before);
    });
  });
});

describe('evolveSource', () => {
  it.each<SourceEvent>([
    { type: 'SourceUpdated', data: { id: ID_ASL3, set: { title: 'x' }, unset: [] } },
    { type: 'SourceContentCaptured', data: { id: ID_ASL3, text: 'x', length: 1, contentHash: 'h' } },
    { type: 'SourceMergedInto', data: { id: ID_ASL3, into: ID_CAI } },
    { type: 'SourceMergedFrom', data: { id: ID_ASL3, from: ID_CAI } },
  ])('ignores $type for a source it has not seen', (event) => {
    expect(evolveSource(null, event)).toBeNull();
  });
});

describe('previewText', () => {
  const text = 'We have activated the AI Safety Level 3 protections.';

  it('returns a text that fits whole, with no ellipsis', () => {
    expect(previewText(text, text.length)).toBe(text);
    expect(previewText(text, 1000)).toBe(text);
  });

  it('cuts where a word ends and marks the cut with …, within the limit', () => {
    // 'We have activated the AI Sa' is 27 characters: the cut goes back to the end of "AI".
    expect(previewText(text, 28)).toBe('We have activated the AI…');
    // Room for exactly "We have" (7) and the ellipsis.
    expect(previewText(text, 8)).toBe('We have…');
    expect(previewText('one two', 6)).toBe('one…');
  });

  it('cuts inside a word only when one word is longer than the preview, and never inside a surrogate pair', () => {
    expect(previewText('https://example.org/a-very-long-path', 10)).toBe('https://e…');
    expect(previewText('ab😀cd', 4)).toBe('ab…');
    expect(previewText(text, 1)).toBe('…');
    expect(previewText(text, 0)).toBe('');
  });

  it('never returns more than the limit, and always a start of the text', () => {
    for (let chars = 1; chars <= text.length + 2; chars++) {
      const p = previewText(text, chars);
      expect(p.length).toBeLessThanOrEqual(chars);
      expect(text.startsWith(p.replace(/…$/, ''))).toBe(true);
      // What was kept ends a word: the text goes on with a space there.
      if (p.endsWith('…') && p.includes(' ')) expect(text[p.length - 1]).toBe(' ');
    }
  });
});

describe('fetchedAt (instant)', () => {
  it.each([
    ['2025-12-28 03:52:37', '2025-12-28T03:52:37.000Z'],
    ['2025-12-28T02:55:21.000Z', '2025-12-28T02:55:21.000Z'],
    ['2025-12-28T04:55:21+02:00', '2025-12-28T02:55:21.000Z'],
    ['2024-02-29 00:00', '2024-02-29T00:00:00.000Z'],
  ])('reads %s as the instant %s (no zone is UTC)', (raw, want) => {
    expect(expectOk(instant.read(raw, 'fetchedAt'))).toBe(want);
  });

  it.each([['2025-02-30 00:00:00'], ['2025-13-01T00:00Z'], ['2025-12-28'], ['yesterday'], [1735355557]])('refuses %j', (raw) => {
    expectFail(instant.read(raw, 'fetchedAt'), 'BAD_USER_INPUT', 'fetchedAt', 'ISO 8601 instant');
  });
});
