import { sql } from 'kysely';
import { finishReplay, projectEvents } from './project';
import { Replay, type ProjectableEvent } from './read-model';
import { READ_MODEL_TABLES, type FactlogDb, type FactlogTrx, type ReadModelSchema } from './tables';

export interface TableChecksum {
  table: keyof ReadModelSchema;
  rows: number;
  /**
   * The sums, over every row, of the two halves of the md5 of its text form: equal checksums (and
   * counts) mean the same rows, byte for byte, whatever their order, short of a 128-bit collision.
   */
  checksum: string;
}

export interface RebuildReport {
  events: number;
  equal: boolean;
  tables: { table: string; before: TableChecksum; after: TableChecksum; equal: boolean }[];
  seconds: number;
}

/**
 * Row count and content checksum of every read-model table. A sum of per-row hashes streams: the
 * checksum it replaced (md5 of every row's text joined in order) built one string of the whole table,
 * which PostgreSQL refuses past 1 GB, so a rebuild failed out of memory on a store of 100k facts.
 */
export async function checksumReadModels(db: FactlogDb | FactlogTrx, schema?: string): Promise<TableChecksum[]> {
  const out: TableChecksum[] = [];
  for (const table of READ_MODEL_TABLES) {
    const { rows } = await sql<{ n: number; checksum: string }>`
      SELECT count(*)::int AS n,
        coalesce(sum(('x' || left(h, 16))::bit(64)::bigint::numeric), 0) || ':' ||
        coalesce(sum(('x' || right(h, 16))::bit(64)::bigint::numeric), 0) AS checksum
      FROM (SELECT md5(t::text) AS h FROM ${sql.table(schema ? `${schema}.${table}` : table)} t) hashed`.execute(db);
    out.push({ table, rows: Number(rows[0].n), checksum: rows[0].checksum });
  }
  return out;
}

export interface ReplayOptions {
  /** Events per projected batch (DEFAULT_REPLAY_BATCH). */
  batchSize?: number;
  /** Rows a model holds back across batches at most (Replay). */
  maxHeld?: number;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Feeds the log, up to a position, through the projection code in the caller's transaction. The read
 * models it writes are whichever tables the transaction's search_path finds first, and they must be
 * empty (a rebuild has just truncated them, an audit has just created them).
 *
 * Into empty tables, the secondary indexes (the ones queries read through; not the keys, nor the
 * partial indexes of believed versions that the projection itself closes through) are dropped for the
 * replay and built again at its end: one sorted build per index instead of a random insert per row,
 * which was most of a replay's time. The rows are the same either way.
 */
export async function replayLog(trx: FactlogTrx, upTo: number, options: ReplayOptions = {}): Promise<number> {
  const batchSize = options.batchSize ?? DEFAULT_REPLAY_BATCH;
  return withoutQueryIndexes(trx, async () => {
    const replay = new Replay(options.maxHeld);
    let after = 0;
    let done = 0;
    options.onProgress?.(0, upTo);
    for (;;) {
      const rows = await trx
        .selectFrom('events')
        .select(['position', 'stream', 'stream_version as streamVersion', 'type', 'schema_version as schemaVersion', 'data', 'recorded_at'])
        .where('position', '>', after)
        .where('position', '<=', upTo)
        .orderBy('position')
        .limit(batchSize)
        .execute();
      if (rows.length === 0) {
        await finishReplay(trx, replay);
        return done;
      }
      const events = rows.map(({ recorded_at, ...r }): ProjectableEvent => ({
        ...r,
        position: Number(r.position),
        data: r.data as Record<string, unknown>,
        recordedAt: new Date(recorded_at),
      }));
      await projectEvents(trx, events, { replay });
      after = events[events.length - 1].position;
      done += rows.length;
      options.onProgress?.(done, upTo);
    }
  });
}

/** Events per projected batch in a replay: bigger batches close fewer versions across batches. */
export const DEFAULT_REPLAY_BATCH = 5000;

/**
 * Runs `work` with the read-model tables' query indexes dropped (in the search_path's first schema),
 * and creates them again, as they were, afterwards. Inside the caller's transaction: a failure rolls
 * the drop back too.
 */
async function withoutQueryIndexes<T>(trx: FactlogTrx, work: () => Promise<T>): Promise<T> {
  const { rows } = await sql<{ schema: string; name: string; definition: string }>`
    SELECT n.nspname AS schema, c.relname AS name, pg_get_indexdef(c.oid) AS definition
    FROM pg_index x
    JOIN pg_class c ON c.oid = x.indexrelid
    JOIN pg_class t ON t.oid = x.indrelid
    JOIN pg_namespace n ON n.oid = t.relnamespace
    WHERE n.nspname = current_schema() AND t.relname = ANY(${sql.val([...READ_MODEL_TABLES])}::text[])
      AND NOT x.indisunique AND NOT x.indisprimary
      -- Partial indexes over believed versions (tx_to IS NULL) are how the projection finds what to
      -- close, so they stay; other partial ones (search's, by kind) serve only queries.
      AND (x.indpred IS NULL OR pg_get_expr(x.indpred, x.indrelid) NOT LIKE '%tx_to IS NULL%')
    ORDER BY c.relname`.execute(trx);
  for (const index of rows) await sql`DROP INDEX ${sql.id(index.schema, index.name)}`.execute(trx);
  const result = await work();
  for (const index of rows) await sql.raw(index.definition).execute(trx);
  return result;
}

export interface RebuildOptions {
  batchSize?: number;
  onProgress?: (done: number, total: number) => void;
  /** Compare and roll back instead of keeping the rebuilt tables. */
  dryRun?: boolean;
}

class DryRunRollback extends Error {}

/**
 * Rebuilds every read model from the log in one transaction that holds the log head, so no append
 * interleaves: checksums the live tables, truncates them, replays every event through the same
 * projection code, and checksums again. Equal checksums prove the live rows were exactly what the
 * log implies (docs/architecture.md, invariant 4).
 */
export async function rebuildReadModels(db: FactlogDb, options: RebuildOptions = {}): Promise<RebuildReport> {
  const started = Date.now();
  const batchSize = options.batchSize ?? DEFAULT_REPLAY_BATCH;
  let report: RebuildReport | undefined;
  try {
    await db.transaction().execute(async (trx) => {
      const head = await trx.selectFrom('log_head').select('position').forUpdate().executeTakeFirstOrThrow();
      const before = await checksumReadModels(trx);
      await sql`TRUNCATE ${sql.join(READ_MODEL_TABLES.map((t) => sql.table(t)))}`.execute(trx);
      const done = await replayLog(trx, head.position, { batchSize, onProgress: options.onProgress });
      const rebuilt = await checksumReadModels(trx);
      const tables = before.map((b, i) => ({
        table: b.table,
        before: b,
        after: rebuilt[i],
        equal: b.checksum === rebuilt[i].checksum && b.rows === rebuilt[i].rows,
      }));
      report = { events: done, equal: tables.every((t) => t.equal), tables, seconds: (Date.now() - started) / 1000 };
      if (options.dryRun) throw new DryRunRollback();
    });
  } catch (err) {
    if (!(err instanceof DryRunRollback)) throw err;
  }
  return report!;
}
