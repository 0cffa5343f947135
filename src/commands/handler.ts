import { canonicalJson } from '../store/canonical-json';
import { sha256Hex } from '../store/event-hash';
import { DomainError } from '../domain/errors';
import { CURRENT_SCHEMA_VERSION, streamName, streamOf, upcast, type DomainEvent, type Kind } from '../domain/events';
import { evolveAny, type AnyState } from '../domain/evolve';
import type { EventStore, ExpectedVersion, StreamWrite } from '../store/event-store';
import type { FactlogDb } from '../projections/tables';
import type { Command, CommandOptions, CommandResult } from './commands';
import { planCommand } from './deciders';
import { databaseLookups } from './lookups';

/**
 * Runs commands: resolves the names in them (slugs, URLs, stable ids), loads the target stream's
 * state by folding its events, lets the pure domain decide, and appends the result with optimistic
 * concurrency and idempotency. GraphQL, the CLI and importers all write through here.
 */
export class CommandHandler {
  constructor(
    private readonly store: EventStore,
    private readonly db: FactlogDb,
  ) {}

  async execute(command: Command, options: CommandOptions = {}): Promise<CommandResult> {
    const fingerprint = sha256Hex(canonicalJson({ command, expectedVersion: options.expectedVersion ?? null }));
    const key = options.idempotencyKey;
    if (key) {
      const earlier = await this.replayOf(key, fingerprint, options.idempotencyScope);
      if (earlier) return earlier;
    }
    try {
      return await this.decideAndAppend(command, options, fingerprint);
    } catch (err) {
      // A retry racing the request it repeats can lose: the first one commits between this one's
      // idempotency check and its decision, so the domain sees the fact already asserted (or the
      // version moved on). If the key is now recorded, this is that retry: answer as a replay.
      if (key && err instanceof DomainError) {
        const earlier = await this.replayOf(key, fingerprint, options.idempotencyScope);
        if (earlier) return earlier;
      }
      throw err;
    }
  }

  private async replayOf(key: string, fingerprint: string, scope: string | undefined): Promise<CommandResult | null> {
    const earlier = await this.store.idempotentResult(key, fingerprint, scope);
    return earlier ? this.resultOf(earlier.streams[0].stream, earlier.streams[0].version, earlier.lastPosition, false, true) : null;
  }

  private async decideAndAppend(command: Command, options: CommandOptions, fingerprint: string): Promise<CommandResult> {
    const lookups = databaseLookups(this.db);
    const plan = await planCommand(command, lookups);
    const stream = streamName(plan.kind, plan.id);
    const { state, version, lastPosition } = plan.newStream ? NO_STREAM : await this.load(stream);
    // A stream that does not exist is better reported by the domain (NOT_FOUND) than as a conflict;
    // the append's compare-and-set still guards a creation racing with this command.
    if (options.expectedVersion !== undefined && options.expectedVersion !== version && version > 0) {
      throw new DomainError(
        'CONFLICT',
        `${stream} is at version ${version}, not at the expected ${options.expectedVersion}`,
        ['expectedVersion'],
        { stream, expectedVersion: options.expectedVersion, actualVersion: version },
      );
    }
    const decided = await plan.decide(state, lookups);
    if (!decided.ok) throw decided.error;
    if (decided.value.length === 0) return this.resultOf(stream, version, lastPosition, false, false);

    const writes = groupByStream(decided.value, stream, options.expectedVersion ?? version);
    const { expectedVersion: _seen, idempotencyScope, ...metadata } = options;
    const { result: appended, head } = await this.store.appendCommitted(writes, metadata, { fingerprint, idempotencyScope });
    const own = appended.streams.find((s) => s.stream === stream) ?? appended.streams[0];
    return { ...this.resultOf(own.stream, own.version, appended.lastPosition, true, appended.replayed), ...(head ? { head } : {}) };
  }

  private resultOf(stream: string, version: number, position: number, changed: boolean, replayed: boolean): CommandResult {
    const dash = stream.indexOf('-');
    return { kind: stream.slice(0, dash) as Kind, id: stream.slice(dash + 1), stream, version, position, changed, replayed };
  }

  /** A stream's current state by folding its events through the domain's evolve. */
  private async load(stream: string): Promise<{ state: AnyState; version: number; lastPosition: number }> {
    const version = await this.store.streamVersion(stream);
    if (version === 0) return NO_STREAM;
    const events = await this.store.readStream(stream);
    const state = events.reduce<AnyState>((s, e) => evolveAny(s, upcast(e.type, e.schemaVersion, e.data)), null);
    return { state, version, lastPosition: events[events.length - 1].position };
  }
}

const NO_STREAM = { state: null, version: 0, lastPosition: 0 } as const;

/** Events go to the stream they name; the command's own stream is expected at the loaded version. */
function groupByStream(events: DomainEvent[], ownStream: string, ownVersion: number): StreamWrite[] {
  const writes = new Map<string, StreamWrite>();
  for (const event of events) {
    const stream = streamOf(event);
    const expectedVersion: ExpectedVersion = stream === ownStream ? (ownVersion === 0 ? 'no_stream' : ownVersion) : 'exists';
    const write = writes.get(stream) ?? { stream, expectedVersion, events: [] };
    write.events.push({ type: event.type, schemaVersion: CURRENT_SCHEMA_VERSION[event.type], data: event.data as Record<string, unknown> });
    writes.set(stream, write);
  }
  return [...writes.values()];
}
