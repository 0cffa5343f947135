import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHash } from 'node:crypto';
import { ipKeyGenerator } from 'express-rate-limit';
import { sendError } from './errors';

const WINDOW_MS = 60_000;
/** Keys that authenticated lately; bounded so that the set itself cannot be grown without end. */
const KNOWN_KEYS_MAX = 10_000;

/**
 * The key an `Authorization` value carries, parsed exactly as authentication parses it: the scheme
 * in any case, any run of whitespace before the key. Null when the value is not a bearer key.
 */
export function bearerKey(authorization: string | undefined): string | null {
  if (!authorization) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(authorization);
  return match ? match[1] : null;
}

export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the window resets. */
  resetSeconds: number;
}

interface Window {
  startedAt: number;
  hits: number;
}

/**
 * One request budget per minute per identity, shared by every route and by WebSocket operations, so
 * that no door (another spelling of "Bearer", /metrics, a socket's subscribe messages) has a budget
 * of its own. An identity is a key (its hash, the key itself never kept), or the client address for
 * requests without one. A key that is not known to be good (it has not authenticated in this process
 * yet) is only let through while its address still has budget, and a failed authentication spends
 * that address's budget: a flood of bogus keys is refused here, before each costs a database lookup.
 */
export class RateLimiter {
  private readonly windows = new Map<string, Window>();
  private readonly knownKeys = new Map<string, true>();
  private sweptAt: number;

  constructor(
    readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {
    this.sweptAt = now();
  }

  /** The identity a request is counted under. */
  identityOf(authorization: string | undefined, address: string | undefined): string {
    const key = bearerKey(authorization);
    return key === null ? addressIdentity(address) : `key:${hashKey(key)}`;
  }

  /**
   * Counts one request or operation and says whether it may go ahead. A key not yet proven good is
   * paid for by its address as well, up front: authentications in flight at once cannot all slip
   * in before the first of them fails.
   */
  take(authorization: string | undefined, address: string | undefined): RateDecision {
    const identity = this.identityOf(authorization, address);
    if (identity.startsWith('key:') && !this.knownKeys.has(identity)) {
      const byAddress = this.hit(addressIdentity(address));
      if (!byAddress.allowed) return byAddress;
    }
    return this.hit(identity);
  }

  /** Counts one operation of an identity established earlier (a socket's subscribe message). */
  takeFor(identity: string): RateDecision {
    return this.hit(identity);
  }

  /** A key authenticated: from now on it is counted on its own budget alone. */
  authenticated(authorization: string | undefined): void {
    const key = bearerKey(authorization);
    if (key === null) return;
    if (this.knownKeys.size >= KNOWN_KEYS_MAX) this.knownKeys.delete(this.knownKeys.keys().next().value!);
    this.knownKeys.set(`key:${hashKey(key)}`, true);
  }

  /**
   * An authentication failed. An unproven key's address has paid already; a key that was good (now
   * revoked) leaves the known ones, and its address pays for this attempt.
   */
  refused(authorization: string | undefined, address: string | undefined): void {
    const key = bearerKey(authorization);
    if (key !== null && this.knownKeys.delete(`key:${hashKey(key)}`)) this.hit(addressIdentity(address));
  }

  private hit(identity: string): RateDecision {
    const window = this.current(identity);
    const allowed = window.hits < this.perMinute;
    if (allowed) window.hits += 1;
    return {
      allowed,
      limit: this.perMinute,
      remaining: Math.max(0, this.perMinute - window.hits),
      resetSeconds: Math.max(1, Math.ceil((window.startedAt + WINDOW_MS - this.now()) / 1000)),
    };
  }

  private current(identity: string): Window {
    const now = this.now();
    // Expired windows are dropped once a window, so idle identities do not pile up.
    if (now - this.sweptAt >= WINDOW_MS) {
      for (const [id, w] of this.windows) if (now - w.startedAt >= WINDOW_MS) this.windows.delete(id);
      this.sweptAt = now;
    }
    let window = this.windows.get(identity);
    if (!window || now - window.startedAt >= WINDOW_MS) {
      window = { startedAt: now, hits: 0 };
      this.windows.set(identity, window);
    }
    return window;
  }
}

const hashKey = (key: string): string => createHash('sha256').update(key).digest('hex');

/** IPv6 clients own whole subnets, so an address counts by its /56 (express-rate-limit's rule). */
function addressIdentity(address: string | undefined): string {
  return `ip:${ipKeyGenerator(address ?? '')}`;
}

/**
 * The limiter in front of an HTTP route: the IETF draft-7 RateLimit headers on every answer, and
 * RATE_LIMITED (429, Retry-After) once the budget is spent. True when the request may go ahead.
 */
export function admitRequest(limiter: RateLimiter | null, req: IncomingMessage, res: ServerResponse): boolean {
  if (!limiter) return true;
  const decision = limiter.take(req.headers.authorization, req.socket.remoteAddress);
  res.setHeader('RateLimit-Policy', `${decision.limit};w=${WINDOW_MS / 1000}`);
  res.setHeader('RateLimit', `limit=${decision.limit}, remaining=${decision.remaining}, reset=${decision.resetSeconds}`);
  if (decision.allowed) return true;
  res.setHeader('Retry-After', String(decision.resetSeconds));
  sendError(res, 'RATE_LIMITED', `more than ${decision.limit} requests in a minute; wait and retry`);
  return false;
}
