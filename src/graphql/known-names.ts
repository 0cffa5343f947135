import { didYouMean } from '../domain/closest';
import { describeReceived, DomainError } from '../domain/errors';
import { resolveEntityId, resolveSourceId } from '../projections/lookup';
import { listThingsAt } from '../projections/queries/things';
import type { GraphQLContext } from './context';
import type { Pins } from './pins';

/**
 * A read that filters by a name the store does not know answers NOT_FOUND, as a write with that name
 * does: an empty list or a null would look like "no value" when the question itself was misspelt.
 */

export async function requireProperty(ctx: GraphQLContext, id: string, pins: Pins): Promise<void> {
  const position = pins.basis.position;
  if (await ctx.loaders.thing('property', position).load(id)) return;
  const known = (await listThingsAt(ctx.db, 'property', position, { first: 10_000 })).items.map((p) => p.id);
  throw new DomainError('NOT_FOUND', `property ${quoted(id)} does not exist at log position ${position}${didYouMean(id, known)}`, [
    'property',
  ]);
}

export async function requireEntityId(ctx: GraphQLContext, key: string): Promise<string> {
  const id = await resolveEntityId(ctx.db, key);
  if (!id)
    throw new DomainError('NOT_FOUND', `entity ${quoted(key)} does not exist (give a stable id, slug, alias or numeric id)`, ['entity']);
  return id;
}

export async function requireSourceId(ctx: GraphQLContext, key: string): Promise<string> {
  const id = await resolveSourceId(ctx.db, key);
  if (!id) throw new DomainError('NOT_FOUND', `source ${quoted(key)} does not exist (give a hex id, stable id or URL)`, ['source']);
  return id;
}

/** The name as sent, in quotes, cut when long: the message is echoed back to the client. */
const quoted = (name: string): string => describeReceived(name).replace(/^string /, '');
