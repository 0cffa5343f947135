import type { Kysely } from 'kysely';
import { GENESIS_HASH, eventHash } from './event-hash';
import { toStoredEvent, type StoredEvent } from './event-store';
import type { StoreSchema } from './schema';

export interface ChainProblem {
  position: number;
  problem: string;
}

export interface ChainReport {
  ok: boolean;
  checked: number;
  firstPosition: number | null;
  lastPosition: number | null;
  /** The first place the chain breaks; later events are not trusted once it does. */
  firstBad: ChainProblem | null;
}

export interface VerifyOptions {
  from?: number;
  to?: number;
  batchSize?: number;
  onProgress?: (checked: number, position: number) => void;
  /** A further check per event (e.g. that it parses); returns what is wrong, or null. */
  checkEvent?: (event: StoredEvent) => string | null;
}

/**
 * Walks the log in position order and checks, for every event: positions are contiguous (a deleted
 * event leaves a hole), `prev_hash` is the previous event's hash, the stored hash is the hash of the
 * content as it is now, and stream versions go up by one. Finally the head must point at the last event.
 */
export async function verifyChain(db: Kysely<StoreSchema>, options: VerifyOptions = {}): Promise<ChainReport> {
  const batchSize = options.batchSize ?? 2000;
  // Position 1 is the first event: a range from 0 is a range from the start, not a missing event 0.
  const from = Math.max(1, options.from ?? 1);
  const to = options.to ?? Number.MAX_SAFE_INTEGER;
  let expectedPrevHash = GENESIS_HASH;
  let expectedPosition = from;
  const streamVersions = new Map<string, number>();
  if (from > 1) {
    const prev = await db
      .selectFrom('events')
      .select('hash')
      .where('position', '=', from - 1)
      .executeTakeFirst();
    if (!prev) return bad(0, null, null, from - 1, `event ${from - 1} (the one before --from) is missing`);
    expectedPrevHash = prev.hash;
  }
  let checked = 0;
  let firstPosition: number | null = null;
  let lastPosition: number | null = null;
  let after = from - 1;
  for (;;) {
    const rows = await db
      .selectFrom('events')
      .selectAll()
      .where('position', '>', after)
      .where('position', '<=', to)
      .orderBy('position')
      .limit(batchSize)
      .execute();
    for (const row of rows) {
      const e = toStoredEvent(row);
      firstPosition ??= e.position;
      if (e.position !== expectedPosition) {
        return bad(checked, firstPosition, lastPosition, expectedPosition, `event ${expectedPosition} is missing (next is ${e.position})`);
      }
      if (e.prevHash !== expectedPrevHash) {
        return bad(checked, firstPosition, lastPosition, e.position, 'prev_hash does not match the previous event’s hash');
      }
      if (eventHash(e.prevHash, e) !== e.hash) {
        return bad(checked, firstPosition, lastPosition, e.position, 'content does not match its hash (the event was changed)');
      }
      const problem = options.checkEvent?.(e);
      if (problem) return bad(checked, firstPosition, lastPosition, e.position, problem);
      // Versions are only checkable from a stream's start, i.e. on a walk from position 1.
      const lastVersion = streamVersions.get(e.stream);
      if (from === 1 && e.streamVersion !== (lastVersion ?? 0) + 1) {
        return bad(
          checked,
          firstPosition,
          lastPosition,
          e.position,
          `stream "${e.stream}" jumps from version ${lastVersion ?? 0} to ${e.streamVersion}`,
        );
      }
      streamVersions.set(e.stream, e.streamVersion);
      expectedPrevHash = e.hash;
      expectedPosition = e.position + 1;
      lastPosition = e.position;
      checked += 1;
    }
    options.onProgress?.(checked, lastPosition ?? after);
    if (rows.length < batchSize) break;
    after = rows[rows.length - 1].position;
  }
  if (options.to === undefined) {
    const head = await db.selectFrom('log_head').select(['position', 'hash']).executeTakeFirstOrThrow();
    const lastHash = lastPosition === null && from === 1 ? GENESIS_HASH : expectedPrevHash;
    if (head.position !== (lastPosition ?? from - 1) || head.hash !== lastHash) {
      return bad(
        checked,
        firstPosition,
        lastPosition,
        head.position,
        `the log head (position ${head.position}) does not match the last event (${lastPosition ?? 'none'})`,
      );
    }
  }
  return { ok: true, checked, firstPosition, lastPosition, firstBad: null };
}

function bad(checked: number, firstPosition: number | null, lastPosition: number | null, position: number, problem: string): ChainReport {
  return { ok: false, checked, firstPosition, lastPosition, firstBad: { position, problem } };
}
