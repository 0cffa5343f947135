import type { FactProperty } from '../domain/fact';
import type { RecordSchemaState } from '../domain/record-schema';
import type { VerificationTarget } from '../domain/verification';
import {
  factProperty,
  recordSchemaOf,
  sourceContentHash,
  verificationTargetExists,
  resolveEntityId,
  resolvePageSlug,
  resolveSourceId,
  slugOwner,
} from '../projections/lookup';
import type { FactlogDb } from '../projections/tables';

/**
 * How a command's names become the ids of its target stream. Null means nothing has that name; the
 * decider reports it as NOT_FOUND.
 */
export interface NameLookups {
  /** An entity's stable id from its id, slug, old slug, alias or numeric id. */
  entityId(key: string): Promise<string | null>;
  /** A live source's hex id from its hex id, stable id or URL (following merges). */
  sourceId(key: string): Promise<string | null>;
  /** A page's slug from its slug or numeric id. */
  pageSlug(key: string): Promise<string | null>;
}

/**
 * What deciding needs to know beyond the target stream. The command handler answers per command from
 * the database; the importer's batch writer answers from maps it loaded for the whole batch, so that
 * a batch costs a few queries rather than several per command.
 */
export interface CommandLookups extends NameLookups {
  /** The entity whose current slug this is, if any (slugs are unique across entities). */
  slugOwner(slug: string): Promise<string | null>;
  property(id: string): Promise<FactProperty | null>;
  /** The record schema of a collection (by its collection name). */
  recordSchema(collection: string): Promise<NonNullable<RecordSchemaState> | null>;
  /** Whether a fact (not retracted) or a live record with that field in its schema or values exists now. */
  verificationTarget(target: VerificationTarget): Promise<boolean>;
  /** A source's current content hash; null when it has captured none. */
  sourceContentHash(sourceId: string): Promise<string | null>;
}

/** The current read models answer: the command handler's lookups. */
export function databaseLookups(db: FactlogDb): CommandLookups {
  return {
    entityId: (key) => resolveEntityId(db, key),
    sourceId: (key) => resolveSourceId(db, key),
    pageSlug: (key) => resolvePageSlug(db, key),
    slugOwner: (slug) => slugOwner(db, slug),
    property: (id) => factProperty(db, id),
    recordSchema: (collection) => recordSchemaOf(db, collection),
    verificationTarget: (target) => verificationTargetExists(db, target),
    sourceContentHash: (sourceId) => sourceContentHash(db, sourceId),
  };
}
