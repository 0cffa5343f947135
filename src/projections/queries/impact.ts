import { sql } from 'kysely';
import { effectiveCredibility } from '../../domain/credibility';
import { keepsSupport, restsOnlyOn, valueChange, type Hypothesis, type ValueChange } from '../../domain/impact';
import type { RecordState } from '../../domain/record';
import type { FactlogDb } from '../tables';
import { allFactsAt, candidatesAt, type FactCandidate, type FactVersion } from './facts';
import type { RecordVersion } from './records';
import { pagesCitingAt, pagesOfEntitiesAt, thingsAt } from './things';

/** A fact the source supports, whether it cites nothing else, and whether it keeps support under the hypothesis. */
export interface SupportedFact {
  fact: FactVersion;
  onlySupport: boolean;
  keepsSupport: boolean;
}

/** A record with the fields whose value is the source's URL. */
export interface SupportedRecord {
  record: RecordVersion;
  fields: string[];
}

/** A page that cites the source, or shows a fact or record it supports (the page about that entity). */
export interface AffectedPage {
  slug: string;
  citesSource: boolean;
  /** The entities whose supported facts or records the page shows. */
  shows: string[];
}

export interface SourceImpact {
  facts: SupportedFact[];
  records: SupportedRecord[];
  pages: AffectedPage[];
  /** The values of `value(…)` that would change under the hypothesis (none without one). */
  changes: (ValueChange<SupportedCandidateOf> & { entityId: string; propertyId: string })[];
}

type SupportedCandidateOf = FactCandidate & { sourceIds: string[] };

const withSources = (c: FactCandidate): SupportedCandidateOf => ({ ...c, sourceIds: c.citations.map((x) => x.sourceId) });

/** Each source's effective rating at P (its own, else its publication's): two statements for any number. */
async function ratingsAt(db: FactlogDb, sourceIds: readonly string[], position: number): Promise<Map<string, number | null>> {
  const sources = await thingsAt(db, 'source', sourceIds, position);
  const publicationIds = [...new Set([...sources.values()].map((v) => v.state?.fields.publicationId).filter((p): p is string => !!p))];
  const publications = await thingsAt(db, 'publication', publicationIds, position);
  const out = new Map<string, number | null>();
  for (const id of sourceIds) {
    const f = sources.get(id)?.state?.fields;
    const publication = f?.publicationId ? publications.get(f.publicationId)?.state?.fields.credibility : undefined;
    out.set(id, effectiveCredibility(f?.credibilityOverride, publication)?.rating ?? null);
  }
  return out;
}

/** Records alive at P with a field (checked or kept unchecked) whose value is exactly the URL. */
async function recordsCitingAt(db: FactlogDb, url: string, position: number): Promise<SupportedRecord[]> {
  const rows = await sql<{ state: unknown; version: number; tx_from: string | number }>`
    SELECT state, version, tx_from FROM record_versions
    WHERE tx_from <= ${position} AND (tx_to IS NULL OR tx_to > ${position}) AND NOT removed
      AND EXISTS (
        SELECT 1 FROM jsonb_each(coalesce(state->'fields', '{}'::jsonb) || coalesce(state->'unchecked', '{}'::jsonb)) f
        WHERE f.value = to_jsonb(${url}::text))
    ORDER BY entity_id, collection, record_key`.execute(db);
  return rows.rows.map((r) => {
    const state = (typeof r.state === 'string' ? JSON.parse(r.state) : r.state) as RecordState;
    const all = { ...state.fields, ...(state.unchecked ?? {}) } as Record<string, unknown>;
    return {
      record: { state, version: r.version, position: Number(r.tx_from) },
      fields: Object.keys(all).filter((k) => all[k] === url),
    };
  });
}

/**
 * What leans on a source at P (docs/domain.md, "What leans on a source"), and what the hypothesis
 * would change in the values as of `asOf`. Reads only: nothing is appended. A fixed number of
 * statements plus one per property among the supported facts.
 */
export async function sourceImpactAt(
  db: FactlogDb,
  source: { id: string; url: string },
  position: number,
  asOf: Date,
  hypothesis: Hypothesis,
): Promise<SourceImpact> {
  const facts = await allFactsAt(db, { sourceIds: [source.id] }, { position, includeDeprecated: true });
  const others = [...new Set(facts.flatMap((f) => f.citations.map((c) => c.sourceId)).filter((s) => s !== source.id))];
  const ratings = hypothesis.kind === 'credibilityBelow' ? await ratingsAt(db, others, position) : new Map<string, number | null>();
  const ratingOf = (id: string) => ratings.get(id) ?? null;
  const loses = (c: { sourceIds: readonly string[] }) => !keepsSupport(c, source.id, hypothesis, ratingOf);

  const supported = facts.map((fact) => {
    const sourceIds = fact.citations.map((c) => c.sourceId);
    return { fact, onlySupport: restsOnlyOn({ sourceIds }, source.id), keepsSupport: !loses({ sourceIds }) };
  });

  const changes: SourceImpact['changes'] = [];
  if (supported.some((s) => !s.keepsSupport)) {
    // Every fact of each (entity, property) a losing fact belongs to: the value is chosen among them all.
    const byProperty = new Map<string, Set<string>>();
    for (const s of supported) {
      if (s.keepsSupport) continue;
      const set = byProperty.get(s.fact.propertyId) ?? new Set<string>();
      set.add(s.fact.entityId);
      byProperty.set(s.fact.propertyId, set);
    }
    for (const [propertyId, entityIds] of byProperty) {
      const candidates = await candidatesAt(db, [...entityIds], propertyId, position);
      for (const entityId of entityIds) {
        const change = valueChange((candidates.get(entityId) ?? []).map(withSources), loses, asOf);
        if (change) changes.push({ entityId, propertyId, ...change });
      }
    }
  }

  const records = await recordsCitingAt(db, source.url, position);
  const citing = (await pagesCitingAt(db, [source.id], position)).get(source.id) ?? [];
  const entityIds = [...new Set([...facts.map((f) => f.entityId), ...records.map((r) => r.record.state.entityId)])];
  const pageOf = await pagesOfEntitiesAt(db, entityIds, position);
  const pages = new Map<string, AffectedPage>(citing.map((slug) => [slug, { slug, citesSource: true, shows: [] }]));
  for (const entityId of entityIds) {
    const slug = pageOf.get(entityId);
    if (slug === undefined) continue;
    const page = pages.get(slug) ?? { slug, citesSource: false, shows: [] };
    page.shows.push(entityId);
    pages.set(slug, page);
  }
  return { facts: supported, records, pages: [...pages.values()], changes };
}
