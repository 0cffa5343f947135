import type { ColumnType } from 'kysely';

/**
 * Kysely's view of the tables the store owns. Projections add their read models with
 * `db.withTables<TheirTables>()`, so the store never needs to know them.
 */
export interface EventsTable {
  position: number;
  stream: string;
  stream_version: number;
  type: string;
  schema_version: number;
  data: ColumnType<unknown, string, never>;
  metadata: ColumnType<unknown, string, never>;
  recorded_at: ColumnType<Date, string, never>;
  prev_hash: string;
  hash: string;
}

export interface StreamsTable {
  stream: string;
  version: number;
  last_position: number;
}

export interface LogHeadTable {
  singleton: boolean;
  position: number;
  hash: string;
  recorded_at: ColumnType<Date | null, string, string>;
}

export interface IdempotencyKeysTable {
  /** Whose key it is (AppendOptions.idempotencyScope); '' for the CLI's. */
  scope: ColumnType<string, string | undefined, never>;
  key: string;
  request_hash: string;
  result: ColumnType<unknown, string, never>;
  recorded_at: ColumnType<Date, string, never>;
}

export interface StoreSchema {
  events: EventsTable;
  streams: StreamsTable;
  log_head: LogHeadTable;
  idempotency_keys: IdempotencyKeysTable;
}
