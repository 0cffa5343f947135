import { sql, type Kysely, type Transaction } from 'kysely';
import { assertJson, canonicalJson } from './canonical-json';
import type { Database } from './database';
import { callerError, ConcurrencyError, inputError, type StoreError } from './errors';
import { eventHash, sha256Hex } from './event-hash';
import { GroupCommit, type Outcome } from './group-commit';
import type { StoreSchema } from './schema';

/**
 * Ordering strategy (docs/architecture.md, invariant 1): appends are serialized on the single `log_head` row
 * (`SELECT … FOR UPDATE`), and the position is assigned after that lock is taken. Assignment order is
 * therefore commit order, the log has no gaps (a rolled-back append also rolls back the head), and a
 * reader that follows `position > checkpoint` can never skip an event that commits later.
 *
 * Why not the xmin visibility fence: the hash chain (invariant 6) needs each event to know its
 * predecessor's hash at insert time, which already requires one writer at a time; transaction time
 * (`knownAt`) wants recorded times that grow with the position; and PGlite has a single connection anyway.
 * The price is one append transaction at a time per database: bench/append.ts measures it. Group
 * commit (appendMany, group-commit.ts) lets the appends of one process that arrive meanwhile share it.
 */

export type ExpectedVersion = number | 'no_stream' | 'any' | 'exists';

export const NOTIFY_CHANNEL = 'factlog_events';

export interface EventToAppend {
  type: string;
  /** Version of this event type's data shape; old shapes are upcast by the domain when read. */
  schemaVersion?: number;
  data: Record<string, unknown>;
}

export interface AppendMetadata {
  actor?: string;
  reason?: string;
  correlationId?: string;
  causationId?: string;
  idempotencyKey?: string;
  /**
   * The version of outside files the events were imported from (a git commit of a wiki, say) and
   * that version's own time, so an auditor can tell what the files said when the store learned it.
   */
  commit?: string;
  committedAt?: string;
}

export interface AppendOptions {
  /**
   * What makes two requests "the same" for idempotency. Defaults to the events themselves; a command
   * layer passes a hash of the command instead, since generated ids make the events differ per try.
   */
  fingerprint?: string;
  /**
   * Whose idempotency key it is (an API key's principal): the same key from another principal is
   * another request. Kept out of the events' metadata, which stays as it was. Default '' (the CLI's).
   */
  idempotencyScope?: string;
}

export interface StoredEvent {
  position: number;
  stream: string;
  streamVersion: number;
  type: string;
  schemaVersion: number;
  data: Record<string, unknown>;
  metadata: AppendMetadata;
  recordedAt: Date;
  prevHash: string;
  hash: string;
}

export interface StreamWrite {
  stream: string;
  expectedVersion: ExpectedVersion;
  events: EventToAppend[];
}

export interface AppendResult {
  /** The new version of each written stream, in request order. */
  streams: { stream: string; version: number }[];
  firstPosition: number;
  lastPosition: number;
  recordedAt: string;
  /** True when an idempotency key matched an earlier append: nothing new was written. */
  replayed: boolean;
}

/** An append of appendCommitted: its result, and the head its group left if it wrote anything. */
export interface Committed {
  result: AppendResult;
  /**
   * The log head as the append's group committed it (its last event, this append's or a later
   * member's): a read at it sees the append, without reading the head again. Absent for a replay.
   */
  head?: { position: number; recordedAt: string };
}

export interface LogHead {
  position: number;
  hash: string;
  recordedAt: Date | null;
}

/** Runs inside the append transaction, so read models commit (or roll back) with their events. */
export type InlineProjector = (trx: Transaction<StoreSchema>, events: readonly StoredEvent[]) => Promise<void>;

const MAX_EVENTS_PER_APPEND = 10_000;
/** A group takes waiting appends up to this many events (a larger append still goes, alone). */
const MAX_EVENTS_PER_GROUP = 1000;
const MAX_READ = 10_000;
const STREAM_NAME = /^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,199}$/;
const EVENT_TYPE = /^[A-Z][A-Za-z0-9]{0,99}$/;

export class EventStore {
  private readonly projectors: InlineProjector[];
  private readonly groups = new GroupCommit<Member, Committed>((members) => this.commitGroup(members), MAX_EVENTS_PER_GROUP);

  constructor(
    readonly database: Database,
    options: { projectors?: InlineProjector[] } = {},
  ) {
    this.projectors = options.projectors ?? [];
  }

  private get db(): Kysely<StoreSchema> {
    return this.database.db;
  }

  /** Appends events to one stream if its version is as expected: one atomic compare-and-set. */
  async append(
    stream: string,
    expectedVersion: ExpectedVersion,
    events: EventToAppend[],
    metadata: AppendMetadata = {},
  ): Promise<AppendResult & { positions: number[]; version: number }> {
    const result = await this.appendMany([{ stream, expectedVersion, events }], metadata);
    const positions = Array.from(
      { length: result.replayed ? result.lastPosition - result.firstPosition + 1 : events.length },
      (_, i) => result.firstPosition + i,
    );
    return { ...result, positions, version: result.streams[0].version };
  }

  /**
   * Several streams in one transaction: all expectations hold and everything is written, or nothing.
   * Appends that arrive while another is being written share the next transaction (group commit,
   * group-commit.ts); each is still decided on its own, so a refusal is only ever its own.
   */
  async appendMany(writes: StreamWrite[], metadata: AppendMetadata = {}, options: AppendOptions = {}): Promise<AppendResult> {
    return (await this.appendCommitted(writes, metadata, options)).result;
  }

  /** appendMany, with the head its group committed (for a caller that reads its own write at once). */
  async appendCommitted(writes: StreamWrite[], metadata: AppendMetadata = {}, options: AppendOptions = {}): Promise<Committed> {
    const member = prepare(writes, metadata, options);
    return this.groups.submit(member, member.eventCount);
  }

  /**
   * The earlier result for an idempotency key, or null if the key is new. A command layer asks this
   * before deciding, because a retried command decided again against newer state could decide
   * differently (a second "register" would conflict with the first).
   */
  async idempotentResult(key: string, fingerprint: string, scope = ''): Promise<AppendResult | null> {
    const earlier = await this.db
      .selectFrom('idempotency_keys')
      .select(['request_hash', 'result'])
      .where('scope', '=', scope)
      .where('key', '=', key)
      .executeTakeFirst();
    return earlier ? replayOf(earlier as Recorded, key, fingerprint) : null;
  }

  /**
   * The append itself, inside a caller's transaction (importers batch many commands in one). The caller
   * must not hold other locks taken in a different order, or it could deadlock with another appender.
   */
  async appendWithin(
    trx: Transaction<StoreSchema>,
    writes: StreamWrite[],
    metadata: AppendMetadata = {},
    options: AppendOptions = {},
  ): Promise<AppendResult> {
    const [outcome] = await appendGroup(trx, [prepare(writes, metadata, options)], this.projectors);
    if (!outcome.ok) throw outcome.error;
    return outcome.value;
  }

  /**
   * One group's transaction. If it fails for a reason no member's decision foresaw (a read model's
   * constraint, an event the projector refuses), nothing was written: each member is tried again
   * alone, so only the guilty one fails. A failure at COMMIT is not retried: the group may have
   * committed, and trying again could write its events twice.
   */
  private async commitGroup(members: readonly Member[]): Promise<Outcome<Committed>[]> {
    let committing = false;
    let outcomes: Outcome<AppendResult>[];
    try {
      outcomes = await this.db.transaction().execute(async (trx) => {
        const decided = await appendGroup(trx, members, this.projectors);
        committing = true;
        return decided;
      });
    } catch (error) {
      if (committing || members.length === 1) return members.map(() => ({ ok: false, error }));
      const alone: Outcome<Committed>[] = [];
      for (const member of members) alone.push(...(await this.commitGroup([member])));
      return alone;
    }
    return withCommittedHead(outcomes);
  }

  /** A stream's events from a version on; an unknown stream is NOT_FOUND, not an empty list. */
  async readStream(stream: string, fromVersion = 1): Promise<StoredEvent[]> {
    if (typeof stream !== 'string' || !STREAM_NAME.test(stream)) throw invalidStream(stream);
    if (!Number.isInteger(fromVersion) || fromVersion < 1) {
      throw callerError(`fromVersion must be an integer ≥ 1, got ${String(fromVersion)}`, ['fromVersion']);
    }
    const exists = await this.db.selectFrom('streams').select('version').where('stream', '=', stream).executeTakeFirst();
    if (!exists) throw inputError(`stream "${stream}" does not exist`, ['stream'], 'NOT_FOUND');
    const rows = await this.db
      .selectFrom('events')
      .selectAll()
      .where('stream', '=', stream)
      .where('stream_version', '>=', fromVersion)
      .orderBy('stream_version')
      .execute();
    return rows.map(toStoredEvent);
  }

  /** The global log after a position, in position order (which is commit order). */
  async readAll(afterPosition = 0, limit = 1000): Promise<StoredEvent[]> {
    if (!Number.isInteger(afterPosition) || afterPosition < 0) {
      throw callerError(`afterPosition must be an integer ≥ 0, got ${String(afterPosition)}`, ['afterPosition']);
    }
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_READ) {
      throw callerError(`limit must be an integer from 1 to ${MAX_READ}, got ${String(limit)}`, ['limit']);
    }
    const rows = await this.db
      .selectFrom('events')
      .selectAll()
      .where('position', '>', afterPosition)
      .orderBy('position')
      .limit(limit)
      .execute();
    return rows.map(toStoredEvent);
  }

  async head(): Promise<LogHead> {
    const row = await this.db.selectFrom('log_head').select(['position', 'hash', 'recorded_at']).executeTakeFirstOrThrow();
    return { position: row.position, hash: row.hash, recordedAt: row.recorded_at };
  }

  async streamVersion(stream: string): Promise<number> {
    const row = await this.db.selectFrom('streams').select('version').where('stream', '=', stream).executeTakeFirst();
    return row?.version ?? 0;
  }
}

type EventRow = {
  position: number;
  stream: string;
  stream_version: number;
  type: string;
  schema_version: number;
  data: unknown;
  metadata: unknown;
  recorded_at: Date;
  prev_hash: string;
  hash: string;
};

export function toStoredEvent(r: EventRow): StoredEvent {
  return {
    position: Number(r.position),
    stream: r.stream,
    streamVersion: r.stream_version,
    type: r.type,
    schemaVersion: r.schema_version,
    data: r.data as Record<string, unknown>,
    metadata: r.metadata as AppendMetadata,
    recordedAt: new Date(r.recorded_at),
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

function checkExpected(stream: string, expected: ExpectedVersion, actual: number): void {
  const ok =
    expected === 'any' || (expected === 'no_stream' && actual === 0) || (expected === 'exists' && actual > 0) || expected === actual;
  if (!ok) throw new ConcurrencyError(stream, expected, actual);
}

function validateWrites(writes: StreamWrite[]): void {
  if (!Array.isArray(writes) || writes.length === 0) {
    throw callerError('an append needs at least one stream', ['streams']);
  }
  const seen = new Set<string>();
  let count = 0;
  for (const w of writes) {
    if (typeof w.stream !== 'string' || !STREAM_NAME.test(w.stream)) throw invalidStream(w.stream);
    if (seen.has(w.stream)) {
      throw callerError(`stream "${w.stream}" appears twice in one append`, ['stream']);
    }
    seen.add(w.stream);
    validateExpected(w.expectedVersion);
    if (!Array.isArray(w.events) || w.events.length === 0) {
      throw callerError(`no events to append to "${w.stream}"`, ['events']);
    }
    w.events.forEach((e, i) => {
      if (!e || typeof e.type !== 'string' || !EVENT_TYPE.test(e.type)) {
        throw callerError(`events[${i}].type must be a PascalCase name, got ${JSON.stringify(e?.type)}`, ['events', String(i), 'type']);
      }
      const sv = e.schemaVersion ?? 1;
      if (!Number.isInteger(sv) || sv < 1) {
        throw callerError(`events[${i}].schemaVersion must be an integer ≥ 1`, ['events', String(i), 'schemaVersion']);
      }
      if (e.data === null || typeof e.data !== 'object' || Array.isArray(e.data)) {
        throw callerError(`events[${i}].data must be a JSON object`, ['events', String(i), 'data']);
      }
      assertJson(e.data, `events[${i}].data`);
    });
    count += w.events.length;
  }
  if (count > MAX_EVENTS_PER_APPEND) {
    throw callerError(`at most ${MAX_EVENTS_PER_APPEND} events per append, got ${count}`, ['events']);
  }
}

function validateExpected(expected: unknown): asserts expected is ExpectedVersion {
  if (expected === 'any' || expected === 'no_stream' || expected === 'exists') return;
  if (typeof expected === 'number' && Number.isInteger(expected) && expected >= 0) return;
  // A client's expectedVersion reaches here as given (a negative one for a stream not yet written).
  throw inputError(`expectedVersion must be an integer ≥ 0, "no_stream", "exists" or "any", got ${JSON.stringify(expected)}`, [
    'expectedVersion',
  ]);
}

function validateMetadata(m: AppendMetadata): void {
  for (const key of ['actor', 'reason', 'correlationId', 'causationId', 'idempotencyKey', 'commit', 'committedAt'] as const) {
    const v = m[key];
    if (v === undefined) continue;
    if (typeof v !== 'string' || v.length === 0 || v.length > 2000 || v.includes('\u0000')) {
      throw inputError(`${key} must be a non-empty string of at most 2000 characters`, [key]);
    }
    // Metadata is stored as jsonb too, which refuses lone surrogates just as it does in event data.
    assertJson(v, key);
    // The key is a btree primary key, whose entries must stay under 2704 bytes: 2000 characters can be 8000.
    if (key === 'idempotencyKey' && Buffer.byteLength(v, 'utf8') > 2000) {
      throw inputError('idempotencyKey must be at most 2000 bytes in UTF-8', [key]);
    }
  }
}

function compactMetadata(m: AppendMetadata): AppendMetadata {
  const out: AppendMetadata = {};
  for (const [k, v] of Object.entries(m)) if (v !== undefined) out[k as keyof AppendMetadata] = v;
  return out;
}

function reusedKey(key: string): StoreError {
  return inputError(`idempotency key "${key}" was already used for a different request`, ['idempotencyKey']);
}

/** Input: a stream's name carries an id, and some commands take their id from the request. */
function invalidStream(stream: unknown): StoreError {
  return inputError(
    `stream must be 1–200 characters of letters, digits and _.:@- starting with a letter or digit, got ${JSON.stringify(stream)}`,
    ['stream'],
  );
}

// ---- the steps of an append (appendGroup), in the order it takes them ----

/** One append, validated, waiting for (or inside) a group. */
interface Member {
  writes: StreamWrite[];
  metadata: AppendMetadata;
  /** The idempotency key's scope and key, and the request's fingerprint; key '' when there is none. */
  scope: string;
  key: string;
  requestHash: string;
  eventCount: number;
}

/** What an idempotency key recorded: the request's fingerprint and its answer. */
interface Recorded {
  request_hash: string;
  result: AppendResult;
}

/** Checks an append on its own, before it joins a group: a malformed one is refused to its caller alone. */
function prepare(writes: StreamWrite[], metadata: AppendMetadata, options: AppendOptions): Member {
  validateWrites(writes);
  validateMetadata(metadata);
  const key = metadata.idempotencyKey ?? '';
  return {
    writes,
    metadata: compactMetadata(metadata),
    scope: options.idempotencyScope ?? '',
    key,
    requestHash: key ? (options.fingerprint ?? sha256Hex(canonicalJson(writes))) : '',
    eventCount: writes.reduce((n, w) => n + w.events.length, 0),
  };
}

/**
 * Appends a group of members in the caller's transaction, one head lock for all: each member is
 * decided in order against the versions the members before it left (a stale expectation or a reused
 * key is that member's outcome, and nothing of it is written), the accepted events are chained in
 * that order and written together, and the projectors see them all at once.
 */
async function appendGroup(
  trx: Transaction<StoreSchema>,
  members: readonly Member[],
  projectors: readonly InlineProjector[],
): Promise<Outcome<AppendResult>[]> {
  const head = await lockHead(trx);
  // Read under the head lock: an append that wrote these streams or keys has committed or not started.
  const { versions, recorded } = await groupState(trx, members);
  const tip = { position: head.position, hash: head.hash };
  const stored: StoredEvent[] = [];
  const results: (Recorded & { scope: string; key: string })[] = [];
  const outcomes = members.map((m): Outcome<AppendResult> => {
    try {
      const earlier = m.key ? recorded.get(keyId(m.scope, m.key)) : undefined;
      if (earlier) return { ok: true, value: replayOf(earlier, m.key, m.requestHash) };
      const own = chain(m.writes, versions, tip, head.now, m.metadata);
      stored.push(...own.stored);
      const result: AppendResult = {
        streams: own.streams,
        firstPosition: own.stored[0].position,
        lastPosition: own.stored[own.stored.length - 1].position,
        recordedAt: head.now.toISOString(),
        replayed: false,
      };
      if (m.key) {
        const entry = { request_hash: m.requestHash, result };
        recorded.set(keyId(m.scope, m.key), entry);
        results.push({ ...entry, scope: m.scope, key: m.key });
      }
      return { ok: true, value: result };
    } catch (error) {
      return { ok: false, error };
    }
  });
  if (stored.length === 0) return outcomes;
  await write(trx, stored, versions, results, head.now);
  for (const project of projectors) await project(trx, stored);
  return outcomes;
}

/**
 * Locks the single log_head row: appends are serialised here, so positions are gapless and each
 * event's hash chains to the one before. The recorded time never goes backwards, even if the clock does.
 */
async function lockHead(trx: Transaction<StoreSchema>): Promise<{ position: number; hash: string; now: Date }> {
  const head = await trx
    .selectFrom('log_head')
    .select([
      'position',
      'hash',
      sql<Date>`greatest(date_trunc('milliseconds', clock_timestamp()), coalesce(recorded_at, '-infinity'))`.as('now'),
    ])
    .forUpdate()
    .executeTakeFirstOrThrow();
  return { position: head.position, hash: head.hash, now: new Date(head.now) };
}

const keyId = (scope: string, key: string): string => JSON.stringify([scope, key]);

/**
 * The versions of every stream the group writes and what its idempotency keys recorded, in one
 * statement (a stream row has no scope; a key row has no version).
 */
async function groupState(
  trx: Transaction<StoreSchema>,
  members: readonly Member[],
): Promise<{ versions: Map<string, number>; recorded: Map<string, Recorded> }> {
  const streams = [...new Set(members.flatMap((m) => m.writes.map((w) => w.stream)))];
  const keyed = members.filter((m) => m.key);
  const keys = keyed.length
    ? sql`UNION ALL SELECT key, scope, NULL, request_hash, result FROM idempotency_keys
          WHERE (scope, key) IN (SELECT * FROM unnest(${keyed.map((m) => m.scope)}::text[], ${keyed.map((m) => m.key)}::text[]))`
    : sql``;
  const { rows } = await sql<{ name: string; scope: string | null; version: number | null; request_hash: string; result: AppendResult }>`
    SELECT stream AS name, NULL AS scope, version, NULL AS request_hash, NULL::jsonb AS result FROM streams
    WHERE stream = ANY(${streams}::text[]) ${keys}`.execute(trx);
  const versions = new Map<string, number>();
  const recorded = new Map<string, Recorded>();
  for (const r of rows) {
    if (r.scope === null) versions.set(r.name, r.version!);
    else recorded.set(keyId(r.scope, r.name), { request_hash: r.request_hash, result: r.result });
  }
  return { versions, recorded };
}

/** A committed group's outcomes, each append that wrote something with the head the group left (its last event). */
function withCommittedHead(outcomes: readonly Outcome<AppendResult>[]): Outcome<Committed>[] {
  const wrote = (o: Outcome<AppendResult>): o is { ok: true; value: AppendResult } => o.ok && !o.value.replayed;
  const last = outcomes.filter(wrote).at(-1);
  const head = last && { position: last.value.lastPosition, recordedAt: last.value.recordedAt };
  return outcomes.map((o) => (o.ok ? { ok: true, value: o.value.replayed ? { result: o.value } : { result: o.value, head } } : o));
}

/** A recorded answer given again; the same key for another request is refused. */
function replayOf(earlier: Recorded, key: string, requestHash: string): AppendResult {
  if (earlier.request_hash !== requestHash) throw reusedKey(key);
  return { ...earlier.result, replayed: true };
}

/**
 * Checks every stream's expectation and gives the events their positions, stream versions and
 * chained hashes (pure: nothing is written yet). Only if all expectations hold does it move `versions`
 * (to each stream's new version) and `tip` (to the last event), so a refused append leaves both as they were.
 */
function chain(
  writes: readonly StreamWrite[],
  versions: Map<string, number>,
  tip: { position: number; hash: string },
  now: Date,
  metadata: AppendMetadata,
): { stored: StoredEvent[]; streams: AppendResult['streams'] } {
  for (const write of writes) checkExpected(write.stream, write.expectedVersion, versions.get(write.stream) ?? 0);
  const stored: StoredEvent[] = [];
  const streams: AppendResult['streams'] = [];
  for (const write of writes) {
    let version = versions.get(write.stream) ?? 0;
    for (const e of write.events) {
      tip.position += 1;
      version += 1;
      const event: Omit<StoredEvent, 'hash'> = {
        position: tip.position,
        stream: write.stream,
        streamVersion: version,
        type: e.type,
        schemaVersion: e.schemaVersion ?? 1,
        data: e.data,
        metadata,
        recordedAt: now,
        prevHash: tip.hash,
      };
      tip.hash = eventHash(tip.hash, event);
      stored.push({ ...event, hash: tip.hash });
    }
    versions.set(write.stream, version);
    streams.push({ stream: write.stream, version });
  }
  if (stored.length === 0) throw callerError('an append needs at least one event', ['events']);
  return { stored, streams };
}

/**
 * Everything an append writes, in one statement: the events, each written stream's new version and
 * last position, the head, the idempotency keys' answers, and the notification (which PostgreSQL
 * delivers at commit, never for a rolled-back append).
 */
async function write(
  trx: Transaction<StoreSchema>,
  stored: readonly StoredEvent[],
  versions: ReadonlyMap<string, number>,
  results: readonly (Recorded & { scope: string; key: string })[],
  now: Date,
): Promise<void> {
  const last = stored[stored.length - 1];
  const lastByStream = new Map<string, number>();
  for (const e of stored) lastByStream.set(e.stream, e.position);
  const writes = [
    trx.insertInto('events').values(
      stored.map((e) => ({
        position: e.position,
        stream: e.stream,
        stream_version: e.streamVersion,
        type: e.type,
        schema_version: e.schemaVersion,
        data: JSON.stringify(e.data),
        metadata: JSON.stringify(e.metadata),
        recorded_at: e.recordedAt.toISOString(),
        prev_hash: e.prevHash,
        hash: e.hash,
      })),
    ),
    trx
      .insertInto('streams')
      .values([...lastByStream].map(([stream, position]) => ({ stream, version: versions.get(stream)!, last_position: position })))
      .onConflict((oc) =>
        oc.column('stream').doUpdateSet((eb) => ({
          version: eb.ref('excluded.version'),
          last_position: eb.ref('excluded.last_position'),
        })),
      ),
    trx
      .updateTable('log_head')
      .set({ position: last.position, hash: last.hash, recorded_at: now.toISOString() })
      .where('singleton', '=', true),
    ...(results.length
      ? [
          trx.insertInto('idempotency_keys').values(
            results.map((r) => ({
              scope: r.scope,
              key: r.key,
              request_hash: r.request_hash,
              result: JSON.stringify(r.result),
              recorded_at: now.toISOString(),
            })),
          ),
        ]
      : []),
  ];
  const ctes = sql.join(
    writes.map((q, i) => sql`${sql.raw(`w${i}`)} AS (${q})`),
    sql`, `,
  );
  await sql`WITH ${ctes} SELECT pg_notify(${NOTIFY_CHANNEL}, ${String(last.position)})`.execute(trx);
}
