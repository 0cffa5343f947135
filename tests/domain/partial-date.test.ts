import fc from 'fast-check';
import {
  asOfInstant,
  comparePartialDates,
  displayPartialDate,
  formatPartialDate,
  isPartialDate,
  isPartialDateString,
  parsePartialDate,
  periodEnd,
  periodStart,
  type PartialDate,
} from '../../src/domain/partial-date';

const parse = (input: unknown): PartialDate => {
  const r = parsePartialDate(input, 'asOf');
  if (!r.ok) throw new Error(`expected ${String(input)} to parse: ${r.error.message}`);
  return r.value;
};

const parseError = (input: unknown, path = 'asOf') => {
  const r = parsePartialDate(input, path);
  if (r.ok) throw new Error(`expected ${JSON.stringify(input)} to be rejected`);
  return r.error;
};

describe('parsePartialDate', () => {
  it.each([
    ['2025', 'year'],
    ['2025-05', 'month'],
    ['2025-05-22', 'day'],
    ['0001', 'year'],
    ['9999-12-31', 'day'],
  ] as const)('reads %s with %s precision and formats it back unchanged', (s, precision) => {
    const d = parse(s);
    expect(d).toEqual({ value: s, precision });
    expect(formatPartialDate(d)).toBe(s);
  });

  it('never widens a year into a day', () => {
    const d = parse('2025');
    expect(formatPartialDate(d)).not.toBe('2025-01-01');
    expect(d.precision).toBe('year');
  });

  it('never narrows a day into a month', () => {
    expect(formatPartialDate(parse('2025-05-01'))).toBe('2025-05-01');
  });

  it('accepts an integer year, as YAML reads a bare 2019', () => {
    expect(parse(2019)).toEqual({ value: '2019', precision: 'year' });
    expect(parse(1)).toEqual({ value: '0001', precision: 'year' });
    expect(parse(9999)).toEqual({ value: '9999', precision: 'year' });
  });

  it.each([
    ['2024-02-29', true],
    ['2000-02-29', true],
    ['2023-02-29', false],
    ['1900-02-29', false],
    ['2025-04-31', false],
    ['2025-04-30', true],
    ['2025-01-31', true],
    ['2025-12-32', false],
  ] as const)('knows the length of the month: %s valid=%s', (s, valid) => {
    expect(parsePartialDate(s, 'asOf').ok).toBe(valid);
  });

  it.each([
    '2025-5',
    '2025-13',
    '2025-00',
    '2025-02-30',
    '2025-05-00',
    'May 2025',
    '',
    '0000',
    '25',
    '20250',
    '2025-05-22T00:00:00Z',
    '2025-05-22T10:00',
    ' 2025',
    '2025 ',
    '2025/05',
    '+2025',
    '２０２５',
  ])('rejects the string %j as BAD_USER_INPUT with its path', (s) => {
    const error = parseError(s, 'input.asOf');
    expect(error.code).toBe('BAD_USER_INPUT');
    expect(error.path).toEqual(['input', 'asOf']);
    expect(error.message.startsWith('input.asOf: ')).toBe(true);
  });

  it.each([null, undefined, 2025.5, 0, -1, 10000, Number.NaN, Infinity, true, {}, [], new Date('2025-05-22')])(
    'rejects the non-string %p',
    (input) => {
      expect(parseError(input).code).toBe('BAD_USER_INPUT');
    },
  );

  it('names the accepted forms and what was received', () => {
    const { message } = parseError('May 2025');
    expect(message).toContain('"YYYY", "YYYY-MM" or "YYYY-MM-DD"');
    expect(message).toContain('got string "May 2025"');
    expect(parseError(null).message).toContain('got null');
  });

  it('says precisely which part is wrong', () => {
    expect(parseError('2025-13').message).toContain('month must be 01–12');
    expect(parseError('2025-02-30').message).toContain('day must be 01–28 for 2025-02');
    expect(parseError('2024-02-30').message).toContain('day must be 01–29 for 2024-02');
    expect(parseError('0000').message).toContain('year must be 0001–9999');
  });
});

describe('isPartialDateString / isPartialDate', () => {
  it('tells partial date strings from others', () => {
    expect(isPartialDateString('2025-05')).toBe(true);
    expect(isPartialDateString('2025-02-29')).toBe(false);
    expect(isPartialDateString(2025)).toBe(false);
  });

  it('checks a deserialized PartialDate for consistency of value and precision', () => {
    expect(isPartialDate({ value: '2025-05', precision: 'month' })).toBe(true);
    expect(isPartialDate({ value: '2025-05', precision: 'day' })).toBe(false);
    expect(isPartialDate({ value: '2025-13', precision: 'month' })).toBe(false);
    expect(isPartialDate({ value: '2025', precision: 'year', extra: 1 })).toBe(false);
    expect(isPartialDate('2025')).toBe(false);
    expect(isPartialDate(null)).toBe(false);
  });
});

describe('periods', () => {
  it.each([
    ['2025', '2025-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', '2025-12-31T23:59:59.999Z'],
    ['2025-05', '2025-05-01T00:00:00.000Z', '2025-06-01T00:00:00.000Z', '2025-05-31T23:59:59.999Z'],
    ['2025-12', '2025-12-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', '2025-12-31T23:59:59.999Z'],
    ['2025-05-22', '2025-05-22T00:00:00.000Z', '2025-05-23T00:00:00.000Z', '2025-05-22T23:59:59.999Z'],
    ['2024-02-29', '2024-02-29T00:00:00.000Z', '2024-03-01T00:00:00.000Z', '2024-02-29T23:59:59.999Z'],
    ['2025-12-31', '2025-12-31T00:00:00.000Z', '2026-01-01T00:00:00.000Z', '2025-12-31T23:59:59.999Z'],
  ])('%s starts at %s, ends before %s, is queried at %s', (s, start, end, asOf) => {
    const d = parse(s);
    expect(periodStart(d).toISOString()).toBe(start);
    expect(periodEnd(d).toISOString()).toBe(end);
    expect(asOfInstant(d).toISOString()).toBe(asOf);
  });

  it('does not map years below 100 into the 1900s', () => {
    expect(periodStart(parse('0050')).getUTCFullYear()).toBe(50);
    expect(periodEnd(parse('0099')).getUTCFullYear()).toBe(100);
  });

  it('lets a query "as of 2025" see a value dated during 2025', () => {
    const dated = periodStart(parse('2025-05'));
    expect(dated.getTime()).toBeLessThanOrEqual(asOfInstant(parse('2025')).getTime());
    expect(periodStart(parse('2026')).getTime()).toBeGreaterThan(asOfInstant(parse('2025')).getTime());
  });

  it('refuses a hand-built PartialDate whose precision contradicts its value', () => {
    expect(() => periodStart({ value: '2025', precision: 'day' })).toThrow('not a valid partial date');
  });
});

describe('displayPartialDate', () => {
  it.each([
    ['2025', '2025'],
    ['2025-05', 'May 2025'],
    ['2025-05-22', '22 May 2025'],
    ['2026-02-01', '1 Feb 2026'],
    ['2025-01', 'Jan 2025'],
    ['2025-12-09', '9 Dec 2025'],
  ])('%s displays as %s', (s, shown) => {
    expect(displayPartialDate(parse(s))).toBe(shown);
  });
});

describe('comparePartialDates', () => {
  it('sorts by period start, coarser first on the same start', () => {
    const dates = ['2025-05-22', '2026', '2025-01', '2025', '2025-01-01', '2024-12-31'].map(parse);
    expect([...dates].sort(comparePartialDates).map(formatPartialDate)).toEqual([
      '2024-12-31',
      '2025',
      '2025-01',
      '2025-01-01',
      '2025-05-22',
      '2026',
    ]);
  });

  it('is zero only for equal dates and antisymmetric', () => {
    expect(comparePartialDates(parse('2025-05'), parse('2025-05'))).toBe(0);
    expect(comparePartialDates(parse('2025'), parse('2025-01'))).toBe(-1);
    expect(comparePartialDates(parse('2025-01'), parse('2025'))).toBe(1);
  });
});

const validPartialDate = fc
  .tuple(fc.integer({ min: 1, max: 9999 }), fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 31 }))
  .filter(
    ([y, m, d]) =>
      d === 0 ||
      (m > 0 &&
        d <= new Date(Date.UTC(2000, m, 0)).getUTCDate() &&
        !(m === 2 && d === 29 && !((y % 4 === 0 && y % 100 !== 0) || y % 400 === 0))),
  )
  .map(([y, m, d]) => {
    const year = String(y).padStart(4, '0');
    if (m === 0) return year;
    const month = `${year}-${String(m).padStart(2, '0')}`;
    return d === 0 ? month : `${month}-${String(d).padStart(2, '0')}`;
  });

describe('properties', () => {
  it('format(parse(s)) === s for every valid partial date', () => {
    fc.assert(
      fc.property(validPartialDate, (s) => {
        const r = parsePartialDate(s, 'asOf');
        return r.ok && formatPartialDate(r.value) === s && isPartialDate(r.value);
      }),
    );
  });

  it('start < query instant < end, and end is the start of the following period', () => {
    fc.assert(
      fc.property(validPartialDate, (s) => {
        const d = parse(s);
        const start = periodStart(d).getTime();
        const end = periodEnd(d).getTime();
        return start < asOfInstant(d).getTime() && asOfInstant(d).getTime() === end - 1 && start < end;
      }),
    );
  });

  it('rejects arbitrary strings that are not of the three shapes', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        fc.pre(!/^\d{4}(-\d{2}(-\d{2})?)?$/.test(s));
        return !parsePartialDate(s, 'asOf').ok;
      }),
    );
  });
});
