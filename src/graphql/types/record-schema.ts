import { Field, ID, Int, ObjectType } from 'type-graphql';
import type { RecordSchemaState } from '../../domain/record-schema';
import type { Versioned } from '../../projections/queries/things';
import type { Pins } from '../pins';

@ObjectType({ description: 'A field of a record schema: its type (text, date, number, boolean or ref), unit and whether it is required.' })
export class RecordFieldSpec {
  @Field() name!: string;
  @Field({ description: 'text, date, number (a number or a [min, max] range), boolean or ref (an entity).' }) type!: string;
  @Field(() => String, { nullable: true }) unit!: string | null;
  @Field() required!: boolean;
  @Field(() => String, { nullable: true }) description!: string | null;
}

@ObjectType({ description: 'A party a record connects: the implicit one is the entity that holds the record.' })
export class RecordEndpointSpec {
  @Field() name!: string;
  @Field(() => [String], { description: 'The entity types it may name.' }) types!: string[];
  @Field() required!: boolean;
  @Field() implicit!: boolean;
  @Field({ description: 'Whether a display name may stand in for an entity that has none.' }) allowDisplayName!: boolean;
}

@ObjectType({ description: 'What the records of one collection hold (funding rounds, board seats…), as data in the store.' })
export class RecordSchema {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field(() => String, { nullable: true }) description!: string | null;
  @Field({ description: 'The collection its records are filed under, e.g. "funding-rounds".' }) collectionName!: string;
  @Field({ description: 'Whether its records hold over a span of valid time (read with asOf).' }) temporal!: boolean;
  @Field(() => [RecordEndpointSpec]) endpoints!: RecordEndpointSpec[];
  @Field(() => [RecordFieldSpec]) fields!: RecordFieldSpec[];
  @Field(() => String, { nullable: true, description: "The date field that starts a record's valid time." }) validFrom!: string | null;
  @Field(() => String, { nullable: true, description: "The date field that ends a record's valid time." }) validTo!: string | null;
  @Field(() => Int, { nullable: true, description: 'Days after its latest record a collection is due for review (recordFreshness).' })
  stalenessDays!: number | null;
  @Field(() => Int) version!: number;
  pins!: Pins;
}

/**
 * Entries by name: jsonb keeps object keys in its own order (shorter first), and a state read from the
 * thing cache has the order it was written in, so only a sort gives every read the same answer.
 */
export const byName = <T>(o: Record<string, T>): [string, T][] => Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

export function toRecordSchema(v: Versioned<RecordSchemaState>, pins: Pins): RecordSchema {
  const f = v.state!.fields;
  return {
    id: v.state!.id,
    name: f.name,
    description: f.description ?? null,
    collectionName: f.collectionName,
    temporal: f.temporal ?? false,
    endpoints: byName(f.endpoints).map(([name, e]) => ({
      name,
      types: e.types,
      required: e.required ?? false,
      implicit: e.implicit ?? false,
      allowDisplayName: e.allowDisplayName ?? false,
    })),
    fields: byName(f.fields).map(([name, s]) => ({
      name,
      type: s.type,
      unit: s.unit ?? null,
      required: s.required ?? false,
      description: s.description ?? null,
    })),
    validFrom: f.validFrom ?? null,
    validTo: f.validTo ?? null,
    stalenessDays: f.stalenessDays ?? null,
    version: v.version,
    pins,
  };
}
