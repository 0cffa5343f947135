import type { PublicationState } from '../../domain/publication';
import type { Row } from '../bulk';
import { currentView, type At } from '../read-model';

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
export const publications = currentView({ name: 'publications', kind: 'publication', table: 'publications', key: 'id', row: publicationRow });
