import { sql } from 'kysely';
import { evolveFact, type FactEvent, type FactState, type Rank } from '../../domain/fact';
import { parsePartialDate, periodStart } from '../../domain/partial-date';
import { chunks, insertRows, insertTogether, LastRows, OwnedRows, tableSpec, unnestColumns, type Row } from '../bulk';
import { firstEvents, startsStream, unhandledEvent, type ProjectableEvent, type ReadModel, type Replay } from '../read-model';
import type { FactlogTrx, Json, NullableTimestamp, Timestamp } from '../tables';

export interface FactsTable {
  id: string;
  entity_id: string;
  property_id: string;
  value: Json;
  as_of: string | null;
  valid_end: string | null;
  citations: Json;
  notes: string | null;
  rank: string;
  retracted: boolean;
  version: number;
  position: number;
  recorded_at: Timestamp;
}

/** The `facts` table's columns with their SQL types. */
export const FACTS = tableSpec('facts', {
  id: 'text',
  entity_id: 'text',
  property_id: 'text',
  value: 'jsonb',
  as_of: 'text',
  valid_end: 'text',
  citations: 'jsonb',
  notes: 'text',
  rank: 'text',
  retracted: 'boolean',
  version: 'integer',
  position: 'bigint',
  recorded_at: 'timestamptz',
});

export interface FactCitationsTable {
  fact_id: string;
  source_id: string;
}

/** The `fact_citations` table's columns with their SQL types. */
export const FACT_CITATIONS = tableSpec('fact_citations', { fact_id: 'text', source_id: 'text' });

export interface FactVersionsTable {
  fact_id: string;
  version: number;
  entity_id: string;
  property_id: string;
  value: Json;
  as_of: string | null;
  valid_end: string | null;
  valid_from: NullableTimestamp;
  valid_to: NullableTimestamp;
  rank: string;
  citations: Json;
  notes: string | null;
  retracted: boolean;
  tx_from: number;
  tx_to: number | null;
  recorded_from: Timestamp;
  recorded_to: NullableTimestamp;
}

/** The `fact_versions` table's columns with their SQL types. */
export const FACT_VERSIONS = tableSpec('fact_versions', {
  fact_id: 'text',
  version: 'integer',
  entity_id: 'text',
  property_id: 'text',
  value: 'jsonb',
  as_of: 'text',
  valid_end: 'text',
  valid_from: 'timestamptz',
  valid_to: 'timestamptz',
  rank: 'text',
  citations: 'jsonb',
  notes: 'text',
  retracted: 'boolean',
  tx_from: 'bigint',
  tx_to: 'bigint',
  recorded_from: 'timestamptz',
  recorded_to: 'timestamptz',
});

/** Each column of a fact's current row (`facts`) and the column of its believed version it equals. */
const CURRENT_FROM_VERSION: Record<keyof FactsTable, keyof FactVersionsTable> = {
  id: 'fact_id',
  entity_id: 'entity_id',
  property_id: 'property_id',
  value: 'value',
  as_of: 'as_of',
  valid_end: 'valid_end',
  citations: 'citations',
  notes: 'notes',
  rank: 'rank',
  retracted: 'retracted',
  version: 'version',
  position: 'tx_from',
  recorded_at: 'recorded_from',
};

/** The instant a partial date's period starts: where a fact's valid range begins or ends. */
export function validInstant(date: string | undefined): string | null {
  if (!date) return null;
  const parsed = parsePartialDate(date, 'date');
  if (!parsed.ok) throw new Error(`stored date "${date}" is not a partial date`);
  return periodStart(parsed.value).toISOString();
}

/** The columns a fact version stores its state in, with the JSON ones parsed. */
export interface FactColumns {
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
 * fact's first event in the batch) and reads those versions back into `states`, in one statement per chunk.
 * The `= ANY` repeats the join condition on purpose: without it the planner, expecting few open
 * versions, hash-joins against all of them, so every batch costs in proportion to the facts in the
 * store (replay slowed from 3,600 to 2,000 ev/s between 100k and 300k events); with it, the partial
 * index is probed for the batch's facts only.
 */
async function closeFactVersions(
  trx: FactlogTrx,
  firsts: ReadonlyMap<string, ProjectableEvent>,
  states: Map<string, FactState>,
): Promise<void> {
  const closing = [...firsts].map(([factId, e]) => ({ fact_id: factId, tx_to: e.position, recorded_to: e.recordedAt.toISOString() }));
  for (const chunk of chunks(closing)) {
    const { rows } = await sql<FactColumns & { fact_id: string }>`
      UPDATE ${sql.table('fact_versions')} v SET tx_to = x.tx_to, recorded_to = x.recorded_to
      FROM ${unnestColumns(
        [
          ['fact_id', 'text'],
          ['tx_to', 'bigint'],
          ['recorded_to', 'timestamptz'],
        ],
        chunk,
      )} AS x(fact_id, tx_to, recorded_to)
      WHERE v.fact_id = x.fact_id AND v.fact_id = ANY(${sql.val(chunk.map((c) => c.fact_id))}::text[]) AND v.tx_to IS NULL
      RETURNING v.fact_id, v.entity_id, v.property_id, v.value, v.as_of, v.valid_end, v.citations, v.notes, v.rank, v.retracted`.execute(
      trx,
    );
    for (const r of rows) states.set(r.fact_id, factStateOf(r.fact_id, r));
  }
}

/** The sources a fact event cites, whose merges its stored citations depend on. */
function sourcesNamed(event: FactEvent): string[] {
  switch (event.type) {
    case 'FactAsserted':
      return (event.data.citations ?? []).map((c) => c.sourceId);
    case 'FactCorrected':
      return (event.data.set.citations ?? []).map((c) => c.sourceId);
    case 'FactCitationAdded':
      return [event.data.citation.sourceId];
    case 'FactCitationRemoved':
    case 'FactRetracted':
    case 'FactDeprecated':
      return [];
    default:
      return unhandledEvent(event);
  }
}

/** A fact's believed version that a replay holds back until the fact's next event closes it, with the fact's state. */
interface HeldVersion {
  row: Row<'fact_versions'>;
  state: FactState;
}

/**
 * In a replay, a fact's believed version after a batch is held in memory (most facts have a later
 * event in a later batch): the batch that closes it inserts it closed, instead of inserting it open
 * and then updating it (a second heap tuple and index entry) and reading the state back.
 */
const heldVersions = (replay: Replay): Map<string, HeldVersion> => replay.carry('facts', () => new Map<string, HeldVersion>());

/** Removes and returns the `n` versions held longest (a Map iterates in insertion order). */
function oldestHeld(held: Map<string, HeldVersion>, n: number): Row<'fact_versions'>[] {
  const out: Row<'fact_versions'>[] = [];
  for (const [id, h] of held) {
    if (out.length >= n) break;
    out.push(h.row);
    held.delete(id);
  }
  return out;
}

/**
 * Every version of every fact with its valid range as columns and its transaction range (`fact_versions`),
 * the current row of each (`facts`) and the sources it cites (`fact_citations`). Facts are keyed by
 * their id and fold their own state, read back from the version columns (see factStateOf), in
 * `batch.facts` where later models (search documents) read it.
 */
export const facts: ReadModel<'fact'> = {
  name: 'facts',
  tables: [FACTS, FACT_CITATIONS, FACT_VERSIONS],
  kinds: ['fact'],
  async open(trx, events, batch) {
    const states = batch.facts;
    const held = batch.replay && heldVersions(batch.replay);
    let versions: Row<'fact_versions'>[] = [];
    const firsts = firstEvents(events, (e) => e.event.data.id);
    for (const [id, first] of firsts) {
      const h = held?.get(id);
      if (!h) continue;
      held!.delete(id);
      firsts.delete(id);
      versions.push({ ...h.row, tx_to: first.position, recorded_to: first.recordedAt.toISOString() });
      states.set(id, h.state);
    }
    await closeFactVersions(trx, firsts, states);
    for (const e of events) batch.merges.want(sourcesNamed(e.event));
    for (const f of states.values()) batch.merges.want((f.fields.citations ?? []).map((c) => c.sourceId));
    const current = new LastRows(trx, FACTS, { key: ['id'], action: 'update' });
    /** Each touched fact's cited sources after its last event (none once retracted). */
    const citations = new OwnedRows(trx, FACT_CITATIONS, 'fact_id');
    return {
      // The version's transaction range ends where the fact's next event in the batch (`following`)
      // begins, so versions within a batch are as the one-by-one projection closed them.
      apply({ stored, event, following }) {
        const id = event.data.id;
        const next = evolveFact(states.get(id) ?? null, event);
        if (!next) throw new Error(`event ${stored.position} (${stored.type}) has no fact to apply to`);
        const f = next.fields;
        const recordedAt = stored.recordedAt.toISOString();
        const cited = (f.citations ?? []).map((c) => ({ ...c, sourceId: batch.merges.canonical(c.sourceId) }));
        const value = JSON.stringify(f.value);
        const citationsJson = JSON.stringify(cited);
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
        const version: Row<'fact_versions'> = {
          fact_id: id,
          version: stored.streamVersion,
          ...common,
          valid_from: validInstant(f.asOf),
          valid_to: validInstant(f.validEnd),
          tx_from: stored.position,
          tx_to: following?.position ?? null,
          recorded_from: recordedAt,
          recorded_to: following?.recordedAt.toISOString() ?? null,
        };
        const state = factStateOf(id, { ...common, value: JSON.parse(value), citations: JSON.parse(citationsJson) });
        if (held && !following) held.set(id, { row: version, state });
        else versions.push(version);
        if (!held) current.set(id, { id, ...common, version: stored.streamVersion, position: stored.position, recorded_at: recordedAt });
        const sources = next.retracted ? [] : [...new Set(cited.map((c) => c.sourceId))];
        citations.set(
          id,
          sources.map((s) => ({ fact_id: id, source_id: s })),
          startsStream(stored),
        );
        states.set(id, state);
      },
      async flush() {
        // Both tables are this model's alone: the versions and the current rows go as one statement.
        await insertTogether(trx, [{ table: FACT_VERSIONS, rows: versions }, current.take()]);
        versions = [];
        // Past the replay's bound, the oldest are written open (and closed by an UPDATE, as in a live batch).
        if (held && held.size > batch.replay!.maxHeld)
          await insertRows(trx, FACT_VERSIONS, oldestHeld(held, held.size - batch.replay!.maxHeld));
        await citations.flush();
      },
    };
  },
  // The versions still held are the believed ones, written open. A fact's current row is its believed
  // version: a replay writes them all at its end, a row per fact, instead of upserting each batch's
  // last rows (the same fact again in most batches).
  async finishReplay(trx, replay) {
    const held = heldVersions(replay);
    await insertRows(trx, FACT_VERSIONS, oldestHeld(held, held.size));
    const columns = Object.entries(CURRENT_FROM_VERSION);
    await sql`
      INSERT INTO ${sql.table(FACTS.name)} (${sql.join(columns.map(([current]) => sql.ref(current)))})
      SELECT ${sql.join(columns.map(([, version]) => sql.ref(version)))} FROM ${sql.table(FACT_VERSIONS.name)} WHERE tx_to IS NULL`.execute(
      trx,
    );
  },
};
