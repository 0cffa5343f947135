import type { PropertyState } from '../../domain/property';
import { tableSpec, type Row } from '../bulk';
import { currentView, type At } from '../read-model';
import type { Json } from '../tables';

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

/** The `properties` table's columns with their SQL types. */
export const PROPERTIES = tableSpec('properties', {
  id: 'text',
  name: 'text',
  description: 'text',
  data_type: 'text',
  unit: 'text',
  category: 'text',
  temporal: 'boolean',
  applies_to: 'jsonb',
  display: 'jsonb',
  inverse_id: 'text',
  staleness_days: 'integer',
  version: 'integer',
  position: 'bigint',
});

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
export const properties = currentView({ name: 'properties', kind: 'property', table: PROPERTIES, key: 'id', row: propertyRow });
