import type { EntityFields, EntityRelation } from '../../domain/entity';
import type { Citation, StoredFactValue } from '../../domain/fact';
import type { PageFields } from '../../domain/page';
import type { PropertyFields } from '../../domain/property';
import type { PublicationFields } from '../../domain/publication';
import type { RecordValues } from '../../domain/record';
import type { RecordSchemaFields } from '../../domain/record-schema';
import type { EntityTypeFields } from '../../domain/entity-type';
import type { SourceFields } from '../../domain/source';
import type { Loc, Tally } from './vocabulary';

/**
 * The state the store should be in, as a format's mapping produces it: the planner diffs it against
 * the store snapshot, whatever files it came from. Every field has already passed the domain's field
 * specs, so it is what the domain would store.
 */

export interface Desired<F> {
  loc: Loc;
  fields: F;
}

export interface DesiredEntity extends Desired<EntityFields> {
  id: string;
}

/** A relation an entity's entry lists, in the entry's order; its target resolved where an entity has it. */
export interface DesiredRelation {
  loc: Loc;
  relation: EntityRelation;
}

/** A source the files define (managed: its fields are synced), or one a fact cites by URL only. */
export interface DesiredSource {
  loc: Loc;
  id: string;
  /** stableId is absent when neither the snapshot nor the store has one: the domain generates it once. */
  fields: Omit<SourceFields, 'stableId'> & { stableId?: string };
  managed: boolean;
}

export interface DesiredFact {
  loc: Loc;
  id: string;
  entityId: string;
  propertyId: string;
  /** What the AssertFact command carries (citations by source id). */
  input: { value: unknown; asOf?: string; validEnd?: string; sources?: string[]; notes?: string };
  /** What the domain will store, for comparing with the read model. */
  stored: { value: StoredFactValue; asOf?: string; validEnd?: string; citations?: Citation[]; notes?: string };
}

/** A record of a things file: what the commands carry (entities by stable id) and what the domain stores. */
export interface DesiredRecord {
  loc: Loc;
  id: string;
  entityId: string;
  collection: string;
  key: string;
  input: { fields: Record<string, unknown>; unchecked?: RecordValues };
  stored: { fields: RecordValues; unchecked?: RecordValues };
}

export interface DesiredState {
  publications: Map<string, Desired<PublicationFields>>;
  properties: Map<string, Desired<PropertyFields>>;
  /** By stable id. */
  entities: Map<string, DesiredEntity>;
  /** By source id (sha256 of the URL). */
  sources: Map<string, DesiredSource>;
  pages: Map<string, Desired<PageFields>>;
  relations: {
    /** By entity id, for every entity whose entry was read: the list its entry gives (empty when none). */
    byEntity: Map<string, DesiredRelation[]>;
  };
  citations: {
    /** False when the resources could not all be read: then no citation is taken away. */
    removals: boolean;
    bySlug: Map<string, Map<string, Loc>>;
  };
  facts: Map<string, DesiredFact>;
  retractions: {
    /** False when the things folder is missing: then no fact is retracted. */
    enabled: boolean;
    /** Facts present in the files but unusable this time: keep what an earlier run imported. */
    protectedFacts: Set<string>;
    /** Entities whose things file could not be read. */
    protectedEntities: Set<string>;
  };
  /** By id (the schema file's name). */
  recordSchemas: Map<string, Desired<RecordSchemaFields>>;
  /** By id (the type, its schema file's name). */
  entityTypes: Map<string, Desired<EntityTypeFields>>;
  records: {
    /** By record id (entity id, collection, key). */
    byId: Map<string, DesiredRecord>;
    /** False when the things folder is missing: then no record is removed. */
    removals: boolean;
    /** Entities whose things file could not be read (or whose entity could not be imported): their records stay. */
    protectedEntities: Set<string>;
  };
  /** How many records the files hold, per kind (before skipping invalid ones). */
  inFiles: Record<string, number>;
  conversions: Tally;
  /** File keys dropped: a kind with no place for them (today: things.records, its own kind to come). */
  unmapped: Tally;
  /** File keys kept verbatim in their kind's `attributes` (docs/domain.md, Attributes), per kind.key. */
  untyped: Tally;
  /** The format's words for what leaves the store because it left the files: where it was, and why. */
  removed: {
    citation(slug: string, sourceId: string): Loc;
    fact(entitySlug: string, factId: string): { loc: Loc; reason: string };
    record(entitySlug: string, collection: string, key: string): Loc;
  };
}
