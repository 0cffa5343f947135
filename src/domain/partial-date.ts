import { describeReceived, failInput, ok, type Result } from './errors';

export type Precision = 'year' | 'month' | 'day';
export const PRECISIONS: readonly Precision[] = ['year', 'month', 'day'];

/**
 * A date known only to a year, a month or a day. The precision travels with the value so that
 * "2025" never comes back as "2025-01-01": sources say what they know, and we must not claim more.
 */
export interface PartialDate {
  /** Exactly `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, matching `precision`. */
  readonly value: string;
  readonly precision: Precision;
}

const SHAPE = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/;
const ACCEPTED = 'expected a partial date "YYYY", "YYYY-MM" or "YYYY-MM-DD" (or an integer year 1–9999)';

// Short month names, as the wiki's pages show them ("Feb 2026").
const MONTH_NAMES = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

const isLeapYear = (year: number): boolean => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

const daysInMonth = (year: number, month: number): number =>
  month === 2 ? (isLeapYear(year) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;

interface Parts {
  readonly year: number;
  readonly month: number | undefined;
  readonly day: number | undefined;
}

/** Returns why the string is not a partial date, or the parts if it is. */
const checkString = (s: string): Parts | string => {
  const m = SHAPE.exec(s);
  if (!m) return `${ACCEPTED}, got ${describeReceived(s)}`;
  const year = Number(m[1]);
  const month = m[2] === undefined ? undefined : Number(m[2]);
  const day = m[3] === undefined ? undefined : Number(m[3]);
  if (year < 1) return `year must be 0001–9999, got ${describeReceived(s)}`;
  if (month !== undefined && (month < 1 || month > 12)) return `month must be 01–12, got ${describeReceived(s)}`;
  if (month !== undefined && day !== undefined) {
    const max = daysInMonth(year, month);
    if (day < 1 || day > max) return `day must be 01–${max} for ${m[1]}-${m[2]}, got ${describeReceived(s)}`;
  }
  return { year, month, day };
};

const precisionOfParts = (p: Parts): Precision => (p.day !== undefined ? 'day' : p.month !== undefined ? 'month' : 'year');

const partsOf = (d: PartialDate): Parts => {
  const parts = checkString(d.value);
  // A PartialDate should only come from parsePartialDate, so a bad one is a programming error, not bad input.
  if (typeof parts === 'string' || precisionOfParts(parts) !== d.precision) {
    throw new Error(`not a valid partial date: ${JSON.stringify(d)}`);
  }
  return parts;
};

export const isPartialDateString = (s: unknown): s is string => typeof s === 'string' && typeof checkString(s) !== 'string';

/** Checks a PartialDate that crossed a serialization boundary (e.g. read back from an event). */
export const isPartialDate = (x: unknown): x is PartialDate => {
  if (typeof x !== 'object' || x === null) return false;
  const { value, precision } = x as { value?: unknown; precision?: unknown };
  if (typeof value !== 'string') return false;
  const parts = checkString(value);
  return typeof parts !== 'string' && precisionOfParts(parts) === precision && Object.keys(x).length === 2;
};

/**
 * Accepts the three written forms, and an integer because YAML reads a bare `2019` as a number.
 * Anything else, including full ISO instants, is refused rather than truncated: silently dropping
 * a time would invent a precision the caller did not choose.
 */
export const parsePartialDate = (input: unknown, path: string): Result<PartialDate> => {
  if (typeof input === 'number') {
    if (!Number.isInteger(input) || input < 1 || input > 9999) {
      return failInput(path, `${ACCEPTED}, got ${describeReceived(input)}`);
    }
    return ok({ value: String(input).padStart(4, '0'), precision: 'year' });
  }
  if (typeof input !== 'string') return failInput(path, `${ACCEPTED}, got ${describeReceived(input)}`);
  const parts = checkString(input);
  if (typeof parts === 'string') return failInput(path, parts);
  return ok({ value: input, precision: precisionOfParts(parts) });
};

export const formatPartialDate = (d: PartialDate): string => d.value;

const utc = (year: number, monthIndex: number, day: number): Date => {
  // Date.UTC maps years 0–99 to 1900–1999; setUTCFullYear does not.
  const date = new Date(0);
  date.setUTCFullYear(year, monthIndex, day);
  return date;
};

/** The first instant of the period: what a fact's asOf or validEnd means. */
export const periodStart = (d: PartialDate): Date => {
  const { year, month, day } = partsOf(d);
  return utc(year, (month ?? 1) - 1, day ?? 1);
};

/** The exclusive end of the period: the first instant of the next one. */
export const periodEnd = (d: PartialDate): Date => {
  const { year, month, day } = partsOf(d);
  if (month === undefined) return utc(year + 1, 0, 1);
  if (day === undefined) return utc(year, month, 1);
  return utc(year, month - 1, day + 1);
};

/**
 * What a query's asOf means: the last instant of its period. A query "as of 2025" must see a value
 * dated 2025-05, whose start lies inside 2025; using the period start would hide every value dated
 * during the year. One millisecond is the store's resolution, so periodEnd − 1 ms is the last instant
 * that still belongs to the period, and `fact start ≤ asOfInstant` reads naturally.
 */
export const asOfInstant = (d: PartialDate): Date => new Date(periodEnd(d).getTime() - 1);

export const displayPartialDate = (d: PartialDate): string => {
  const { year, month, day } = partsOf(d);
  if (month === undefined) return String(year);
  const monthName = MONTH_NAMES[month - 1] ?? String(month);
  return day === undefined ? `${monthName} ${year}` : `${day} ${monthName} ${year}`;
};

const PRECISION_RANK: Readonly<Record<Precision, number>> = { year: 0, month: 1, day: 2 };

/**
 * Orders a timeline. "2025" and "2025-01" start at the same instant; the coarser one sorts first
 * so that the more specific statement reads as the later refinement.
 */
export const comparePartialDates = (a: PartialDate, b: PartialDate): number => {
  const byStart = periodStart(a).getTime() - periodStart(b).getTime();
  if (byStart !== 0) return Math.sign(byStart);
  return Math.sign(PRECISION_RANK[a.precision] - PRECISION_RANK[b.precision]);
};
