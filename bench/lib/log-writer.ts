import type pg from 'pg';
import type { AppendMetadata } from '../../src/store/event-store';
import { GENESIS_HASH, eventHash } from '../../src/store/event-hash';

/** One event as a benchmark writes it: the writer gives it its position, stream version and hashes. */
export interface BulkEvent {
  stream: string;
  type: string;
  schemaVersion: number;
  data: Record<string, unknown>;
  metadata: AppendMetadata;
  recordedAt: Date;
}

interface Row {
  position: number;
  stream: string;
  streamVersion: number;
  type: string;
  schemaVersion: number;
  data: string;
  metadata: string;
  recordedAt: string;
  prevHash: string;
  hash: string;
}

const INSERT_EVENTS = `
  INSERT INTO events (position, stream, stream_version, type, schema_version, data, metadata, recorded_at, prev_hash, hash)
  SELECT p, s, v, t, sv, d::jsonb, m::jsonb, r::timestamptz, ph, h
  FROM unnest($1::bigint[], $2::text[], $3::int[], $4::text[], $5::int[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
    AS x(p, s, v, t, sv, d, m, r, ph, h)`;

/**
 * Writes a log straight into an empty, migrated store's `events` table, as the store itself would
 * have chained it (positions, stream versions, hashes over the same content, so `verifyLog` accepts
 * it), in multi-row INSERTs from unnest of `batch` rows each, hashing the next batch while the
 * previous one is inserted. No projection runs: a benchmark that wants read models replays the log
 * afterwards (`replayLog`). `finish` writes the streams table and the log head. The caller owns the
 * client's transaction.
 */
export class BulkLogWriter {
  private position = 0;
  private prevHash = GENESIS_HASH;
  private lastRecordedAt = new Date(0);
  private readonly versions = new Map<string, number>();
  private rows: Row[] = [];
  private pending: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly client: pg.PoolClient,
    private readonly batch: number,
  ) {}

  /** Events written so far (the last one's position). */
  get events(): number {
    return this.position;
  }

  get streams(): number {
    return this.versions.size;
  }

  /** The stream's version after the events added so far (0: no event yet). */
  versionOf(stream: string): number {
    return this.versions.get(stream) ?? 0;
  }

  async add(e: BulkEvent): Promise<void> {
    this.position += 1;
    const streamVersion = this.versionOf(e.stream) + 1;
    this.versions.set(e.stream, streamVersion);
    const hash = eventHash(this.prevHash, { ...e, position: this.position, streamVersion });
    this.rows.push({
      position: this.position,
      stream: e.stream,
      streamVersion,
      type: e.type,
      schemaVersion: e.schemaVersion,
      data: JSON.stringify(e.data),
      metadata: JSON.stringify(e.metadata),
      recordedAt: e.recordedAt.toISOString(),
      prevHash: this.prevHash,
      hash,
    });
    this.prevHash = hash;
    this.lastRecordedAt = e.recordedAt;
    if (this.rows.length >= this.batch) {
      const rows = this.rows;
      this.rows = [];
      await this.pending;
      this.pending = this.insert(rows);
    }
  }

  /** The rest of the rows, then each stream's version and last position, and the log head. */
  async finish(): Promise<void> {
    await this.pending;
    if (this.rows.length > 0) await this.insert(this.rows);
    this.rows = [];
    await this.client.query(
      'INSERT INTO streams (stream, version, last_position) SELECT stream, max(stream_version), max(position) FROM events GROUP BY stream',
    );
    await this.client.query('UPDATE log_head SET position = $1, hash = $2, recorded_at = $3', [
      this.position,
      this.prevHash,
      this.lastRecordedAt.toISOString(),
    ]);
  }

  private insert(rows: readonly Row[]): Promise<unknown> {
    return this.client.query(INSERT_EVENTS, [
      rows.map((r) => r.position),
      rows.map((r) => r.stream),
      rows.map((r) => r.streamVersion),
      rows.map((r) => r.type),
      rows.map((r) => r.schemaVersion),
      rows.map((r) => r.data),
      rows.map((r) => r.metadata),
      rows.map((r) => r.recordedAt),
      rows.map((r) => r.prevHash),
      rows.map((r) => r.hash),
    ]);
  }
}
