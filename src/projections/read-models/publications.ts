import type { PublicationState } from '../../domain/publication';
import { tableSpec, type Row } from '../bulk';
import { currentView, type At } from '../read-model';
import type { Json } from '../tables';

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

/** The `publications` table's columns with their SQL types. */
export const PUBLICATIONS = tableSpec('publications', {
  id: 'text',
  name: 'text',
  domains: 'jsonb',
  type: 'text',
  credibility: 'integer',
  peer_reviewed: 'boolean',
  description: 'text',
  version: 'integer',
  position: 'bigint',
});

export function publicationRow(s: NonNullable<PublicationState>, at: At): Row<'publications'> {
  return {
    id: s.id,
    name: s.fields.name,
    domains: JSON.stringify(s.fields.domains ?? []),
    type: s.fields.type ?? null,
    credibility: s.fields.credibility ?? null,
    peer_reviewed: s.fields.peerReviewed ?? null,
    description: s.fields.description ?? null,
    ...at,
  };
}

/** The current row of every publication. */
export const publications = currentView({ name: 'publications', kind: 'publication', table: PUBLICATIONS, key: 'id', row: publicationRow });
