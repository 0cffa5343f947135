import type { PropertyState } from '../../domain/property';
import type { Row } from '../bulk';
import { currentView, type At } from '../read-model';

export function propertyRow(s: NonNullable<PropertyState>, at: At): Row<'properties'> {
  const f = s.fields;
  return {
    id: s.id,
    name: f.name,
    description: f.description ?? null,
    data_type: f.dataType,
    unit: f.unit ?? null,
    category: f.category ?? null,
    temporal: f.temporal ?? false,
    applies_to: JSON.stringify(f.appliesTo ?? []),
    display: JSON.stringify(f.display ?? null),
    inverse_id: f.inverseId ?? null,
    staleness_days: f.stalenessDays ?? null,
    ...at,
  };
}

/** The current row of every property. */
export const properties = currentView({ name: 'properties', kind: 'property', table: 'properties', key: 'id', row: propertyRow });
