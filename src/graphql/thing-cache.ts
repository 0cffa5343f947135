import type { FactlogDb } from '../projections/tables';
import type { Versioned } from '../projections/queries/things';

/**
 * Things' states across requests. What the log says at a position never changes, so a state read at
 * position P is the answer at every position from the event that produced it (its `position`) up to
 * P; an absent thing at P was absent at every earlier position too. An entry is valid over that
 * known range and is widened when a later read finds the same version, so under read load (a head
 * that does not move) entities, properties, pages and publications cost no statement after the first
 * read, and a write costs one re-read per thing asked for. Bounded; the oldest entries go first.
 */
export class ThingCache {
  private readonly entries = new Map<string, { value: Versioned<unknown> | null; from: number; through: number; bytes: number }>();
  private bytes = 0;

  /**
   * Bounded by count and by approximate size: a source's state carries its cached text (up to 5 MB),
   * so a count alone could hold gigabytes. A state bigger than an eighth of the budget is not kept.
   */
  constructor(
    private readonly capacity = 20_000,
    private readonly maxBytes = 64 * 1024 * 1024,
  ) {}

  get size(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.bytes };
  }

  /** The cached state at P, null when known absent at P, undefined when unknown. */
  get(kind: string, id: string, position: number): Versioned<unknown> | null | undefined {
    const e = this.entries.get(`${kind}\u0000${id}`);
    if (!e || position < e.from || position > e.through) return undefined;
    return e.value;
  }

  set(kind: string, id: string, position: number, value: Versioned<unknown> | null): void {
    const key = `${kind}\u0000${id}`;
    const e = this.entries.get(key);
    if (e && e.value?.version === value?.version && e.value?.position === value?.position) {
      e.through = Math.max(e.through, position);
      return;
    }
    // A newer answer replaces an older range; an older one (a pinned read of the past) does not
    // evict the current state, which is what most requests want.
    if (e && e.through > position) return;
    this.remove(key);
    const bytes = approximateBytes(value?.state);
    if (bytes > this.maxBytes / 8) return;
    this.entries.set(key, { value, from: value ? value.position : 0, through: position, bytes });
    this.bytes += bytes;
    while (this.entries.size > this.capacity || this.bytes > this.maxBytes) this.remove(this.entries.keys().next().value as string);
  }

  private remove(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    this.bytes -= e.bytes;
    this.entries.delete(key);
  }
}

/** Roughly what a parsed state holds in memory: its strings (two bytes a character) plus a little per value. */
function approximateBytes(value: unknown): number {
  if (typeof value === 'string') return 16 + 2 * value.length;
  if (Array.isArray(value)) return value.reduce<number>((n, v) => n + approximateBytes(v), 16);
  if (value && typeof value === 'object')
    return Object.entries(value).reduce<number>((n, [k, v]) => n + 2 * k.length + approximateBytes(v), 32);
  return 16;
}

const thingCaches = new WeakMap<FactlogDb, ThingCache>();

/** Forgets the cached states of one database (tests that count statements start cold). */
export function clearThingCache(db: FactlogDb): void {
  thingCaches.delete(db);
}

export function thingCacheOf(db: FactlogDb): ThingCache {
  let cache = thingCaches.get(db);
  if (!cache) thingCaches.set(db, (cache = new ThingCache()));
  return cache;
}
