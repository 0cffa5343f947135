import type { EntityFields } from '../../domain/entity';
import type { EntityTypeFields } from '../../domain/entity-type';
import type { PageFields } from '../../domain/page';
import type { PropertyFields } from '../../domain/property';
import type { PublicationFields } from '../../domain/publication';
import type { SourceFields } from '../../domain/source';

/**
 * Which key of the wiki's files holds which domain field, for each kind: the importer reads through
 * these (map.ts) and the export writes through them (unmap.ts), so a field cannot be read from one key
 * and written back under another.
 */
export type KeyMapping<F> = { readonly [K in keyof F]?: string };

export const PUBLICATION_KEYS: KeyMapping<PublicationFields> = {
  name: 'name',
  domains: 'domains',
  type: 'type',
  credibility: 'credibility',
  peerReviewed: 'peer_reviewed',
  description: 'description',
};

/** schemas/<type>.yaml; its `type:` key is the id (the file's name), not a field. */
export const ENTITY_TYPE_KEYS: KeyMapping<EntityTypeFields> = {
  name: 'name',
  description: 'description',
  required: 'required',
  recommended: 'recommended',
  records: 'records',
};

export const PROPERTY_KEYS: KeyMapping<PropertyFields> = {
  name: 'name',
  description: 'description',
  dataType: 'dataType',
  unit: 'unit',
  category: 'category',
  temporal: 'temporal',
  appliesTo: 'appliesTo',
  display: 'display',
  inverseId: 'inverseId',
  stalenessDays: 'stalenessDays',
  computed: 'computed',
  inverseName: 'inverseName',
};

/** An entity in `entities/*.yaml`: its name is the `title`. */
export const ENTITY_REGISTRY_KEYS: KeyMapping<EntityFields> = {
  slug: 'id',
  name: 'title',
  type: 'type',
  numericId: 'numericId',
  aliases: 'aliases',
  description: 'description',
  tags: 'tags',
  website: 'website',
  lastUpdated: 'lastUpdated',
  summaryPage: 'summaryPage',
  sources: 'sources',
  customFields: 'customFields',
};

/** The `thing:` header of `things/<slug>.yaml`: the same entity, its name under `name`. */
export const THING_HEADER_KEYS: KeyMapping<EntityFields> = { ...ENTITY_REGISTRY_KEYS, name: 'name' };

export const SOURCE_KEYS: KeyMapping<SourceFields> = {
  url: 'url',
  title: 'title',
  type: 'type',
  authors: 'authors',
  publishedDate: 'published_date',
  publicationId: 'publication_id',
  abstract: 'abstract',
  summary: 'summary',
  review: 'review',
  keyPoints: 'key_points',
  tags: 'tags',
  fetchedAt: 'fetched_at',
  localFilename: 'local_filename',
};

export const PAGE_KEYS: KeyMapping<PageFields> = {
  title: 'title',
  numericId: 'numericId',
  description: 'description',
  quality: 'quality',
  path: 'path',
  lastEdited: 'lastEdited',
  updateFrequency: 'update_frequency',
  readerImportance: 'readerImportance',
  researchImportance: 'researchImportance',
  tacticalValue: 'tacticalValue',
  subcategory: 'subcategory',
  clusters: 'clusters',
  ratings: 'ratings',
  pageType: 'pageType',
  contentFormat: 'contentFormat',
};

/** The keys of a fact in `things/<slug>.yaml` (`source` may also be spelled `sourceResource`). */
export const FACT_KEYS = ['id', 'property', 'value', 'asOf', 'validEnd', 'source', 'sourceResource', 'notes'];
