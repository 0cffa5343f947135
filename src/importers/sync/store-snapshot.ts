import { sql } from 'kysely';
import { relationKey, type EntityFields, type EntityRelation } from '../../domain/entity';
import type { Citation, StoredFactValue } from '../../domain/fact';
import type { PageFields } from '../../domain/page';
import type { PropertyFields } from '../../domain/property';
import type { PublicationFields } from '../../domain/publication';
import type { RecordState } from '../../domain/record';
import type { RecordSchemaFields } from '../../domain/record-schema';
import type { EntityTypeFields } from '../../domain/entity-type';
import type { SourceFields } from '../../domain/source';
import type { FactColumns } from '../../projections/read-models/facts';
import type { FactlogDb } from '../../projections/tables';

/**
 * What the store holds now, read from the read models in a handful of queries: the current row of
 * `state_versions` for every thing (its domain state as JSON) and the `facts` table. The planner
 * diffs the files against this, so a re-run over unchanged files plans nothing. It is read once per
 * run, before planning; nothing keeps it current.
 */
export interface SnapshotFact {
  entityId: string;
  propertyId: string;
  value: StoredFactValue;
  asOf?: string;
  validEnd?: string;
  /** As the read model keeps them: source ids already resolved through merges. */
  citations: Citation[];
  notes?: string;
  rank: string;
  retracted: boolean;
  /** Asserted by a run of this importer (its first event carries an importer correlation id). */
  imported: boolean;
}

export interface StoreSnapshot {
  publications: Map<string, PublicationFields>;
  properties: Map<string, PropertyFields>;
  entities: Map<string, EntityFields>;
  /** Each entity's relations, in its state's order (entities without relations are absent). */
  relations: Map<string, EntityRelation[]>;
  /** `entityId\u0000relationKey` of relations this importer related: the only ones it may take away again. */
  importedRelations: Set<string>;
  /** Every slug an entity has had (renames keep the old one as an alias). */
  entitySlugHistory: Map<string, Set<string>>;
  sources: Map<string, { fields: SourceFields; mergedInto: string | null }>;
  pages: Map<string, { fields: PageFields; citations: string[] }>;
  /** `slug\u0000sourceId` of citations this importer added: the only ones it may take away again. */
  importedCitations: Set<string>;
  facts: Map<string, SnapshotFact>;
  recordSchemas: Map<string, RecordSchemaFields>;
  entityTypes: Map<string, EntityTypeFields>;
  /** Every record's current state (removed ones too), by record id. */
  records: Map<string, RecordState>;
  /** Ids of records a run of this importer created: the only ones it may remove again. */
  importedRecords: Set<string>;
}

export const citationKey = (slug: string, sourceId: string): string => `${slug}\u0000${sourceId}`;
export const importedRelationKey = (entityId: string, relation: EntityRelation): string => `${entityId}\u0000${relationKey(relation)}`;

export const emptyStoreSnapshot = (): StoreSnapshot => ({
  publications: new Map(),
  properties: new Map(),
  entities: new Map(),
  relations: new Map(),
  importedRelations: new Set(),
  entitySlugHistory: new Map(),
  sources: new Map(),
  pages: new Map(),
  importedCitations: new Set(),
  facts: new Map(),
  recordSchemas: new Map(),
  entityTypes: new Map(),
  records: new Map(),
  importedRecords: new Set(),
});

type Json = Record<string, unknown>;

/**
 * `ownerPrefix` starts the correlation id of every run of one importer: facts and citations whose
 * events carry it are that importer's, and only those may it take away again. With `position`, the
 * things and facts are those believed at that log position (an export of the past); without it, the
 * current ones. Either way each map holds its things in the order they were first recorded, which
 * is the order an export lists them in.
 */
export async function loadStoreSnapshot(db: FactlogDb, ownerPrefix: string, position?: number): Promise<StoreSnapshot> {
  const state = emptyStoreSnapshot();
  const believed = (v: string) =>
    position === undefined
      ? sql`${sql.ref(`${v}.tx_to`)} IS NULL`
      : sql`${sql.ref(`${v}.tx_from`)} <= ${position} AND (${sql.ref(`${v}.tx_to`)} IS NULL OR ${sql.ref(`${v}.tx_to`)} > ${position})`;
  const { rows } = await sql<{ kind: string; id: string; state: unknown }>`
    SELECT v.kind, v.id, v.state FROM state_versions v
    JOIN state_versions first ON first.stream = v.stream AND first.version = 1
    WHERE ${believed('v')}
    ORDER BY first.tx_from`.execute(db);
  for (const row of rows) {
    const s = (typeof row.state === 'string' ? JSON.parse(row.state) : row.state) as Json | null;
    if (!s) continue;
    switch (row.kind) {
      case 'publication':
        state.publications.set(row.id, s.fields as PublicationFields);
        break;
      case 'property':
        state.properties.set(row.id, s.fields as PropertyFields);
        break;
      case 'entity':
        state.entities.set(row.id, s.fields as EntityFields);
        if (Array.isArray(s.relations) && s.relations.length) state.relations.set(row.id, s.relations as EntityRelation[]);
        break;
      case 'source':
        state.sources.set(row.id, { fields: s.fields as SourceFields, mergedInto: (s.mergedInto as string | null) ?? null });
        break;
      case 'page':
        state.pages.set(row.id, { fields: s.fields as PageFields, citations: (s.citations as string[]) ?? [] });
        break;
      case 'recordSchema':
        state.recordSchemas.set(row.id, s.fields as RecordSchemaFields);
        break;
      case 'entityType':
        state.entityTypes.set(row.id, s.fields as EntityTypeFields);
        break;
      case 'record':
        state.records.set(row.id, s as unknown as RecordState);
        break;
    }
  }

  const slugs = await db
    .selectFrom('state_versions')
    .select(['id', sql<string>`state->'fields'->>'slug'`.as('slug')])
    .where('kind', '=', 'entity')
    .distinct()
    .execute();
  for (const { id, slug } of slugs) {
    if (!slug) continue;
    const set = state.entitySlugHistory.get(id) ?? new Set<string>();
    set.add(slug);
    state.entitySlugHistory.set(id, set);
  }

  const cited = await db
    .selectFrom('events')
    .select([sql<string>`data->>'slug'`.as('slug'), sql<string>`data->>'sourceId'`.as('sourceId')])
    .where('type', '=', 'SourceCited')
    .where(sql<boolean>`metadata->>'correlationId' like ${`${ownerPrefix}%`}`)
    .execute();
  for (const c of cited) state.importedCitations.add(citationKey(c.slug, c.sourceId));

  const related = await db
    .selectFrom('events')
    .select('data')
    .where('type', '=', 'EntityRelated')
    .where(sql<boolean>`metadata->>'correlationId' like ${`${ownerPrefix}%`}`)
    .execute();
  for (const { data } of related) {
    const { id, ...relation } = parseJson(data) as { id: string } & EntityRelation;
    state.importedRelations.add(importedRelationKey(id, relation));
  }

  const owned = new Set(
    (
      await db
        .selectFrom('events')
        .select(sql<string>`data->>'id'`.as('id'))
        .where('type', '=', 'FactAsserted')
        .where(sql<boolean>`metadata->>'correlationId' like ${`${ownerPrefix}%`}`)
        .execute()
    ).map((r) => r.id),
  );

  for (const r of await db
    .selectFrom('events')
    .select(sql<string>`data->>'id'`.as('id'))
    .where('type', '=', 'RecordCreated')
    .where(sql<boolean>`metadata->>'correlationId' like ${`${ownerPrefix}%`}`)
    .execute())
    state.importedRecords.add(r.id);

  const { rows: facts } = await sql<FactColumns & { id: string }>`
    SELECT v.fact_id AS id, v.entity_id, v.property_id, v.value, v.as_of, v.valid_end, v.citations, v.notes, v.rank, v.retracted
    FROM fact_versions v
    JOIN fact_versions first ON first.fact_id = v.fact_id AND first.version = 1
    WHERE ${believed('v')}
    ORDER BY first.tx_from`.execute(db);

  for (const f of facts) {
    const fact: SnapshotFact = {
      entityId: f.entity_id,
      propertyId: f.property_id,
      value: parseJson(f.value) as StoredFactValue,
      citations: (parseJson(f.citations) as Citation[] | null) ?? [],
      rank: f.rank,
      retracted: f.retracted,
      imported: owned.has(f.id),
    };
    if (f.as_of) fact.asOf = f.as_of;
    if (f.valid_end) fact.validEnd = f.valid_end;
    if (f.notes) fact.notes = f.notes;
    state.facts.set(f.id, fact);
  }
  return state;
}

const parseJson = (v: unknown): unknown => (typeof v === 'string' ? JSON.parse(v) : v);
