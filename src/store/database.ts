import path from 'node:path';
import { Kysely, PostgresDialect, type Driver } from 'kysely';
import pg from 'pg';
import { PGlite, type Extension } from '@electric-sql/pglite';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import { lockFolder } from './folder-lock';
import type { StoreSchema } from './schema';
import { budgetedDriver } from './statement-budget';

// The package declares its contrib extensions' types as ES modules only, which a CommonJS build cannot
// import; the CommonJS file itself is there (package.json "exports"), so it is required with its type.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { pg_trgm } = require('@electric-sql/pglite/contrib/pg_trgm') as { pg_trgm: Extension };

// int8 (bigint positions, counts) arrives as a string by default; our positions stay far below 2^53,
// so numbers are safe and keep every caller free of string arithmetic.
pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number(value));

export type DatabaseKind = 'postgres' | 'pglite';

/** A notification listener; returns a function that stops listening. */
export type Listen = (channel: string, onNotify: (payload: string) => void) => Promise<() => Promise<void>>;

/**
 * One handle over either PostgreSQL or PGlite. Both are reached through a `pg.Pool`, so every query
 * in Factlog goes through the same Kysely code path; only LISTEN differs (PGlite has its own API).
 */
export interface Database {
  readonly kind: DatabaseKind;
  readonly db: Kysely<StoreSchema>;
  readonly pool: pg.Pool;
  /** Human-readable location, without credentials. */
  readonly description: string;
  readonly listen: Listen;
  /** Statements executed so far (tests use it to prove a query costs a bounded number of them). */
  readonly stats: { queries: number };
  /**
   * A new connection outside the pool, with the pool's settings, for session state such as advisory
   * locks (src/replication/leader-election.ts). PostgreSQL only; the caller ends it.
   */
  readonly openSession?: () => pg.Client;
  close(): Promise<void>;
}

/** Every statement, whichever database, is charged to the request that runs it (statement-budget.ts). */
class BudgetedPostgresDialect extends PostgresDialect {
  override createDriver(): Driver {
    return budgetedDriver(super.createDriver());
  }
}

function countingKysely(pool: pg.Pool, stats: { queries: number }): Kysely<StoreSchema> {
  return new Kysely<StoreSchema>({
    dialect: new BudgetedPostgresDialect({ pool }),
    log: (event) => {
      if (event.level === 'query' || event.level === 'error') stats.queries += 1;
    },
  });
}

export interface PostgresOptions {
  url: string;
  /** Every connection uses this schema first (tests isolate files by schema). */
  schema?: string;
  maxConnections?: number;
  /** Server-side limit per statement, so one runaway query cannot hold a connection for ever (0: none). */
  statementTimeoutMs?: number;
  /**
   * How long a caller waits for a free pooled connection (or a new one to open) before pg gives up
   * (0 or unset: for ever). A bound turns an exhausted pool into a prompt error instead of a pile-up.
   */
  connectionTimeoutMs?: number;
}

export function openPostgres(options: PostgresOptions): Database {
  const settings = [
    ...(options.schema ? [`-c search_path=${quoteIdent(options.schema)}`] : []),
    ...(options.statementTimeoutMs ? [`-c statement_timeout=${options.statementTimeoutMs}`] : []),
  ];
  const schemaOption = settings.length ? { options: settings.join(' ') } : {};
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.maxConnections ?? 10,
    ...schemaOption,
    ...(options.connectionTimeoutMs ? { connectionTimeoutMillis: options.connectionTimeoutMs } : {}),
  });
  // An idle client that loses its server (restart, failover) must not crash the process.
  pool.on('error', (err) => process.emitWarning(`idle PostgreSQL client error: ${err.message}`));
  // The pool listens only while a client is idle. A checked-out client whose server goes away (a FATAL
  // between a transaction's statements, or the socket closing after a failed query) emits 'error' too,
  // and without a listener that would crash the process; its caller already gets the failure (the
  // query rejects), and the pool drops the broken client when it is released.
  pool.on('connect', (client) => client.on('error', () => undefined));
  const stats = { queries: 0 };
  const db = countingKysely(pool, stats);
  const listen: Listen = async (channel, onNotify) => {
    const client = new pg.Client({ connectionString: options.url, ...schemaOption });
    client.on('error', (err) => process.emitWarning(`listener error: ${err.message}`));
    await client.connect();
    client.on('notification', (msg) => {
      if (msg.channel === channel) onNotify(msg.payload ?? '');
    });
    await client.query(`LISTEN ${quoteIdent(channel)}`);
    return async () => {
      await client.end().catch(() => undefined);
    };
  };
  return {
    kind: 'postgres',
    db,
    pool,
    description: describeUrl(options.url) + (options.schema ? ` (schema ${options.schema})` : ''),
    listen,
    stats,
    openSession: () => new pg.Client({ connectionString: options.url, ...schemaOption }),
    close: () => db.destroy(),
  };
}

export interface PgliteOptions {
  /** A folder for the data, or `memory://` for a throwaway in-memory database. */
  dataDir: string;
  /**
   * How long a caller waits for the single connection (0 or unset: for ever), as PostgresOptions'.
   * PGlite has no statement_timeout to pair it with: it accepts the setting but runs in the same
   * thread as the gateway, so nothing can interrupt a statement once it runs (README, security).
   */
  connectionTimeoutMs?: number;
}

export async function openPglite(options: PgliteOptions): Promise<Database> {
  const inMemory = options.dataDir.startsWith('memory://');
  const dataDir = inMemory ? options.dataDir : path.resolve(options.dataDir);
  // Taken before PGlite reads a byte: a folder opened by two processes is corrupted (src/store/folder-lock.ts).
  const lock = inMemory ? undefined : await lockFolder(dataDir);
  let pglite: PGlite;
  try {
    // pg_trgm backs search's typo tolerance (migrations/0010_search_documents.sql); PGlite ships it.
    pglite = new PGlite(dataDir, { extensions: { pg_trgm } });
    await pglite.waitReady;
  } catch (err) {
    await lock?.release();
    throw err;
  }
  // PGlite has exactly one connection: a pool of one makes every caller queue for it, so a transaction
  // can never be interleaved with another caller's statements.
  const pool = new pg.Pool({
    ...createPgConfig(pglite),
    max: 1,
    ...(options.connectionTimeoutMs ? { connectionTimeoutMillis: options.connectionTimeoutMs } : {}),
  } as unknown as pg.PoolConfig);
  const stats = { queries: 0 };
  const db = countingKysely(pool, stats);
  const listen: Listen = async (channel, onNotify) => pglite.listen(channel, onNotify);
  return {
    kind: 'pglite',
    db,
    pool,
    description: `PGlite at ${dataDir}`,
    listen,
    stats,
    close: async () => {
      try {
        await db.destroy();
        await pglite.close();
      } finally {
        // Only once PGlite has written its last page may another process have the folder.
        await lock?.release();
      }
    },
  };
}

export interface ConnectOptions {
  databaseUrl?: string;
  dataDir: string;
  schema?: string;
  statementTimeoutMs?: number;
  /** PostgreSQL only; PGlite has one connection. */
  maxConnections?: number;
  /** Both databases: how long a caller waits for a connection. */
  connectionTimeoutMs?: number;
}

/** `DATABASE_URL` wins; without it Factlog runs embedded on PGlite. */
export function openDatabase(options: ConnectOptions): Promise<Database> {
  return options.databaseUrl
    ? Promise.resolve(
        openPostgres({
          url: options.databaseUrl,
          schema: options.schema,
          statementTimeoutMs: options.statementTimeoutMs,
          maxConnections: options.maxConnections,
          connectionTimeoutMs: options.connectionTimeoutMs,
        }),
      )
    : openPglite({ dataDir: options.dataDir, connectionTimeoutMs: options.connectionTimeoutMs });
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `PostgreSQL ${u.hostname}:${u.port || '5432'}${u.pathname}`;
  } catch {
    return 'PostgreSQL';
  }
}
