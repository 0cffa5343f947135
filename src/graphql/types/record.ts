import { Field, ID, Int, ObjectType } from 'type-graphql';
import type { JsonValue } from '../../domain/fact-value';
import type { RecordState } from '../../domain/record';
import type { RecordVersion } from '../../projections/queries/records';
import { Connection } from '../connection';
import type { Pins } from '../pins';
import { JSONScalar } from '../scalars';

@ObjectType({ description: 'A field of a record with its type and unit from the schema.' })
export class RecordField {
  @Field() name!: string;
  @Field(() => String, { nullable: true, description: "The schema's type; null for a value kept unchecked under a name the schema lacks." })
  type!: string | null;
  @Field(() => String, { nullable: true }) unit!: string | null;
  @Field(() => JSONScalar, {
    description: 'text and date as strings, number as a number or [min, max], boolean, ref as {entityId} or {displayName}.',
  })
  value!: JsonValue;
  @Field({ description: 'Kept as the importer read it because it did not fit the schema (reported as an anomaly there).' })
  unchecked!: boolean;
  /** The entity a ref field names (resolved by RecordFieldResolver). */
  entityId!: string | null;
  pins!: Pins;
}

@ObjectType({ description: 'A party of a record: an entity, or a display name where the entity has no page of its own.' })
export class RecordEndpoint {
  @Field() name!: string;
  @Field({ description: 'The entity that holds the record.' }) implicit!: boolean;
  @Field(() => String, { nullable: true }) displayName!: string | null;
  /** Resolved by RecordEndpointResolver through the entity loader. */
  entityId!: string | null;
  pins!: Pins;
}

@ObjectType({ description: 'An entry of a collection on an entity: a funding round, a board seat, a key person…' })
export class EntityRecord {
  @Field(() => ID, { description: "The entity's stable id, the collection and the key, joined by ':'." }) id!: string;
  @Field() collection!: string;
  @Field() key!: string;
  @Field(() => ID, { nullable: true, description: 'Null for a record kept whole because no schema has its collection.' })
  schemaId!: string | null;
  @Field(() => JSONScalar, { description: 'Every checked field and endpoint value by name, as stored.' }) values!: Record<
    string,
    JsonValue
  >;
  @Field(() => JSONScalar, { nullable: true, description: 'Values kept verbatim because they did not fit the schema.' })
  unchecked!: Record<string, JsonValue> | null;
  @Field(() => String, { nullable: true, description: 'Start of its valid time (temporal schemas).' }) validFrom!: string | null;
  @Field(() => String, { nullable: true, description: 'End of its valid time (temporal schemas).' }) validTo!: string | null;
  @Field(() => Int) version!: number;
  @Field({ description: 'Log position of the event that produced this version.' }) position!: string;
  state!: RecordState;
  pins!: Pins;
}

export function toRecord(v: RecordVersion, pins: Pins): EntityRecord {
  const s = v.state;
  return {
    id: s.id,
    collection: s.collection,
    key: s.key,
    schemaId: s.schemaId ?? null,
    values: s.fields,
    unchecked: s.unchecked ?? null,
    validFrom: s.validFrom ?? null,
    validTo: s.validTo ?? null,
    version: v.version,
    position: String(v.position),
    state: s,
    pins,
  };
}

@ObjectType()
export class EntityRecordConnection extends Connection(EntityRecord) {}
