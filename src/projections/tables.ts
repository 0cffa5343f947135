import type { ColumnType, Kysely, Transaction } from 'kysely';
import type { StoreSchema } from '../store/schema';
import { READ_MODELS } from './read-models/registry';

type Json<T = unknown> = ColumnType<T, string, string>;
type Timestamp = ColumnType<Date, string, string>;
type NullableTimestamp = ColumnType<Date | null, string | null, string | null>;

export interface StateVersionsTable {
  stream: string;
  version: number;
  kind: string;
  id: string;
  state: Json;
  tx_from: number;
  tx_to: number | null;
  recorded_from: Timestamp;
}

export interface PublicationsTable {
  id: string;
  name: string;
  domains: Json<string[]>;
  type: string | null;
  credibility: number | null;
  peer_reviewed: boolean | null;
  description: string | null;
  version: number;
  position: number;
}

export interface SourcesTable {
  id: string;
  stable_id: string;
  url: string;
  title: string | null;
  type: string | null;
  authors: Json<string[]>;
  published_date: string | null;
  publication_id: string | null;
  credibility_override: number | null;
  abstract: string | null;
  summary: string | null;
  review: string | null;
  key_points: Json<string[]>;
  tags: Json<string[]>;
  merged_into: string | null;
  version: number;
  position: number;
}

export interface SourceContentTable {
  source_id: string;
  text: string;
  length: number;
  content_hash: string;
  fetched_at: NullableTimestamp;
  http_status: number | null;
  content_type: string | null;
}

export interface PagesTable {
  slug: string;
  numeric_id: string | null;
  title: string;
  description: string | null;
  // numeric arrives as a string from pg; the query layer converts it.
  quality: ColumnType<string | null, number | null, number | null>;
  entity_id: string | null;
  version: number;
  position: number;
}

export interface PageCitationsTable {
  page_slug: string;
  source_id: string;
  position: number;
}

export interface EntitiesTable {
  id: string;
  slug: string;
  name: string;
  type: string;
  numeric_id: string | null;
  aliases: Json<string[]>;
  version: number;
  position: number;
}

export interface EntityKeysTable {
  key: string;
  entity_id: string;
  rank: number;
}

export interface PropertiesTable {
  id: string;
  name: string;
  description: string | null;
  data_type: string;
  unit: string | null;
  category: string | null;
  temporal: boolean;
  applies_to: Json<string[]>;
  display: Json<{ divisor?: number; prefix?: string; suffix?: string } | null>;
  inverse_id: string | null;
  staleness_days: number | null;
  version: number;
  position: number;
}

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

export interface FactCitationsTable {
  fact_id: string;
  source_id: string;
}

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

export interface ReadModelSchema {
  state_versions: StateVersionsTable;
  publications: PublicationsTable;
  sources: SourcesTable;
  source_content: SourceContentTable;
  pages: PagesTable;
  page_citations: PageCitationsTable;
  entities: EntitiesTable;
  entity_keys: EntityKeysTable;
  properties: PropertiesTable;
  facts: FactsTable;
  fact_citations: FactCitationsTable;
  fact_versions: FactVersionsTable;
}

export type FactlogSchema = StoreSchema & ReadModelSchema;
export type FactlogDb = Kysely<FactlogSchema>;
export type FactlogTrx = Transaction<FactlogSchema>;

/** Every read-model table, in the order rebuild truncates and compares them: the registry's, model by model. */
export const READ_MODEL_TABLES: readonly (keyof ReadModelSchema)[] = READ_MODELS.flatMap((m) => m.tables);
