import { sql } from 'kysely';
import { evolveFact, type FactEvent, type FactState, type Rank } from '../domain/fact';
import { parsePartialDate, periodStart } from '../domain/partial-date';
import type { StoredEvent } from '../store/event-store';
import { chunks, insertRows, unnestColumns, type Row } from './bulk';
import type { SourceMerges } from './current';
import type { FactlogTrx } from './tables';

/** The instant a partial date's period starts: where a fact's valid range begins or ends. */
export function validInstant(date: string | undefined): string | null {
  if (!date) return null;
  const parsed = parsePartialDate(date, 'date');
  if (!parsed.ok) throw new Error(`stored date "${date}" is not a partial date`);
  return periodStart(parsed.value).toISOString();
}

/** The columns a fact version stores its state in, with the JSON ones parsed. */
interface FactColumns {
  entity_id: string;
  property_id: string;
  value: unknown;
  as_of: string | null;
  valid_end: string | null;
  citations: unknown;
  notes: string | null;
  rank: string;
  retracted: boolean;
}

/**
 * A fact's state as its next event sees it: read back from the columns of its believed version, not
 * kept from the evolve before. The difference matters: the stored citations already point at the
 * sources they were merged into, and the next event (a citation removed, say) applies to those.
 */
export function factStateOf(id: string, c: FactColumns): FactState {
  return {
    id,
    retracted: c.retracted,
    fields: {
      entityId: c.entity_id,
      propertyId: c.property_id,
      value: c.value as FactState['fields']['value'],
      ...(c.as_of ? { asOf: c.as_of } : {}),
      ...(c.valid_end ? { validEnd: c.valid_end } : {}),
      citations: c.citations as FactState['fields']['citations'],
      ...(c.notes ? { notes: c.notes } : {}),
      rank: c.rank as Rank,
    },
  };
}

/**
 * Ends the believed version of every fact the batch touches (its transaction range ends at the
 * fact's first event in the batch) and reads those versions back, in one statement per chunk.
 * The `= ANY` repeats the join condition on purpose: without it the planner, expecting few open
 * versions, hash-joins against all of them, so every batch costs in proportion to the facts in the
 * store (replay slowed from 3,600 to 2,000 ev/s between 100k and 300k events); with it, the partial
 * index is probed for the batch's facts only.
 */
export async function closeFactVersions(trx: FactlogTrx, firsts: ReadonlyMap<string, StoredEvent>): Promise<Map<string, FactState>> {
  const out = new Map<string, FactState>();
  const closing = [...firsts].map(([factId, e]) => ({ fact_id: factId, tx_to: e.position, recorded_to: e.recordedAt.toISOString() }));
  for (const chunk of chunks(closing)) {
    const { rows } = await sql<FactColumns & { fact_id: string }>`
      UPDATE ${sql.table('fact_versions')} v SET tx_to = x.tx_to, recorded_to = x.recorded_to
      FROM ${unnestColumns([['fact_id', 'text'], ['tx_to', 'bigint'], ['recorded_to', 'timestamptz']], chunk)} AS x(fact_id, tx_to, recorded_to)
      WHERE v.fact_id = x.fact_id AND v.fact_id = ANY(${sql.val(chunk.map((c) => c.fact_id))}::text[]) AND v.tx_to IS NULL
      RETURNING v.fact_id, v.entity_id, v.property_id, v.value, v.as_of, v.valid_end, v.citations, v.notes, v.rank, v.retracted`.execute(trx);
    for (const r of rows) out.set(r.fact_id, factStateOf(r.fact_id, r));
  }
  return out;
}

/** The fact-version rows, current fact rows and citations one run of fact events produces. */
export class FactWrites {
  private versions: Row<'fact_versions'>[] = [];
  private facts = new Map<string, Row<'facts'>>();
  /** Each touched fact's cited sources after its last event (none once retracted). */
  private citations = new Map<string, string[]>();

  /**
   * One fact event on top of `previous`. Its version's transaction range ends where the fact's next
   * event in the batch (`following`) begins, so versions within a batch are as the one-by-one
   * projection closed them. Returns the state the fact's next event applies to.
   */
  apply(previous: FactState | null, event: FactEvent, stored: StoredEvent, following: StoredEvent | undefined, merges: SourceMerges): FactState {
    const id = event.data.id;
    const next = evolveFact(previous, event);
    if (!next) throw new Error(`event ${stored.position} (${stored.type}) has no fact to apply to`);
    const f = next.fields;
    const recordedAt = stored.recordedAt.toISOString();
    const citations = (f.citations ?? []).map((c) => ({ ...c, sourceId: merges.canonical(c.sourceId) }));
    const value = JSON.stringify(f.value);
    const citationsJson = JSON.stringify(citations);
    const common = {
      entity_id: f.entityId,
      property_id: f.propertyId,
      value,
      as_of: f.asOf ?? null,
      valid_end: f.validEnd ?? null,
      citations: citationsJson,
      notes: f.notes ?? null,
      rank: f.rank ?? 'normal',
      retracted: next.retracted,
    };
    this.versions.push({
      fact_id: id,
      version: stored.streamVersion,
      ...common,
      valid_from: validInstant(f.asOf),
      valid_to: validInstant(f.validEnd),
      tx_from: stored.position,
      tx_to: following?.position ?? null,
      recorded_from: recordedAt,
      recorded_to: following?.recordedAt.toISOString() ?? null,
    });
    this.facts.set(id, { id, ...common, version: stored.streamVersion, position: stored.position, recorded_at: recordedAt });
    this.citations.set(id, next.retracted ? [] : [...new Set(citations.map((c) => c.sourceId))]);
    return factStateOf(id, { ...common, value: JSON.parse(value), citations: JSON.parse(citationsJson) });
  }

  async flush(trx: FactlogTrx): Promise<void> {
    await insertRows(trx, 'fact_versions', this.versions);
    await insertRows(trx, 'facts', [...this.facts.values()], { key: ['id'], action: 'update' });
    if (this.citations.size > 0) {
      for (const ids of chunks([...this.citations.keys()])) {
        await sql`DELETE FROM ${sql.table('fact_citations')} WHERE fact_id = ANY(${sql.val(ids)}::text[])`.execute(trx);
      }
      await insertRows(trx, 'fact_citations', [...this.citations].flatMap(([factId, sources]) => sources.map((s) => ({ fact_id: factId, source_id: s }))));
    }
    this.versions = [];
    this.facts.clear();
    this.citations.clear();
  }
}
