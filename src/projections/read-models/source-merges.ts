import { sql } from 'kysely';
import type { SourceEvent, SourceState } from '../../domain/source';
import { chunks } from '../bulk';
import { unhandledEvent, type ReadModel } from '../read-model';
import type { FactlogTrx } from '../tables';

/**
 * Which source each source id stands for now: a merged-away source's citations count for the one it
 * was merged into (following chains of merges, up to 16 hops). Loaded once per batch for every source
 * id the batch's models `want`, then kept up to date in memory as the batch's own merges are folded, so
 * the answer at each event is what the `sources` table would have said at that point of the log.
 */
export class SourceMerges {
  private readonly wanted = new Set<string>();
  private readonly known = new Set<string>();
  private readonly mergedInto = new Map<string, string>();

  /** Asks for these ids to be loaded by `load`; models call it when they open. */
  want(ids: Iterable<string>): void {
    for (const id of ids) this.wanted.add(id);
  }

  /** Loads the merges of the wanted ids and of every source they were merged into, one statement per hop. */
  async load(trx: FactlogTrx): Promise<void> {
    let pending = [...this.wanted];
    this.wanted.clear();
    for (let hops = 0; hops <= 16 && pending.length > 0; hops++) {
      for (const id of pending) this.known.add(id);
      const next: string[] = [];
      for (const chunk of chunks(pending)) {
        const { rows } = await sql<{ id: string; merged_into: string }>`
          SELECT id, merged_into FROM ${sql.table('sources')} WHERE id = ANY(${sql.val(chunk)}::text[]) AND merged_into IS NOT NULL`.execute(
          trx,
        );
        for (const r of rows) {
          this.mergedInto.set(r.id, r.merged_into);
          if (!this.known.has(r.merged_into)) next.push(r.merged_into);
        }
      }
      pending = [...new Set(next)];
    }
  }

  /** Mirrors a source's `merged_into` column after one of its events. */
  record(s: SourceState): void {
    this.known.add(s.id);
    if (s.mergedInto) {
      this.mergedInto.set(s.id, s.mergedInto);
    } else {
      this.mergedInto.delete(s.id);
    }
  }

  canonical(id: string): string {
    // An id missing here was never loaded: answering "not merged" could be wrong, so fail loudly.
    if (!this.known.has(id)) throw new Error(`projection bug: source ${id} was not loaded before its citation was projected`);
    let out = id;
    for (let hops = 0; hops < 16; hops++) {
      const next = this.mergedInto.get(out);
      if (next === undefined) break;
      out = next;
    }
    return out;
  }
}

/** Both sides of a merge: the only source ids a source event names. */
function sourcesNamed(event: SourceEvent): string[] {
  switch (event.type) {
    case 'SourceMergedInto':
      return [event.data.id, event.data.into];
    case 'SourceRegistered':
    case 'SourceUpdated':
    case 'SourceContentCaptured':
    case 'SourceMergedFrom':
      return [];
    default:
      return unhandledEvent(event);
  }
}

/**
 * After a merge, citations of the merged-away source count for the one it was merged into. These
 * statements touch rows of pages and facts the batch may never mention, so they run against the
 * tables (after everything before the merge was written), as rare as merges are.
 */
export async function moveCitations(trx: FactlogTrx, from: string, into: string): Promise<void> {
  await trx
    .insertInto('page_citations')
    .columns(['page_slug', 'source_id', 'position'])
    .expression((eb) =>
      eb
        .selectFrom('page_citations')
        .select(['page_slug', eb.val(into).as('source_id'), 'position'])
        .where('source_id', '=', from),
    )
    .onConflict((oc) => oc.doNothing())
    .execute();
  await trx.deleteFrom('page_citations').where('source_id', '=', from).execute();
  await trx
    .insertInto('fact_citations')
    .columns(['fact_id', 'source_id'])
    .expression((eb) =>
      eb
        .selectFrom('fact_citations')
        .select(['fact_id', eb.val(into).as('source_id')])
        .where('source_id', '=', from),
    )
    .onConflict((oc) => oc.doNothing())
    .execute();
  await trx.deleteFrom('fact_citations').where('source_id', '=', from).execute();
}

/**
 * Source merges own no table: they keep the batch's `merges` current as source events are folded,
 * and on a merge move the citations in the pages' and facts' tables. Last in the registry, so a merge
 * is applied by every other model before the batch is flushed for the move.
 */
export const sourceMerges: ReadModel<'source'> = {
  name: 'source-merges',
  tables: [],
  kinds: ['source'],
  async open(trx, events, batch) {
    for (const e of events) batch.merges.want(sourcesNamed(e.event));
    return {
      async apply(e) {
        batch.merges.record(batch.states.after(e));
        if (e.event.type === 'SourceMergedInto') {
          await batch.flush();
          await moveCitations(trx, e.event.data.id, e.event.data.into);
        }
      },
      async flush() {},
    };
  },
};
