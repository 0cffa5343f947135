import { evolveFact, type FactEvent, type FactState, type Rank } from '../domain/fact';
import { parsePartialDate, periodStart } from '../domain/partial-date';
import type { StoredEvent } from '../store/event-store';
import { canonicalSources } from './current';
import type { FactlogTrx } from './tables';

/** The instant a partial date's period starts: where a fact's valid range begins or ends. */
export function validInstant(date: string | undefined): string | null {
  if (!date) return null;
  const parsed = parsePartialDate(date, 'date');
  if (!parsed.ok) throw new Error(`stored date "${date}" is not a partial date`);
  return periodStart(parsed.value).toISOString();
}

/**
 * One fact event: close the version that was believed until now (its transaction range ends at this
 * position) and open the new one, then refresh the current view and its citations.
 */
export async function projectFact(trx: FactlogTrx, event: FactEvent, stored: StoredEvent): Promise<void> {
  const id = event.data.id;
  const recordedAt = stored.recordedAt.toISOString();
  // Closing the believed version and reading it back is one statement: this runs for every fact event.
  const previous = await trx.updateTable('fact_versions').set({ tx_to: stored.position, recorded_to: recordedAt })
    .where('fact_id', '=', id).where('tx_to', 'is', null).returningAll().executeTakeFirst();
  const prevState: FactState | null = previous ? {
    id,
    retracted: previous.retracted,
    fields: {
      entityId: previous.entity_id,
      propertyId: previous.property_id,
      value: previous.value as FactState['fields']['value'],
      ...(previous.as_of ? { asOf: previous.as_of } : {}),
      ...(previous.valid_end ? { validEnd: previous.valid_end } : {}),
      citations: previous.citations as FactState['fields']['citations'],
      ...(previous.notes ? { notes: previous.notes } : {}),
      rank: previous.rank as Rank,
    },
  } : null;
  const next = evolveFact(prevState, event);
  if (!next) throw new Error(`event ${stored.position} (${stored.type}) has no fact to apply to`);
  const f = next.fields;
  const canonical = await canonicalSources(trx, (f.citations ?? []).map((c) => c.sourceId));
  const citations = (f.citations ?? []).map((c) => ({ ...c, sourceId: canonical.get(c.sourceId) ?? c.sourceId }));
  const common = {
    entity_id: f.entityId,
    property_id: f.propertyId,
    value: JSON.stringify(f.value),
    as_of: f.asOf ?? null,
    valid_end: f.validEnd ?? null,
    citations: JSON.stringify(citations),
    notes: f.notes ?? null,
    rank: f.rank ?? 'normal',
    retracted: next.retracted,
  };
  await trx.insertInto('fact_versions').values({
    fact_id: id,
    version: stored.streamVersion,
    ...common,
    valid_from: validInstant(f.asOf),
    valid_to: validInstant(f.validEnd),
    tx_from: stored.position,
    recorded_from: recordedAt,
  }).execute();

  const current = { ...common, version: stored.streamVersion, position: stored.position, recorded_at: recordedAt };
  await trx.insertInto('facts').values({ id, ...current }).onConflict((oc) => oc.column('id').doUpdateSet(current)).execute();
  await trx.deleteFrom('fact_citations').where('fact_id', '=', id).execute();
  const sourceIds = [...new Set(citations.map((c) => c.sourceId))];
  if (!next.retracted && sourceIds.length > 0) {
    await trx.insertInto('fact_citations').values(sourceIds.map((sourceId) => ({ fact_id: id, source_id: sourceId }))).execute();
  }
}
