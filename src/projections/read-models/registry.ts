import type { ReadModel } from '../read-model';
import { citationVersions } from './citation-versions';
import { entities } from './entities';
import { facts } from './facts';
import { pages } from './pages';
import { properties } from './properties';
import { publications } from './publications';
import { relationVersions } from './relation-versions';
import { recordSchemas, recordVersions } from './records';
import { searchDocuments } from './search-documents';
import { sourceMerges } from './source-merges';
import { sources } from './sources';
import { stateVersions } from './state-versions';

/**
 * Every read model, in the order they open, apply each event and flush. state-versions comes first
 * (it folds the states the others read) and source-merges last (a merge flushes what the others have
 * applied before moving citations). Their tables, in this order, are READ_MODEL_TABLES (tables.ts).
 */
export const READ_MODELS: readonly ReadModel[] = [
  stateVersions,
  publications,
  sources,
  pages,
  citationVersions,
  entities,
  relationVersions,
  properties,
  facts,
  recordSchemas,
  recordVersions,
  searchDocuments,
  sourceMerges,
];
