import type { ColumnType, Kysely, Transaction } from 'kysely';
import type { StoreSchema } from '../store/schema';
import type { CitationVersionsTable } from './read-models/citation-versions';
import type { EntitiesTable, EntityKeysTable } from './read-models/entities';
import type { FactCitationsTable, FactsTable, FactVersionsTable } from './read-models/facts';
import type { PageCitationsTable, PagesTable } from './read-models/pages';
import type { PropertiesTable } from './read-models/properties';
import type { PublicationsTable } from './read-models/publications';
import type { RelationVersionsTable } from './read-models/relation-versions';
import type { RecordSchemasTable, RecordVersionsTable } from './read-models/records';
import { READ_MODELS } from './read-models/registry';
import type { SearchDocumentsTable } from './read-models/search-documents';
import type { SourceContentTable, SourcesTable } from './read-models/sources';
import type { StateVersionsTable } from './read-models/state-versions';

export type Json<T = unknown> = ColumnType<T, string, string>;
export type Timestamp = ColumnType<Date, string, string>;
export type NullableTimestamp = ColumnType<Date | null, string | null, string | null>;

/** Every read-model table by name; each table's row type is declared with its model in read-models/. */
export interface ReadModelSchema {
  state_versions: StateVersionsTable;
  publications: PublicationsTable;
  sources: SourcesTable;
  source_content: SourceContentTable;
  pages: PagesTable;
  page_citations: PageCitationsTable;
  citation_versions: CitationVersionsTable;
  entities: EntitiesTable;
  entity_keys: EntityKeysTable;
  relation_versions: RelationVersionsTable;
  properties: PropertiesTable;
  facts: FactsTable;
  fact_citations: FactCitationsTable;
  fact_versions: FactVersionsTable;
  record_schemas: RecordSchemasTable;
  record_versions: RecordVersionsTable;
  search_documents: SearchDocumentsTable;
}

export type FactlogSchema = StoreSchema & ReadModelSchema;
export type FactlogDb = Kysely<FactlogSchema>;
export type FactlogTrx = Transaction<FactlogSchema>;

/** Every read-model table, in the order rebuild truncates and compares them: the registry's, model by model. */
export const READ_MODEL_TABLES: readonly (keyof ReadModelSchema)[] = READ_MODELS.flatMap((m) => m.tables.map((t) => t.name));

/** The longest table name: reports that list the tables line their columns up with it. */
export const READ_MODEL_NAME_WIDTH = Math.max(...READ_MODEL_TABLES.map((t) => t.length));
