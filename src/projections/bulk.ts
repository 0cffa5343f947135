import { sql, type Insertable, type RawBuilder } from 'kysely';
import type { FactlogTrx, ReadModelSchema } from './tables';

/**
 * Set-based writes for the projections: one statement per table and batch instead of one per event.
 * Rows travel as one array parameter per column and are spread again by `unnest`, so a statement has
 * as many bind parameters as its table has columns, whatever the number of rows: PostgreSQL's limit of
 * 65535 parameters can never be reached, and the statement text (hence its parse) is the same for
 * every batch. PGlite goes through the same pg serialization of arrays.
 */

export type PgType = 'text' | 'integer' | 'bigint' | 'smallint' | 'boolean' | 'jsonb' | 'timestamptz' | 'numeric';

/** A read-model table as its model declares it: its name and every column with its SQL type (the compiler checks none is missing). */
export interface TableSpec<T extends keyof ReadModelSchema> {
  name: T;
  columns: Record<keyof ReadModelSchema[T] & string, PgType>;
}
export type AnyTableSpec = TableSpec<keyof ReadModelSchema>;

export const tableSpec = <T extends keyof ReadModelSchema>(name: T, columns: TableSpec<T>['columns']): TableSpec<T> => ({ name, columns });

export type Row<T extends keyof ReadModelSchema> = Insertable<ReadModelSchema[T]>;

/**
 * Rows per statement, and characters of text per statement: a batch of a thousand events is one
 * statement per table, while a batch full of cached source texts (up to 5 MB each) is split before
 * its parameters grow into hundreds of megabytes.
 */
const MAX_ROWS = 5000;
const MAX_CHARS = 32 * 1024 * 1024;

/** Splits rows into statements of at most MAX_ROWS rows and about MAX_CHARS characters. */
export function chunks<R>(rows: readonly R[], size: (row: R) => number = () => 0): R[][] {
  const out: R[][] = [];
  let current: R[] = [];
  let chars = 0;
  for (const row of rows) {
    const n = size(row);
    if (current.length > 0 && (current.length >= MAX_ROWS || chars + n > MAX_CHARS)) {
      out.push(current);
      current = [];
      chars = 0;
    }
    current.push(row);
    chars += n;
  }
  if (current.length > 0) out.push(current);
  return out;
}

const textSize = (row: object): number => {
  let n = 0;
  for (const v of Object.values(row)) if (typeof v === 'string') n += v.length;
  return n;
};

/** `unnest($1::t1[], $2::t2[], …)` over the given columns of the rows. */
export function unnestColumns(
  columns: readonly (readonly [string, PgType])[],
  rows: readonly Record<string, unknown>[],
): RawBuilder<unknown> {
  return sql`unnest(${sql.join(columns.map(([name, type]) => sql`${sql.val(rows.map((r) => r[name] ?? null))}::${sql.raw(type)}[]`))})`;
}

export interface OnConflict {
  /** The primary key the rows conflict on. */
  key: readonly string[];
  /** Overwrite the other columns with the new row (an upsert), or keep the existing row. */
  action: 'update' | 'nothing';
}

/**
 * INSERT INTO table SELECT * FROM unnest(…): every row in one statement per chunk. With `onConflict`
 * update, the rows must have distinct keys (PostgreSQL cannot update one row twice in a statement):
 * callers pass the last row per key.
 */
export async function insertRows<T extends keyof ReadModelSchema>(
  trx: FactlogTrx,
  table: TableSpec<T>,
  rows: readonly Row<T>[],
  onConflict?: OnConflict,
): Promise<void> {
  await insertTogether(trx, [{ table, rows, onConflict }]);
}

/** Rows for one table, as insertRows takes them. */
export interface InsertPart<T extends keyof ReadModelSchema> {
  table: TableSpec<T>;
  rows: readonly Row<T>[];
  onConflict?: OnConflict;
}

/**
 * insertRows for several tables. When every table's rows fit in one chunk (and all of them in one
 * statement's characters), they go as one statement, a data-modifying WITH per table: one round trip
 * instead of one per table. The parts of one statement do not see each other's rows, so the tables
 * must be distinct and tied by no trigger or foreign key (the read models have none).
 */
export async function insertTogether(trx: FactlogTrx, parts: readonly InsertPart<keyof ReadModelSchema>[]): Promise<void> {
  const present = parts.filter((p) => p.rows.length > 0);
  const chunked = present.map((p) => ({ part: p, chunks: chunks(p.rows as readonly Record<string, unknown>[], textSize) }));
  const together = () => present.reduce((n, p) => n + p.rows.reduce((m, r) => m + textSize(r), 0), 0) <= MAX_CHARS;
  if (chunked.length > 1 && chunked.every((c) => c.chunks.length === 1) && together()) {
    const ctes = chunked.map((c, i) => sql`${sql.raw(`i${i}`)} AS (${insertStatement(c.part.table, c.chunks[0], c.part.onConflict)})`);
    await sql`WITH ${sql.join(ctes, sql`, `)} SELECT 1`.execute(trx);
    return;
  }
  for (const c of chunked) for (const chunk of c.chunks) await insertStatement(c.part.table, chunk, c.part.onConflict).execute(trx);
}

/** One chunk's INSERT … SELECT * FROM unnest(…), with its ON CONFLICT clause. */
function insertStatement(table: AnyTableSpec, rows: readonly Record<string, unknown>[], onConflict?: OnConflict): RawBuilder<unknown> {
  const columns = Object.entries(table.columns) as [string, PgType][];
  const names = sql.join(columns.map(([name]) => sql.ref(name)));
  let conflict = sql``;
  if (onConflict) {
    const key = sql.join(onConflict.key.map((k) => sql.ref(k)));
    const rest = columns.filter(([name]) => !onConflict.key.includes(name));
    conflict =
      onConflict.action === 'nothing'
        ? sql` ON CONFLICT (${key}) DO NOTHING`
        : sql` ON CONFLICT (${key}) DO UPDATE SET ${sql.join(rest.map(([name]) => sql`${sql.ref(name)} = EXCLUDED.${sql.ref(name)}`))}`;
  }
  return sql`INSERT INTO ${sql.table(table.name)} (${names}) SELECT * FROM ${unnestColumns(columns, rows)}${conflict}`;
}

/**
 * The rows a batch leaves in a one-row-per-thing table: only the last row per key reaches it, in one
 * upsert (or insert-unless-present) per chunk.
 */
export class LastRows<T extends keyof ReadModelSchema> {
  private readonly rows = new Map<string, Row<T>>();

  constructor(
    private readonly trx: FactlogTrx,
    private readonly table: TableSpec<T>,
    private readonly onConflict: OnConflict,
  ) {}

  set(key: string, row: Row<T>): void {
    this.rows.set(key, row);
  }

  /** The rows to write, handed over (for insertTogether): the caller writes them. */
  take(): InsertPart<T> {
    const rows = [...this.rows.values()];
    this.rows.clear();
    return { table: this.table, rows, onConflict: this.onConflict };
  }

  async flush(): Promise<void> {
    await insertTogether(this.trx, [this.take()]);
  }
}

/**
 * Rows owned by a thing and rewritten whole after its events (an entity's keys, a fact's citations):
 * the batch deletes every touched owner's rows and inserts their last set, a statement per chunk each.
 * An owner that had no rows before its first `set` since the last flush (`fresh`) is not deleted.
 */
export class OwnedRows<T extends keyof ReadModelSchema> {
  private readonly rows = new Map<string, Row<T>[]>();
  private readonly fresh = new Set<string>();

  constructor(
    private readonly trx: FactlogTrx,
    private readonly table: TableSpec<T>,
    private readonly ownerColumn: keyof ReadModelSchema[T] & string,
  ) {}

  set(owner: string, rows: Row<T>[], fresh = false): void {
    if (fresh && !this.rows.has(owner)) this.fresh.add(owner);
    this.rows.set(owner, rows);
  }

  async flush(): Promise<void> {
    if (this.rows.size === 0) return;
    for (const owners of chunks([...this.rows.keys()].filter((owner) => !this.fresh.has(owner)))) {
      await sql`DELETE FROM ${sql.table(this.table.name)} WHERE ${sql.ref(this.ownerColumn)} = ANY(${sql.val(owners)}::text[])`.execute(
        this.trx,
      );
    }
    await insertRows(this.trx, this.table, [...this.rows.values()].flat());
    this.rows.clear();
    this.fresh.clear();
  }
}
