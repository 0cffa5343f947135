import fc from 'fast-check';
import {
  generateFactId,
  generateStableId,
  isFactId,
  isKebabId,
  isNumericId,
  isSourceHexId,
  isStableId,
  parseEntityId,
  parsePageSlug,
  parsePropertyId,
  parseSourceId,
  parseStableId,
  sourceIdForUrl,
  validateUrl,
  type SourceId,
  type StableId,
} from '../../src/domain/ids';

describe('sourceIdForUrl', () => {
  it('matches the id the wiki computed for a real source', () => {
    expect(sourceIdForUrl('https://www.anthropic.com/news/activating-asl3-protections')).toBe('7512ddb574f82249');
  });

  it('hashes the exact string: a trailing slash is a different source', () => {
    const a = sourceIdForUrl('https://example.com/a');
    expect(sourceIdForUrl('https://example.com/a/')).not.toBe(a);
    expect(isSourceHexId(a)).toBe(true);
  });

  it('hashes non-ASCII URLs as UTF-8', () => {
    // sha256("https://example.com/é") computed independently with sha256sum.
    expect(sourceIdForUrl('https://example.com/é')).toBe('bd66231abfb4df41');
  });
});

describe('generated ids', () => {
  it('generates 10-character stable ids from [A-Za-z0-9]', () => {
    for (let i = 0; i < 200; i++) {
      const id = generateStableId();
      expect(id).toMatch(/^[A-Za-z0-9]{10}$/);
      expect(isStableId(id)).toBe(true);
    }
  });

  it('does not repeat itself', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => generateStableId()));
    expect(ids.size).toBe(1000);
  });

  it('uses the injected random source, covering both ends of the alphabet', () => {
    expect(generateStableId(() => 0)).toBe('AAAAAAAAAA');
    expect(generateStableId(() => 0.999999)).toBe('9999999999');
    expect(generateStableId(() => 1)).toBe('9999999999');
  });

  it('generates fact ids as f_ plus 10 characters', () => {
    const id = generateFactId();
    expect(id).toMatch(/^f_[A-Za-z0-9]{10}$/);
    expect(isFactId(id)).toBe(true);
    expect(generateFactId(() => 0)).toBe('f_AAAAAAAAAA');
  });
});

describe('validators', () => {
  it.each([
    ['mK9pX3rQ7n', true],
    ['7512ddb574', true],
    ['mK9pX3rQ7', false],
    ['mK9pX3rQ7nn', false],
    ['mK9pX3rQ7-', false],
    ['', false],
  ])('isStableId(%j) is %s', (s, expected) => {
    expect(isStableId(s)).toBe(expected);
  });

  it.each([
    ['safety-level', true],
    ['anthropic', true],
    ['e22', true],
    ['1st-place', true],
    ['a', true],
    ['a'.repeat(100), true],
    ['a'.repeat(101), false],
    ['Safety-level', false],
    ['safety--level', false],
    ['-safety', false],
    ['safety-', false],
    ['safety_level', false],
    ['safety level', false],
    ['', false],
  ])('isKebabId(%j) is %s', (s, expected) => {
    expect(isKebabId(s)).toBe(expected);
  });

  it.each([
    ['7512ddb574f82249', true],
    ['7512DDB574F82249', false],
    ['7512ddb574f8224', false],
    ['7512ddb574f82249a', false],
    ['7512ddb574f8224g', false],
  ])('isSourceHexId(%j) is %s', (s, expected) => {
    expect(isSourceHexId(s)).toBe(expected);
  });

  it.each([
    ['E22', true],
    ['E1', true],
    ['E', false],
    ['e22', false],
    ['22', false],
    ['E22a', false],
  ])('isNumericId(%j) is %s', (s, expected) => {
    expect(isNumericId(s)).toBe(expected);
  });

  it.each([
    ['f_BnkEWenniQ', true],
    ['f_rev_2024_12', true],
    ['f_', true],
    ['_f', false],
    ['f BnkEWenniQ', false],
    ['', false],
  ])('isFactId(%j) is %s (imported fact ids are free-form)', (s, expected) => {
    expect(isFactId(s)).toBe(expected);
  });

  it('rejects non-strings everywhere', () => {
    for (const check of [isStableId, isKebabId, isSourceHexId, isNumericId, isFactId]) {
      expect(check(42)).toBe(false);
      expect(check(null)).toBe(false);
    }
  });
});

describe('parsers return branded ids or BAD_USER_INPUT', () => {
  it('brands a valid id', () => {
    const r = parseSourceId('7512ddb574f82249', 'input.id');
    expect(r).toEqual({ ok: true, value: '7512ddb574f82249' });
    if (r.ok) {
      const id: SourceId = r.value;
      // @ts-expect-error a SourceId is not a StableId
      const wrong: StableId = id;
      void wrong;
    }
  });

  it.each([
    [parseSourceId, 'ABC'],
    [parseStableId, 'short'],
    [parseEntityId, 'anthropic'],
    [parsePropertyId, 'Safety Level'],
    [parsePageSlug, 'a--b'],
  ] as const)('refuses a bad id with its path', (parse, raw) => {
    const r = parse(raw, 'input.id');
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('BAD_USER_INPUT');
      expect(r.error.path).toEqual(['input', 'id']);
      expect(r.error.message).toContain(`got string "${raw}"`);
    }
  });
});

describe('validateUrl', () => {
  it.each([
    'https://www.anthropic.com/news/activating-asl3-protections',
    'http://example.com',
    'https://example.com/a?b=c#d',
    'HTTPS://EXAMPLE.COM/Path',
    'https://tracxn.com/d/companies/anthropic/__SzoxXDMin-NK5tKB7ks8yHr6S9Mz68pjVCzFEcGFZ08',
  ])('accepts %s and keeps it exactly', (url) => {
    expect(validateUrl(url, 'input.url')).toEqual({ ok: true, value: url });
  });

  it.each([
    'ftp://example.com/x',
    'example.com',
    '/news/x',
    'https://',
    'https:example.com',
    ' https://example.com',
    'https://example.com ',
    'https://exa mple.com',
    'mailto:a@b.c',
    'javascript:alert(1)',
    '',
  ])('refuses %j', (url) => {
    const r = validateUrl(url, 'input.url');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.path).toEqual(['input', 'url']);
  });

  it('refuses non-strings and over-long URLs', () => {
    expect(validateUrl(null, 'url').ok).toBe(false);
    expect(validateUrl(`https://example.com/${'a'.repeat(2048 - 20)}`, 'url').ok).toBe(true);
    const long = validateUrl(`https://example.com/${'a'.repeat(2048)}`, 'url');
    expect(long.ok).toBe(false);
    if (!long.ok) expect(long.error.message).toContain('the limit is 2048');
  });
});

describe('properties', () => {
  it('every generated stable id passes isStableId, whatever the random source', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 10 }), (xs) => {
        let i = 0;
        const id = generateStableId(() => xs[i++ % xs.length] ?? 0);
        return isStableId(id);
      }),
    );
  });

  it('source ids are always 16 lowercase hex characters', () => {
    fc.assert(fc.property(fc.webUrl(), (url) => isSourceHexId(sourceIdForUrl(url))));
  });
});
