import { idempotencyScopeOf } from '../../auth/keys';
import type { Command } from '../../commands/commands';
import type { GraphQLContext } from '../context';
import type { StateOfKind } from '../../domain/evolve';
import type { ThingKind } from '../../domain/events';
import type { Versioned } from '../../projections/queries/things';
import type { Pins } from '../pins';
import type { RequestFields } from './request-fields';

/**
 * Runs one command for the caller and reads what it changed at the new head: every mutation's answer
 * is the changed thing (under its kind's key, through `read`) and `position`, the log position of its
 * last event.
 */
export async function mutate<P extends object>(
  ctx: GraphQLContext,
  command: Command,
  input: RequestFields,
  read: (id: string, pins: Pins) => Promise<P>,
): Promise<P & { position: string }> {
  ctx.authorize('write');
  const result = await ctx.commands.execute(command, {
    expectedVersion: input.expectedVersion ?? undefined,
    idempotencyKey: input.idempotencyKey ?? undefined,
    reason: input.reason ?? undefined,
    actor: ctx.principal.name,
    idempotencyScope: idempotencyScopeOf(ctx.principal),
  });
  ctx.invalidate(result.head);
  const pins = await ctx.pins({});
  return { ...(await read(result.id, pins)), position: String(result.position) };
}

/**
 * A kind's answer to its mutations: the changed thing under the kind's own name (`{ source, position }`),
 * read at the new head and mapped by the kind's object type.
 */
export function answerWith<K extends ThingKind, T>(kind: K, toObject: (v: Versioned<StateOfKind[K]>, pins: Pins) => T) {
  return (ctx: GraphQLContext, command: Command, input: RequestFields) =>
    mutate(ctx, command, input, async (id, pins) => {
      const v = await ctx.loaders.thing(kind, pins.basis.position).load(id);
      return { [kind]: v && toObject(v, pins) } as Record<K, T | null>;
    });
}
