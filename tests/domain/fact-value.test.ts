import fc from 'fast-check';
import {
  DATA_TYPES,
  displayFactValue,
  factValueFromStored,
  factValueToJson,
  formatPlainNumber,
  isDataType,
  readFactValue,
  readStoredFactValue,
  refsOf,
  type DataType,
  type FactValue,
  type JsonValue,
} from '../../src/domain/fact-value';

const read = (raw: unknown, dataType: DataType, unit?: string): FactValue => {
  const r = readFactValue(raw, dataType, unit, 'input.value');
  if (!r.ok) throw new Error(`expected ${JSON.stringify(raw)} to read as ${dataType}: ${r.error.message}`);
  return r.value;
};

const reject = (raw: unknown, dataType: DataType) => {
  const r = readFactValue(raw, dataType, undefined, 'input.value');
  if (r.ok) throw new Error(`expected ${JSON.stringify(raw)} to be rejected for ${dataType}`);
  expect(r.error.code).toBe('BAD_USER_INPUT');
  return r.error;
};

describe('DATA_TYPES', () => {
  it('lists the eight data types and recognizes only them', () => {
    expect(DATA_TYPES).toEqual(['number', 'text', 'date', 'boolean', 'ref', 'refs', 'range', 'json']);
    expect(isDataType('refs')).toBe(true);
    expect(isDataType('string')).toBe(false);
    expect(isDataType(undefined)).toBe(false);
  });
});

describe('readFactValue: number', () => {
  it('reads a finite number and takes the unit from the property', () => {
    expect(read(14e9, 'number', 'USD')).toEqual({ kind: 'number', value: 14e9, unit: 'USD' });
    expect(read(-3.5, 'number')).toStrictEqual({ kind: 'number', value: -3.5 });
  });

  it('reads {"low", "high"} as a range and {"min"} as a lower bound', () => {
    expect(read({ low: 870, high: 2847 }, 'number', 'employees')).toEqual({ kind: 'range', low: 870, high: 2847, unit: 'employees' });
    expect(read({ low: 5, high: 5 }, 'number')).toEqual({ kind: 'range', low: 5, high: 5 });
    expect(read({ min: 6.7e10 }, 'number', 'USD')).toEqual({ kind: 'min', min: 6.7e10, unit: 'USD' });
  });

  it('refuses a numeric string with a clear message', () => {
    const error = reject('abc', 'number');
    expect(error.message).toBe(
      'input.value: expected a number, {"low", "high"} or {"min"} for property dataType "number", got string "abc"',
    );
    expect(error.path).toEqual(['input', 'value']);
    expect(reject('1.4e10', 'number').message).toContain('numbers must be sent as JSON numbers, not strings');
  });

  it('reads -0 as 0, since JSON could not store the sign', () => {
    const v = read(-0, 'number');
    expect(v.kind === 'number' && Object.is(v.value, 0)).toBe(true);
  });

  it.each([Number.NaN, Infinity, -Infinity])('refuses the non-finite %p', (n) => {
    expect(reject(n, 'number').message).toContain('finite');
  });

  it.each([null, undefined, true, [870, 2847], {}, { value: 3 }])('refuses %p', (raw) => {
    reject(raw, 'number');
  });

  it('refuses an inverted range, pointing at the value', () => {
    const error = reject({ low: 10, high: 2 }, 'number');
    expect(error.message).toContain('range low 10 is greater than high 2');
    expect(error.path).toEqual(['input', 'value']);
  });

  it('points at the bad bound', () => {
    expect(reject({ low: '1', high: 2 }, 'number').path).toEqual(['input', 'value', 'low']);
    expect(reject({ low: 1, high: null }, 'number').path).toEqual(['input', 'value', 'high']);
    expect(reject({ min: Infinity }, 'number').path).toEqual(['input', 'value', 'min']);
  });

  it('refuses missing and unexpected keys instead of guessing', () => {
    expect(reject({ low: 1 }, 'number').message).toContain('missing "high"');
    expect(reject({ low: 1, high: 2, unit: 'USD' }, 'number').message).toContain('unexpected key "unit"');
    expect(reject({ min: 1, max: 2 }, 'number').message).toContain('unexpected key "max"');
  });
});

describe('readFactValue: range', () => {
  it('reads {"low", "high"} and {"min"}', () => {
    expect(read({ low: 1, high: 2 }, 'range', 'USD')).toEqual({ kind: 'range', low: 1, high: 2, unit: 'USD' });
    expect(read({ min: 3 }, 'range')).toEqual({ kind: 'min', min: 3 });
  });

  it('refuses a bare number', () => {
    expect(reject(5, 'range').message).toContain('for property dataType "range", got number 5');
  });
});

describe('readFactValue: text', () => {
  it('keeps the string exactly', () => {
    expect(read('  ASL-3 (Opus 4+), ASL-2 (Sonnet/Haiku)', 'text')).toEqual({
      kind: 'text',
      value: '  ASL-3 (Opus 4+), ASL-2 (Sonnet/Haiku)',
    });
    expect(read('x'.repeat(10_000), 'text')).toEqual({ kind: 'text', value: 'x'.repeat(10_000) });
  });

  it.each(['', '   ', 42, null, ['a']])('refuses %p', (raw) => {
    reject(raw, 'text');
  });

  it('refuses text over 10000 characters', () => {
    expect(reject('x'.repeat(10_001), 'text').message).toContain('the limit is 10000');
  });
});

describe('readFactValue: date', () => {
  it('keeps the precision', () => {
    expect(read('2021-01', 'date')).toEqual({ kind: 'date', value: { value: '2021-01', precision: 'month' } });
    expect(read(2021, 'date')).toEqual({ kind: 'date', value: { value: '2021', precision: 'year' } });
    expect(read('2025-05-22', 'date')).toEqual({ kind: 'date', value: { value: '2025-05-22', precision: 'day' } });
  });

  it.each(['January 2021', '2021-1', '2021-02-29', 2021.5, null])('refuses %p at the value path', (raw) => {
    expect(reject(raw, 'date').path).toEqual(['input', 'value']);
  });
});

describe('readFactValue: boolean', () => {
  it('reads true and false', () => {
    expect(read(true, 'boolean')).toEqual({ kind: 'boolean', value: true });
    expect(read(false, 'boolean')).toEqual({ kind: 'boolean', value: false });
  });

  it.each(['true', 1, 0, null])('refuses %p', (raw) => {
    expect(reject(raw, 'boolean').message).toContain('expected true or false');
  });
});

describe('readFactValue: ref and refs', () => {
  it('reads an entity id', () => {
    expect(read('mK9pX3rQ7n', 'ref')).toEqual({ kind: 'ref', entity: 'mK9pX3rQ7n' });
  });

  it.each(['', ' mK9pX3rQ7n', 7, null, ['a']])('refuses the ref %p', (raw) => {
    reject(raw, 'ref');
  });

  it('reads a list of ids, keeping ids of entities not yet known', () => {
    expect(read(['zR4nW8xB2f', 'tom-brown'], 'refs')).toEqual({ kind: 'refs', entities: ['zR4nW8xB2f', 'tom-brown'] });
  });

  it('refuses an empty list, a non-list and blank ids', () => {
    expect(reject([], 'refs').message).toContain('at least one');
    expect(reject('tom-brown', 'refs').message).toContain('expected an array of entity ids');
    expect(reject(['a', ''], 'refs').path).toEqual(['input', 'value', '1']);
    expect(reject(['a', 3], 'refs').path).toEqual(['input', 'value', '1']);
  });

  it('refuses a repeated id, pointing at the repeat', () => {
    const error = reject(['a', 'b', 'a'], 'refs');
    expect(error.path).toEqual(['input', 'value', '2']);
    expect(error.message).toContain('repeated (first at index 0)');
  });
});

describe('readFactValue: json', () => {
  it('accepts any JSON value', () => {
    const value = { a: [1, 'two', null, true, { b: -0.5 }], c: {} };
    expect(read(value, 'json')).toEqual({ kind: 'json', value });
    expect(read(null, 'json')).toEqual({ kind: 'json', value: null });
    expect(read('s', 'json')).toEqual({ kind: 'json', value: 's' });
  });

  it('refuses what JSON cannot hold, pointing into the structure', () => {
    expect(reject(undefined, 'json').path).toEqual(['input', 'value']);
    expect(reject({ a: [1, Number.NaN] }, 'json').path).toEqual(['input', 'value', 'a', '1']);
    expect(reject({ f: () => 1 }, 'json').path).toEqual(['input', 'value', 'f']);
    expect(reject({ u: undefined }, 'json').path).toEqual(['input', 'value', 'u']);
    expect(reject({ d: new Date(0) }, 'json').message).toContain('a Date object');
    expect(reject([Infinity], 'json').path).toEqual(['input', 'value', '0']);
    expect(reject(new Map(), 'json').code).toBe('BAD_USER_INPUT');
  });

  it('stops on a cyclic structure instead of overflowing the stack', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(reject(cyclic, 'json').message).toContain('deeper than');
  });

  it('keeps a "__proto__" key as data', () => {
    const value = read(JSON.parse('{"__proto__": {"x": 1}}'), 'json');
    expect(value.kind === 'json' && Object.keys(value.value as object)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});

describe('stored form', () => {
  const samples: FactValue[] = [
    { kind: 'number', value: 14e9, unit: 'USD' },
    { kind: 'number', value: 0.25 },
    { kind: 'range', low: 870, high: 2847, unit: 'employees' },
    { kind: 'min', min: 67e9 },
    { kind: 'text', value: 'ASL-3' },
    { kind: 'date', value: { value: '2025', precision: 'year' } },
    { kind: 'date', value: { value: '2025-05-22', precision: 'day' } },
    { kind: 'boolean', value: false },
    { kind: 'ref', entity: 'mK9pX3rQ7n' },
    { kind: 'refs', entities: ['zR4nW8xB2f', 'tom-brown'] },
    { kind: 'json', value: { a: [1, null, 'x'] } },
  ];

  it.each(samples.map((s) => [s.kind, s] as const))('round trips a %s value through JSON exactly', (_kind, v) => {
    expect(factValueFromStored(JSON.parse(JSON.stringify(v)))).toStrictEqual(v);
    expect(factValueFromStored(JSON.parse(JSON.stringify(factValueToJson(v))))).toStrictEqual(v);
  });

  it('stores the kind and leaves out an absent unit', () => {
    expect(factValueToJson({ kind: 'number', value: 3 })).toStrictEqual({ kind: 'number', value: 3 });
  });

  it.each([
    null,
    'x',
    { kind: 'nope', value: 1 },
    { kind: 'number', value: '3' },
    { kind: 'number', value: 3, extra: true },
    { kind: 'number', value: 3, unit: '' },
    { kind: 'range', low: 3, high: 1 },
    { kind: 'range', low: 1 },
    { kind: 'date', value: '2025' },
    { kind: 'date', value: { value: '2025', precision: 'month' } },
    { kind: 'ref', entity: '' },
    { kind: 'refs', entities: ['a', 1] },
    { kind: 'boolean', value: 'true' },
    { kind: 'json' },
  ])('rejects the malformed stored value %j', (json) => {
    const r = readStoredFactValue(json);
    expect(r.ok).toBe(false);
    expect(() => factValueFromStored(json)).toThrow('corrupt stored fact value');
  });

  it("does not report corrupt stored data as the client's fault", () => {
    let thrown: unknown;
    try {
      factValueFromStored({ kind: 'number', value: 'x' });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(Error);
    expect((thrown as Error).name).toBe('Error');
  });

  it('loads stored values that later input rules would refuse', () => {
    expect(factValueFromStored({ kind: 'text', value: '' })).toEqual({ kind: 'text', value: '' });
    expect(factValueFromStored({ kind: 'refs', entities: ['a', 'a'] })).toEqual({ kind: 'refs', entities: ['a', 'a'] });
  });
});

describe('refsOf', () => {
  it('lists referenced entity ids', () => {
    expect(refsOf({ kind: 'ref', entity: 'a' })).toEqual(['a']);
    expect(refsOf({ kind: 'refs', entities: ['a', 'b'] })).toEqual(['a', 'b']);
    expect(refsOf({ kind: 'text', value: 'a' })).toEqual([]);
  });

  it('returns a copy the caller may change', () => {
    const v: FactValue = { kind: 'refs', entities: ['a'] };
    refsOf(v).push('b');
    expect(v.entities).toEqual(['a']);
  });
});

describe('displayFactValue', () => {
  const billions = { display: { divisor: 1e9, prefix: '$', suffix: 'B' } };

  it('applies the display divisor, prefix and suffix with one decimal', () => {
    expect(displayFactValue({ kind: 'number', value: 1.4e10 }, billions)).toBe('$14.0B');
    expect(displayFactValue({ kind: 'number', value: 61.5e9, unit: 'USD' }, billions)).toBe('$61.5B');
    expect(displayFactValue({ kind: 'number', value: 300000 }, { display: { divisor: 1000, suffix: 'K' } })).toBe('300.0K');
  });

  it('puts the sign before the prefix', () => {
    expect(displayFactValue({ kind: 'number', value: -1.5e9 }, billions)).toBe('-$1.5B');
    expect(displayFactValue({ kind: 'number', value: -1e6 }, billions)).toBe('-$1.0M');
    expect(displayFactValue({ kind: 'number', value: -40 }, billions)).toBe('-$40');
  });

  it('keeps two significant digits where one decimal would leave one, stepping down a scale as the wiki does', () => {
    expect(displayFactValue({ kind: 'number', value: 5.5e8 }, billions)).toBe('$550M');
    expect(displayFactValue({ kind: 'number', value: 5.5e7 }, billions)).toBe('$55M');
    expect(displayFactValue({ kind: 'number', value: 5.5e6 }, billions)).toBe('$5.5M');
    expect(displayFactValue({ kind: 'number', value: 9.4e8 }, billions)).toBe('$940M');
    expect(displayFactValue({ kind: 'number', value: 22060 }, billions)).toBe('$22K');
    expect(displayFactValue({ kind: 'number', value: 500 }, billions)).toBe('$500');
    // One decimal already shows two significant digits from 0.95 up, so these stay in billions.
    expect(displayFactValue({ kind: 'number', value: 9.6e8 }, billions)).toBe('$1.0B');
    expect(displayFactValue({ kind: 'number', value: 0 }, billions)).toBe('$0.0B');
    // A suffix that names no scale cannot step down: two significant digits in its own scale.
    expect(displayFactValue({ kind: 'number', value: 5.5e8 }, { display: { divisor: 1e9, suffix: ' bn' } })).toBe('0.55 bn');
    expect(displayFactValue({ kind: 'number', value: 1.234e6 }, { display: { divisor: 1e9, suffix: ' bn' } })).toBe('0.0012 bn');
  });

  it('uses a suffix-only display without dividing', () => {
    expect(displayFactValue({ kind: 'number', value: 40 }, { display: { suffix: '%' }, unit: 'percent' })).toBe('40%');
    expect(displayFactValue({ kind: 'number', value: 4074 }, { display: { suffix: ' employees' } })).toBe('4074 employees');
  });

  it('formats plainly without a display: no separators, at most four decimals', () => {
    expect(displayFactValue({ kind: 'number', value: 67000000000 })).toBe('67000000000');
    expect(displayFactValue({ kind: 'number', value: 0.123456 })).toBe('0.1235');
    expect(displayFactValue({ kind: 'number', value: 2.5 })).toBe('2.5');
    expect(formatPlainNumber(1e20)).toBe('100000000000000000000');
    expect(formatPlainNumber(0.00001234)).toBe('0.00001234');
    expect(formatPlainNumber(-7)).toBe('-7');
  });

  it('spells out the unit only when there is no display format', () => {
    expect(displayFactValue({ kind: 'number', value: 1000, unit: 'users' })).toBe('1000 users');
    expect(displayFactValue({ kind: 'number', value: 1000 }, { unit: 'users' })).toBe('1000 users');
    expect(displayFactValue({ kind: 'number', value: 1e9, unit: 'USD' }, billions)).toBe('$1.0B');
  });

  it('shows a range with an en dash, both ends formatted alike', () => {
    expect(displayFactValue({ kind: 'range', low: 870, high: 2847 })).toBe('870–2847');
    expect(displayFactValue({ kind: 'range', low: 20e9, high: 26e9 }, billions)).toBe('$20.0B–$26.0B');
    expect(displayFactValue({ kind: 'range', low: 870, high: 2847, unit: 'employees' })).toBe('870–2847 employees');
  });

  it('says a word suffix once, after the high end of a range', () => {
    const employees = { display: { suffix: ' employees' } };
    expect(displayFactValue({ kind: 'range', low: 300, high: 400 }, employees)).toBe('300–400 employees');
    expect(displayFactValue({ kind: 'range', low: 300, high: 400, unit: 'employees' }, employees)).toBe('300–400 employees');
    expect(displayFactValue({ kind: 'range', low: 20, high: 30 }, { display: { suffix: '%' } })).toBe('20%–30%');
    // Ends in different scales keep their own suffixes.
    expect(displayFactValue({ kind: 'range', low: 5e8, high: 2e9 }, billions)).toBe('$500M–$2.0B');
  });

  it('shows a lower bound with ≥', () => {
    expect(displayFactValue({ kind: 'min', min: 67000000000 })).toBe('≥ 67000000000');
    expect(displayFactValue({ kind: 'min', min: 67e9 }, billions)).toBe('≥ $67.0B');
  });

  it('shows text, dates and booleans', () => {
    expect(displayFactValue({ kind: 'text', value: 'ASL-3 (Opus 4+), ASL-2 (Sonnet/Haiku)' })).toBe(
      'ASL-3 (Opus 4+), ASL-2 (Sonnet/Haiku)',
    );
    expect(displayFactValue({ kind: 'date', value: { value: '2025-05', precision: 'month' } })).toBe('May 2025');
    expect(displayFactValue({ kind: 'date', value: { value: '2025-05-22', precision: 'day' } })).toBe('22 May 2025');
    expect(displayFactValue({ kind: 'boolean', value: true })).toBe('Yes');
    expect(displayFactValue({ kind: 'boolean', value: false })).toBe('No');
  });

  it('shows references by name, falling back to the id of an unknown entity', () => {
    const names: Record<string, string> = { zR4nW8xB2f: 'Dario Amodei', tKMznr07QA: 'Daniela Amodei' };
    const nameOf = (id: string): string | undefined => names[id];
    expect(displayFactValue({ kind: 'ref', entity: 'zR4nW8xB2f' }, { nameOf })).toBe('Dario Amodei');
    expect(displayFactValue({ kind: 'ref', entity: 'tom-brown' }, { nameOf })).toBe('tom-brown');
    expect(displayFactValue({ kind: 'refs', entities: ['zR4nW8xB2f', 'tKMznr07QA', 'tom-brown'] }, { nameOf })).toBe(
      'Dario Amodei, Daniela Amodei, tom-brown',
    );
    expect(displayFactValue({ kind: 'ref', entity: 'x' })).toBe('x');
  });

  it('shows JSON compactly', () => {
    expect(displayFactValue({ kind: 'json', value: { a: [1, 2], b: 'c' } })).toBe('{"a":[1,2],"b":"c"}');
  });
});

// JSON has no -0, and reading input normalizes it to 0, so no stored value ever holds one.
const finite = fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => (n === 0 ? 0 : n));
const unit = fc.option(fc.constantFrom('USD', 'percent', 'employees'), { nil: undefined });
const withUnit = <T extends object>(v: T, u: string | undefined): T => (u === undefined ? v : { ...v, unit: u });
const nonEmpty = fc.string({ minLength: 1 });
const json: fc.Arbitrary<JsonValue> = fc.jsonValue().map((v) => JSON.parse(JSON.stringify(v)) as JsonValue);

const factValue: fc.Arbitrary<FactValue> = fc.oneof(
  fc.tuple(finite, unit).map(([value, u]) => withUnit({ kind: 'number' as const, value }, u)),
  fc.tuple(finite, finite, unit).map(([a, b, u]) => withUnit({ kind: 'range' as const, low: Math.min(a, b), high: Math.max(a, b) }, u)),
  fc.tuple(finite, unit).map(([min, u]) => withUnit({ kind: 'min' as const, min }, u)),
  fc.string().map((value) => ({ kind: 'text' as const, value })),
  fc.constantFrom('2025', '2025-05', '2024-02-29', '0001-01-01').map((value) => ({
    kind: 'date' as const,
    value: { value, precision: value.length === 4 ? ('year' as const) : value.length === 7 ? ('month' as const) : ('day' as const) },
  })),
  fc.boolean().map((value) => ({ kind: 'boolean' as const, value })),
  nonEmpty.map((entity) => ({ kind: 'ref' as const, entity })),
  fc.array(nonEmpty).map((entities) => ({ kind: 'refs' as const, entities })),
  json.map((value) => ({ kind: 'json' as const, value })),
);

describe('properties', () => {
  it('stored fact values round trip through JSON', () => {
    fc.assert(
      fc.property(factValue, (v) => {
        const stored: unknown = JSON.parse(JSON.stringify(factValueToJson(v)));
        expect(factValueFromStored(stored)).toStrictEqual(v);
      }),
    );
  });

  it('any value read from input round trips through storage', () => {
    const input = fc.oneof(
      finite.map((n) => [n, 'number'] as const),
      fc.tuple(finite, finite).map(([a, b]) => [{ low: Math.min(a, b), high: Math.max(a, b) }, 'range'] as const),
      fc.jsonValue().map((j) => [j, 'json'] as const),
      fc
        .uniqueArray(
          nonEmpty.filter((s) => s.trim() === s),
          { minLength: 1 },
        )
        .map((ids) => [ids, 'refs'] as const),
    );
    fc.assert(
      fc.property(input, ([raw, dataType]) => {
        const r = readFactValue(raw, dataType, 'USD', 'value');
        if (!r.ok) return false;
        expect(factValueFromStored(JSON.parse(JSON.stringify(r.value)))).toStrictEqual(r.value);
        return true;
      }),
    );
  });

  it('never accepts a string for a number property', () => {
    fc.assert(fc.property(fc.string(), (s) => !readFactValue(s, 'number', undefined, 'value').ok));
  });
});
