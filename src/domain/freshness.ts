import { parsePartialDate, periodStart } from './partial-date';
import { recordDate, type RecordSchemaFields } from './record-schema';

/**
 * docs/domain.md, "Freshness": when a value or a page is due for review. A fact series (entity,
 * property) is due `stalenessDays` after the start of its latest asOf; a page `updateFrequency`
 * days after the start of its `lastEdited`. Both are measured from the period's start, the instant
 * a partial date stands for everywhere else (valid_from), so "2025" is due a year's days after
 * 2025-01-01.
 */
export interface Freshness {
  /** The partial date the cadence counts from (the series' latest asOf, the page's lastEdited). */
  readonly since: string;
  readonly everyDays: number;
  readonly dueAt: Date;
  /** True once "today" is past dueAt. */
  readonly overdue: boolean;
  /** Whole days past dueAt (negative: days left). */
  readonly overdueDays: number;
}

const DAY_MS = 86_400_000;

/** Freshness of something last brought up to date at `since`, reviewed every `everyDays`, seen at `today`. */
export function freshness(since: string, everyDays: number, today: Date): Freshness {
  const parsed = parsePartialDate(since, 'since');
  if (!parsed.ok) throw new Error(`stored date "${since}" is not a partial date`);
  const dueAt = new Date(periodStart(parsed.value).getTime() + everyDays * DAY_MS);
  const late = today.getTime() - dueAt.getTime();
  return { since, everyDays, dueAt, overdue: late > 0, overdueDays: Math.floor(late / DAY_MS) };
}

/** Freshness when both a date and a cadence are known; a missing one means nothing is ever due. */
export function freshnessOf(since: string | null | undefined, everyDays: number | null | undefined, today: Date): Freshness | null {
  return since && everyDays ? freshness(since, everyDays, today) : null;
}

/**
 * A collection of records on one entity (its funding rounds, say) is due `stalenessDays` (the
 * schema's) after the latest of its records' dates (recordDate): the series of a property, for records.
 */
export function collectionFreshness(
  schema: RecordSchemaFields,
  records: readonly Readonly<Record<string, unknown>>[],
  today: Date,
): Freshness | null {
  let latest: { date: string; start: number } | null = null;
  for (const values of records) {
    const date = recordDate(schema, values);
    const parsed = date === null ? null : parsePartialDate(date, 'date');
    if (!parsed?.ok) continue;
    const start = periodStart(parsed.value).getTime();
    if (latest === null || start > latest.start) latest = { date: date!, start };
  }
  return freshnessOf(latest?.date, schema.stalenessDays, today);
}
