import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json';

export const GENESIS_HASH = '0'.repeat(64);

/** Everything about an event that the chain vouches for. */
export interface HashedContent {
  position: number;
  stream: string;
  streamVersion: number;
  type: string;
  schemaVersion: number;
  data: unknown;
  metadata: unknown;
  recordedAt: Date;
}

/**
 * Invariant 6: each event's hash covers its own content and its predecessor's hash, so editing,
 * deleting or reordering any event breaks every later link, and the verifier can name the first.
 */
export function eventHash(prevHash: string, e: HashedContent): string {
  const content = canonicalJson({
    position: e.position,
    stream: e.stream,
    streamVersion: e.streamVersion,
    type: e.type,
    schemaVersion: e.schemaVersion,
    data: e.data,
    metadata: e.metadata,
    recordedAt: e.recordedAt.toISOString(),
  });
  return createHash('sha256').update(prevHash).update('\n').update(content).digest('hex');
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
