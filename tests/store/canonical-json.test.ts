import fc from 'fast-check';
import { canonicalJson, jsonEqual } from '../../src/store/canonical-json';

// jsonEqual is canonicalJson's equality without the strings (the importer's diff runs on it), so it must
// agree with comparing the serializations on every pair, including the near misses that matter.
const leaf = fc.oneof(
  fc.constant(null),
  fc.constant(undefined),
  fc.boolean(),
  fc.integer({ min: -3, max: 3 }),
  fc.double(),
  fc.string({ maxLength: 3 }),
);
const json = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    leaf,
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom('a', 'b', 'c'), tie('value'), { maxKeys: 3 }),
  ),
})).value;
/** The same value with its objects' keys in reverse order: equal in the serialization. */
const reordered = (v: unknown): unknown => {
  if (Array.isArray(v)) return v.map(reordered);
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(
    Object.entries(v)
      .reverse()
      .map(([k, x]) => [k, reordered(x)]),
  );
};

describe('jsonEqual', () => {
  it('agrees with comparing canonicalJson strings on random pairs', () => {
    fc.assert(
      fc.property(json, json, (a, b) => {
        expect(jsonEqual(a, b)).toBe(canonicalJson(a) === canonicalJson(b));
      }),
      { numRuns: 3000 },
    );
  });

  it('agrees on a value and its reordering, and on small edits of it', () => {
    fc.assert(
      fc.property(json, (a) => {
        expect(jsonEqual(a, reordered(a))).toBe(true);
        const edited = { wrapped: a, extra: 1 };
        expect(jsonEqual({ wrapped: a }, edited)).toBe(canonicalJson({ wrapped: a }) === canonicalJson(edited));
      }),
      { numRuns: 1000 },
    );
  });

  it.each([
    [{ a: 1, b: undefined }, { a: 1 }, true],
    [{ a: 1 }, { a: 1, b: null }, false],
    [[1, undefined], [1], false],
    [[undefined], [], true],
    [Number.NaN, null, true],
    [-0, 0, true],
    ['1', 1, false],
    [{}, [], false],
    [{ a: [1, { b: 2, c: 3 }] }, { a: [1, { c: 3, b: 2 }] }, true],
    [{ a: [1, 2] }, { a: [2, 1] }, false],
  ])('%j and %j: %s, as the serializations say', (a, b, equal) => {
    expect(canonicalJson(a) === canonicalJson(b)).toBe(equal);
    expect(jsonEqual(a, b)).toBe(equal);
  });
});
