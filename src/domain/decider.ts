import type { Result } from './errors';

/**
 * A kind as a whole: where its streams start, how it decides and how its events change it. The
 * command handler, the importers and the read models all use these same functions, so they cannot
 * disagree about a kind (docs/architecture.md, invariant 7). `Context` is what the kind needs from
 * other streams, looked up by the caller.
 */
export interface Decider<Command, State, Event, Context = void> {
  initialState: State;
  decide(command: Command, state: State, context: Context): Result<Event[]>;
  evolve(state: State, event: Event): State;
}
