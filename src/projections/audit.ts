import { randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { StoreSchema } from '../store/schema';
import { upcast } from '../domain/events';
import type { StoredEvent } from '../store/event-store';
import { verifyChain, type ChainReport, type VerifyOptions } from '../store/verify-chain';
import { resolveBasis, type Basis, type Pins } from './queries/basis';
import { checksumReadModels, replayLog, type ReplayOptions, type TableChecksum } from './rebuild';
import { READ_MODEL_TABLES, type FactlogDb, type FactlogTrx } from './tables';

/** The chain check plus the domain's own: every event must parse under its type and schema version. */
export function verifyLog(db: FactlogDb, options: Omit<VerifyOptions, 'checkEvent'> = {}): Promise<ChainReport> {
  return verifyChain(db as unknown as Kysely<StoreSchema>, {
    ...options,
    checkEvent: (e: StoredEvent) => {
      try {
        upcast(e.type, e.schemaVersion, e.data);
        return null;
      } catch (err) {
        return `does not parse: ${(err as Error).message}`;
      }
    },
  });
}

export interface TableComparison {
  table: string;
  live: TableChecksum;
  replayed: TableChecksum;
  equal: boolean;
  /** A few rows only one side has, as text, when the tables differ. */
  onlyLive: string[];
  onlyReplayed: string[];
}

export interface ScratchReplay {
  basis: Basis;
  events: number;
  scratchSchema: string;
}

class Rollback extends Error {}

/**
 * Rebuilds every read model from the raw events, up to a position or a known-at time, into a scratch
 * schema that exists only inside one REPEATABLE READ transaction: the same projection code, fed from
 * the log alone, with the live tables untouched and the scratch dropped by the rollback at the end.
 * `inspect` runs inside, with the scratch first on the search_path, so ordinary query modules read
 * the replayed state.
 */
export async function withReplay<T>(
  db: FactlogDb,
  pins: Pins,
  inspect: (trx: FactlogTrx, replay: ScratchReplay & { liveSchema: string }) => Promise<T>,
  options: ReplayOptions = {},
): Promise<T> {
  let result: { value: T } | undefined;
  try {
    await db
      .transaction()
      .setIsolationLevel('repeatable read')
      .execute(async (trx) => {
        const basis = await resolveBasis(trx as unknown as FactlogDb, pins);
        const { rows } = await sql<{ schema: string }>`SELECT current_schema() AS schema`.execute(trx);
        const liveSchema = rows[0].schema;
        const scratchSchema = `factlog_audit_${randomBytes(5).toString('hex')}`;
        await sql`CREATE SCHEMA ${sql.id(scratchSchema)}`.execute(trx);
        for (const table of READ_MODEL_TABLES) {
          await sql`CREATE TABLE ${sql.id(scratchSchema, table)} (LIKE ${sql.id(liveSchema, table)} INCLUDING ALL)`.execute(trx);
        }
        await sql.raw(`SET LOCAL search_path TO "${scratchSchema}", "${liveSchema}"`).execute(trx);
        const events = await replayLog(trx, basis.position, options);
        result = { value: await inspect(trx, { basis, events, scratchSchema, liveSchema }) };
        throw new Rollback();
      });
  } catch (err) {
    if (!(err instanceof Rollback)) throw err;
  }
  return result!.value;
}

/** Compares every replayed read model with the live one: counts, checksums, and sample differences. */
export async function compareReadModels(trx: FactlogTrx, scratchSchema: string, liveSchema: string): Promise<TableComparison[]> {
  const live = await checksumReadModels(trx, liveSchema);
  const replayed = await checksumReadModels(trx, scratchSchema);
  const out: TableComparison[] = [];
  for (const [i, table] of READ_MODEL_TABLES.entries()) {
    const equal = live[i].rows === replayed[i].rows && live[i].checksum === replayed[i].checksum;
    const sample = async (a: string, b: string) =>
      equal
        ? []
        : (
            await sql<{
              row: string;
            }>`SELECT t::text AS row FROM (SELECT * FROM ${sql.id(a, table)} EXCEPT SELECT * FROM ${sql.id(b, table)}) t ORDER BY 1 LIMIT 3`.execute(
              trx,
            )
          ).rows.map((r) => r.row);
    out.push({
      table,
      live: live[i],
      replayed: replayed[i],
      equal,
      onlyLive: await sample(liveSchema, scratchSchema),
      onlyReplayed: await sample(scratchSchema, liveSchema),
    });
  }
  return out;
}
