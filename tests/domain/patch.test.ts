import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import { entityFields } from '../../src/domain/entity';
import type { JsonValue } from '../../src/domain/fact-value';
import {
  applyPatch,
  bool,
  effectivePatch,
  id,
  integerIn,
  isEmptyPatch,
  isRecord,
  jsonObject,
  keyedMap,
  listOf,
  numberIn,
  oneOf,
  partialDateString,
  readFields,
  readPatch,
  text,
  type FieldSpecs,
  type Patch,
} from '../../src/domain/fields';
import { decideRegister, decideUpdate } from '../../src/domain/register-update';
import { pageFields } from '../../src/domain/page';
import { propertyFields } from '../../src/domain/property';
import {
  decidePublication,
  evolvePublication,
  PUBLICATION_TYPES,
  publicationFields,
  type PublicationFields,
} from '../../src/domain/publication';
import { sourceFields } from '../../src/domain/source';
import { clone, expectFail, expectOk } from './domain-test-helpers';

/** A tiny spec to test the machinery on its own. */
interface Demo {
  name: string;
  code: string;
  note?: string;
  count?: number;
  tags?: string[];
}
const demo: FieldSpecs<Demo> = {
  name: { ...text(20), required: true },
  code: { ...text(10), required: true, immutable: true },
  note: text(),
  count: integerIn(0, 10),
  tags: listOf(text(10), 3),
};

const KIND_SPECS: [string, readonly string[]][] = [
  ['publication', Object.keys(publicationFields)],
  ['source', Object.keys(sourceFields)],
  ['page', Object.keys(pageFields)],
  ['entity', Object.keys(entityFields)],
  ['property', Object.keys(propertyFields)],
  ['fact', ['entityId', 'propertyId', 'value', 'asOf', 'validEnd', 'citations', 'notes', 'rank']],
];

describe('readFields', () => {
  it('reads the known fields, skipping null and undefined', () => {
    expect(expectOk(readFields(demo, { name: 'a', code: 'c', note: null, count: undefined }, '', { requireAll: true }))).toEqual({
      name: 'a',
      code: 'c',
    });
  });

  it('requires required fields only when asked to', () => {
    expectFail(readFields(demo, { code: 'c' }, '', { requireAll: true }), 'BAD_USER_INPUT', 'name', 'name: is required');
    expect(expectOk(readFields(demo, { note: 'n' }, '', { requireAll: false }))).toEqual({ note: 'n' });
  });

  it('names the path of nested fields', () => {
    expectFail(
      readFields(demo, { count: 11 }, 'input', { requireAll: false }),
      'BAD_USER_INPUT',
      'input.count',
      'input.count: expected an integer from 0 to 10',
    );
  });

  it('rejects unknown keys before reading anything, listing the known fields', () => {
    const error = expectFail(
      readFields(demo, { count: 'bad', colour: 'red' }, '', { requireAll: false }),
      'BAD_USER_INPUT',
      'colour',
      'unknown field',
    );
    expect(error.message).toContain('known fields: name, code, note, count, tags');
  });

  it('does not treat inherited keys as fields', () => {
    expectFail(
      readFields(demo, JSON.parse('{"__proto__": {"x": 1}}'), '', { requireAll: false }),
      'BAD_USER_INPUT',
      '__proto__',
      'unknown field',
    );
    expectFail(readFields(demo, { toString: 'x' }, '', { requireAll: false }), 'BAD_USER_INPUT', 'toString', 'unknown field');
  });

  it.each([[null], [undefined], ['x'], [[1]], [3]])('rejects the non-object %j', (raw) => {
    expectFail(readFields(demo, raw, '', { requireAll: false }), 'BAD_USER_INPUT', 'input', 'expected an object');
  });
});

describe('readPatch', () => {
  it('reads set and unset', () => {
    expect(expectOk(readPatch(demo, { note: 'n' }, ['count', 'tags']))).toEqual({ set: { note: 'n' }, unset: ['count', 'tags'] });
  });

  it('deduplicates unset names', () => {
    expect(expectOk(readPatch(demo, undefined, ['note', 'note']))).toEqual({ set: {}, unset: ['note'] });
  });

  it('prefixes paths with the given base path', () => {
    expectFail(readPatch(demo, { count: -1 }, undefined, 'patch'), 'BAD_USER_INPUT', 'patch.set.count', 'expected an integer');
    expectFail(readPatch(demo, undefined, ['zzz'], 'patch'), 'BAD_USER_INPUT', 'patch.unset.0', 'unknown field');
    expectFail(readPatch(demo, {}, [], 'patch'), 'BAD_USER_INPUT', 'patch', 'the patch changes nothing');
  });

  it.each([
    [{ code: 'x' }, undefined, 'set.code', 'cannot be changed'],
    [undefined, ['code'], 'unset.0', '"code" is required and cannot be unset'],
    [undefined, ['name'], 'unset.0', '"name" is required and cannot be unset'],
    [undefined, ['nope'], 'unset.0', 'unknown field string "nope"'],
    [undefined, [null], 'unset.0', 'unknown field null'],
    [undefined, ['hasOwnProperty'], 'unset.0', 'unknown field'],
    [undefined, 'note', 'unset', 'expected a list of field names, got string "note"'],
    [undefined, { note: true }, 'unset', 'expected a list of field names'],
    [{ note: 'n' }, ['note'], 'unset.0', '"note" is both set and unset'],
    [{ tags: ['a', 'a'] }, undefined, 'set.tags.1', 'duplicate item string "a"'],
    [{ tags: ['a', 'b', 'c', 'd'] }, undefined, 'set.tags', 'has 4 items; the limit is 3'],
    [[], undefined, 'set', 'expected an object, got an array of 0'],
    [null, null, 'set', 'the patch changes nothing'],
  ])('rejects set %j unset %j at %s', (set, unset, path, fragment) => {
    expectFail(readPatch(demo, set, unset), 'BAD_USER_INPUT', path, fragment);
  });
});

describe('applyPatch', () => {
  it('sets the set fields, removes the unset ones, and leaves the rest', () => {
    const state: Demo = { name: 'a', code: 'c', note: 'n', count: 1 };
    expect(applyPatch(state, { set: { count: 2, tags: ['t'] }, unset: ['note'] })).toEqual({ name: 'a', code: 'c', count: 2, tags: ['t'] });
  });

  it('removes the key itself rather than leaving it undefined', () => {
    const next = applyPatch<Demo>({ name: 'a', code: 'c', note: 'n' }, { set: {}, unset: ['note'] });
    expect(Object.keys(next)).toEqual(['name', 'code']);
  });

  it('returns a new object and leaves its input alone', () => {
    const state: Demo = { name: 'a', code: 'c', note: 'n' };
    const before = clone(state);
    const next = applyPatch(state, { set: { name: 'b' }, unset: ['note'] });
    expect(next).not.toBe(state);
    expect(state).toEqual(before);
  });
});

describe('effectivePatch / isEmptyPatch', () => {
  it('drops sets to the current value and unsets of absent fields', () => {
    const state: Demo = { name: 'a', code: 'c', tags: ['x', 'y'] };
    expect(effectivePatch(state, { set: { name: 'a', tags: ['x', 'y'], count: 0 }, unset: ['note', 'tags'] as (keyof Demo)[] })).toEqual({
      set: { count: 0 },
      unset: ['tags'],
    });
    expect(isEmptyPatch(effectivePatch(state, { set: { name: 'a' }, unset: ['note'] }))).toBe(true);
    expect(isEmptyPatch({ set: {}, unset: ['note'] })).toBe(false);
    expect(isEmptyPatch({ set: { note: 'x' }, unset: [] })).toBe(false);
  });
});

describe('field readers', () => {
  it('text trims nothing and checks blank and length', () => {
    expect(expectOk(text(5).read(' a ', 'f'))).toBe(' a ');
    expectFail(text(5).read('\t\n', 'f'), 'BAD_USER_INPUT', 'f', 'must not be empty');
    expectFail(text(5).read('abcdef', 'f'), 'BAD_USER_INPUT', 'f', 'is 6 characters; the limit is 5');
  });

  it('integerIn and numberIn include their bounds', () => {
    expect(expectOk(integerIn(1, 5).read(1, 'f'))).toBe(1);
    expect(expectOk(integerIn(1, 5).read(5, 'f'))).toBe(5);
    expect(expectOk(numberIn(0, 100).read(0, 'f'))).toBe(0);
    expect(expectOk(numberIn(0, 100).read(100, 'f'))).toBe(100);
    expectFail(numberIn(0, 100).read(Number.NaN, 'f'), 'BAD_USER_INPUT', 'f', 'expected a number from 0 to 100');
  });

  it('oneOf, bool, id and jsonObject reject the wrong type', () => {
    expectFail(oneOf(['a', 'b'] as const).read('c', 'f'), 'BAD_USER_INPUT', 'f', 'expected one of a, b, got string "c"');
    expectFail(bool.read('true', 'f'), 'BAD_USER_INPUT', 'f', 'expected true or false, got string "true"');
    expectFail(id((s) => s === 'ok', 'the word ok').read('ko', 'f'), 'BAD_USER_INPUT', 'f', 'expected the word ok, got string "ko"');
    expectFail(jsonObject.read([1], 'f'), 'BAD_USER_INPUT', 'f', 'expected an object, got an array of 1');
    expect(expectOk(jsonObject.read({ a: 1 }, 'f'))).toEqual({ a: 1 });
  });

  it('partialDateString keeps the precision as written', () => {
    expect(expectOk(partialDateString.read('2025', 'f'))).toBe('2025');
    expect(expectOk(partialDateString.read('2025-05', 'f'))).toBe('2025-05');
    expect(expectOk(partialDateString.read(1999, 'f'))).toBe('1999');
    expectFail(partialDateString.read('2025-00', 'f'), 'BAD_USER_INPUT', 'f', 'month must be 01–12');
  });

  it('isRecord accepts plain objects only', () => {
    expect([isRecord({}), isRecord([]), isRecord(null), isRecord('x')]).toEqual([true, false, false, false]);
  });
});

describe('decideRegister / decideUpdate (register-update.ts)', () => {
  it('decideRegister: CONFLICT when the thing exists, before reading the input', () => {
    expectFail(decideRegister(demo, true, 'demo "x"', 'garbage'), 'CONFLICT', 'id', 'demo "x" already exists');
    expect(expectOk(decideRegister(demo, false, 'demo', { name: 'a', code: 'c' }))).toEqual({ name: 'a', code: 'c' });
  });

  it('decideUpdate: NOT_FOUND without a state, null for a no-op, the effective patch otherwise', () => {
    expectFail(decideUpdate(demo, null, 'demo "x"', { name: 'b' }, undefined), 'NOT_FOUND', 'id', 'demo "x" does not exist');
    const state: Demo = { name: 'a', code: 'c' };
    expect(expectOk(decideUpdate(demo, state, 'demo', { name: 'a' }, ['note']))).toBeNull();
    expect(expectOk(decideUpdate(demo, state, 'demo', { name: 'a', count: 3 }, undefined))).toEqual({ set: { count: 3 }, unset: [] });
  });
});

// ---- properties ----

/** Any field state over `keys` and any patch over them whose set and unset are disjoint. */
const stateAndPatch = (keys: readonly string[]) =>
  fc
    .record({
      state: fc.dictionary(fc.constantFrom(...keys), fc.jsonValue(), { maxKeys: keys.length }),
      set: fc.dictionary(fc.constantFrom(...keys), fc.jsonValue(), { maxKeys: keys.length }),
      unset: fc.subarray([...keys]),
    })
    .map(({ state, set, unset }) => ({
      state,
      patch: { set, unset: unset.filter((k) => !Object.hasOwn(set, k)) } as Patch<Record<string, unknown>>,
    }));

/** JSON-level equality: what an event stores (so 0 and -0 are the same value). */
const asJson = (x: unknown): unknown => JSON.parse(JSON.stringify(x));

describe.each(KIND_SPECS)('applyPatch over the %s fields (property)', (_kind, keys) => {
  it('leaves every field not named in set/unset unchanged, sets the set ones and removes the unset ones', () => {
    fc.assert(
      fc.property(stateAndPatch(keys), ({ state, patch }) => {
        const before = clone(state);
        const next = applyPatch(state, patch);
        for (const key of keys) {
          if (Object.hasOwn(patch.set, key)) {
            expect(next[key]).toBe(patch.set[key]);
          } else if (patch.unset.includes(key)) {
            expect(Object.hasOwn(next, key)).toBe(false);
          } else {
            expect(Object.hasOwn(next, key)).toBe(Object.hasOwn(state, key));
            expect(next[key]).toBe(state[key]);
          }
        }
        expect(Object.keys(next).every((k) => keys.includes(k))).toBe(true);
        expect(state).toEqual(before);
      }),
      { numRuns: 300 },
    );
  });

  it('the effective patch has the same result, and applying it again changes nothing', () => {
    fc.assert(
      fc.property(stateAndPatch(keys), ({ state, patch }) => {
        const effective = effectivePatch(state, patch);
        const next = applyPatch(state, patch);
        expect(asJson(applyPatch(state, effective))).toEqual(asJson(next));
        expect(Object.keys(effective.set).every((k) => Object.hasOwn(patch.set, k))).toBe(true);
        expect(effective.unset.every((k) => patch.unset.includes(k) && state[k] !== undefined)).toBe(true);
        expect(isEmptyPatch(effectivePatch(next, patch))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('UpdatePublication end to end (property)', () => {
  const nonBlank = fc.string({ minLength: 1, maxLength: 12 }).filter((s) => s.trim() !== '');
  const arbs = {
    name: nonBlank,
    domains: fc.uniqueArray(fc.constantFrom('anthropic.com', 'arxiv.org', 'openai.com', 'gov.uk'), { maxLength: 3 }),
    type: fc.constantFrom(...PUBLICATION_TYPES),
    credibility: fc.integer({ min: 1, max: 5 }),
    peerReviewed: fc.boolean(),
    description: nonBlank,
  };
  const optional = ['domains', 'type', 'credibility', 'peerReviewed', 'description'] as const;

  it('a valid patch changes exactly the fields it names', () => {
    fc.assert(
      fc.property(
        fc.record(arbs, { requiredKeys: ['name'] }),
        fc.record(arbs, { requiredKeys: [] }),
        fc.subarray([...optional]),
        (fields, set, unsetAll) => {
          const unset = unsetAll.filter((k) => !Object.hasOwn(set, k));
          fc.pre(Object.keys(set).length > 0 || unset.length > 0);
          const state = evolvePublication(null, { type: 'PublicationRegistered', data: { id: 'p', ...(fields as PublicationFields) } });
          const events = expectOk(decidePublication({ type: 'UpdatePublication', id: 'p', set, unset }, state));
          const next = events.reduce(evolvePublication, state);
          const oldFields = state!.fields as unknown as Record<string, unknown>;
          const newFields = next!.fields as unknown as Record<string, unknown>;
          for (const key of Object.keys(publicationFields)) {
            if (Object.hasOwn(set, key)) expect(newFields[key]).toEqual((set as Record<string, unknown>)[key]);
            else if ((unset as string[]).includes(key)) expect(Object.hasOwn(newFields, key)).toBe(false);
            else expect(newFields[key]).toEqual(oldFields[key]);
          }
          // An event is appended exactly when something changed.
          expect(events.length).toBe(isDeepStrictEqual(newFields, oldFields) ? 0 : 1);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('keyed map fields: attributes, patched key by key', () => {
  interface Keyed {
    name: string;
    note?: string;
    attributes?: Record<string, JsonValue>;
  }
  const keyedSpecs: FieldSpecs<Keyed> = { name: { ...text(20), required: true }, note: text(), attributes: keyedMap() };

  it('every kind read from files has a keyed attributes field', () => {
    for (const specs of [entityFields, pageFields, sourceFields, propertyFields, publicationFields]) {
      expect((specs as FieldSpecs<{ attributes?: unknown }>).attributes.keyed).toBe(true);
    }
  });

  it('readPatch takes keys under set and "attributes.<key>" or "attributes" under unset', () => {
    expect(expectOk(readPatch(keyedSpecs, { attributes: { a: 1, 'b.c': null } }, ['attributes.x', 'attributes.y.z']))).toEqual({
      set: { attributes: { a: 1, 'b.c': null } },
      unset: ['attributes.x', 'attributes.y.z'],
    });
    expect(expectOk(readPatch(keyedSpecs, undefined, ['attributes']))).toEqual({ set: {}, unset: ['attributes'] });
  });

  it.each([
    [undefined, ['note.x'], 'unset.0', 'unknown field string "note.x"'],
    [undefined, ['attributes.'], 'unset.0', 'unknown field'],
    [undefined, ['.x'], 'unset.0', 'unknown field'],
    [{ attributes: { a: 1 } }, ['attributes.a'], 'unset.0', '"attributes.a" is both set and unset'],
    [{ attributes: { a: 1 } }, ['attributes'], 'unset.0', '"attributes" is both set and unset'],
    [{ attributes: {} }, undefined, 'set.attributes', 'expected at least one key'],
    [{ attributes: [1] }, undefined, 'set.attributes', 'expected an object of named values'],
    [{ attributes: { ' ': 1 } }, undefined, 'set.attributes. ', 'a key must be 1 to 200 characters'],
    [{ attributes: { a: { b: [Number.NaN] } } }, undefined, 'set.attributes.a', 'NaN is not a JSON number'],
    [{ attributes: { a: new Date(0) } }, undefined, 'set.attributes.a', 'expected a JSON value'],
  ])('rejects set %j unset %j at %s', (set, unset, path, fragment) => {
    expectFail(readPatch(keyedSpecs, set, unset), 'BAD_USER_INPUT', path, fragment);
  });

  it('a set under attributes that names some keys leaves the other keys alone', () => {
    expectOk(readPatch(keyedSpecs, { attributes: { a: 1 } }, ['attributes.b']));
    const state: Keyed = { name: 'n', attributes: { a: 0, b: 'x', c: [1, 2] } };
    expect(applyPatch(state, { set: { attributes: { a: 1, d: { e: true } } }, unset: ['attributes.b'] }, keyedSpecs)).toEqual({
      name: 'n',
      attributes: { a: 1, c: [1, 2], d: { e: true } },
    });
    expect(state.attributes).toEqual({ a: 0, b: 'x', c: [1, 2] });
  });

  it('removing the last key removes the map; unset "attributes" removes every key', () => {
    expect(applyPatch<Keyed>({ name: 'n', attributes: { a: 1 } }, { set: {}, unset: ['attributes.a'] }, keyedSpecs)).toEqual({ name: 'n' });
    expect(applyPatch<Keyed>({ name: 'n', attributes: { a: 1, b: 2 } }, { set: {}, unset: ['attributes'] }, keyedSpecs)).toEqual({
      name: 'n',
    });
    expect(applyPatch<Keyed>({ name: 'n' }, { set: { attributes: { a: 1 } }, unset: [] }, keyedSpecs)).toEqual({
      name: 'n',
      attributes: { a: 1 },
    });
  });

  it('the effective patch names only the keys that change (key order inside a value does not count)', () => {
    const state: Keyed = { name: 'n', attributes: { a: 1, b: { x: 1, y: 2 }, c: null } };
    expect(
      effectivePatch(
        state,
        { set: { attributes: { a: 1, b: { y: 2, x: 1 }, c: null, d: 4 } }, unset: ['attributes.z', 'attributes.c', 'note'] },
        keyedSpecs,
      ),
    ).toEqual({ set: { attributes: { d: 4 } }, unset: ['attributes.c'] });
    expect(isEmptyPatch(effectivePatch(state, { set: { attributes: { a: 1 } }, unset: ['attributes.q'] }, keyedSpecs))).toBe(true);
    expect(effectivePatch<Keyed>({ name: 'n' }, { set: {}, unset: ['attributes', 'attributes.a'] }, keyedSpecs)).toEqual({
      set: {},
      unset: [],
    });
  });

  it('an entity update appends a patch of the changed key only, and none when nothing changes', () => {
    const current = { slug: 'x', name: 'X', type: 'ai-model', attributes: { contextWindow: 200000, developer: 'anthropic' } };
    expect(
      expectOk(
        decideUpdate(entityFields, current, 'entity', { attributes: { contextWindow: 1000000, developer: 'anthropic' } }, undefined),
      ),
    ).toEqual({ set: { attributes: { contextWindow: 1000000 } }, unset: [] });
    expect(expectOk(decideUpdate(entityFields, current, 'entity', { attributes: { developer: 'anthropic' } }, undefined))).toBeNull();
    expect(expectOk(decideUpdate(entityFields, current, 'entity', undefined, ['attributes.developer']))).toEqual({
      set: {},
      unset: ['attributes.developer'],
    });
  });

  const key = fc.constantFrom('a', 'b', 'c', 'd.e');
  const value = fc.oneof(fc.constant(null), fc.integer(), fc.string({ maxLength: 3 }), fc.array(fc.integer(), { maxLength: 2 }));
  const map = fc.dictionary(key, value, { minKeys: 1 });

  it('(property) applying the effective patch gives the same state, it names only changed keys, and a second time changes nothing', () => {
    fc.assert(
      fc.property(
        fc.option(map, { nil: undefined }),
        fc.option(map, { nil: undefined }),
        fc.subarray(['attributes', 'attributes.a', 'attributes.b', 'attributes.c', 'attributes.d.e']),
        (have, set, unsetAll) => {
          const unset = unsetAll.filter((n) => !(set && (n === 'attributes' || Object.hasOwn(set, n.slice('attributes.'.length)))));
          fc.pre(set !== undefined || unset.length > 0);
          const patch = expectOk(readPatch(keyedSpecs, set ? { attributes: set } : undefined, unset));
          const state: Keyed = have ? { name: 'n', attributes: have } : { name: 'n' };
          const next = applyPatch(state, patch, keyedSpecs);
          const effective = effectivePatch(state, patch, keyedSpecs);
          expect(applyPatch(state, effective, keyedSpecs)).toEqual(next);
          for (const [k, v] of Object.entries(effective.set.attributes ?? {})) {
            expect(have && Object.hasOwn(have, k) && isDeepStrictEqual(have[k], v)).toBeFalsy();
          }
          expect(isEmptyPatch(effectivePatch(next, patch, keyedSpecs))).toBe(true);
          // The keys of the new state: the old ones, plus set's, minus the unset ones.
          const want = { ...(unset.includes('attributes') ? {} : have), ...set };
          for (const n of unset) if (n.startsWith('attributes.')) delete want[n.slice('attributes.'.length)];
          expect(next.attributes ?? {}).toEqual(want);
        },
      ),
      { numRuns: 300 },
    );
  });
});
