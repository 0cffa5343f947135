import { Arg, Args, ArgsType, Ctx, Field, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import { didYouMean } from '../../domain/closest';
import { DomainError } from '../../domain/errors';
import { isRecord } from '../../domain/fields';
import { asOfInstant, parsePartialDate, periodEnd, periodStart, type PartialDate } from '../../domain/partial-date';
import type { RecordState } from '../../domain/record';
import type { RecordSchemaFields } from '../../domain/record-schema';
import { listThingsAt } from '../../projections/queries/things';
import { PagingArgs, TimeArgs } from '../args';
import { listConnection, type ConnectionShape } from '../connection';
import type { GraphQLContext } from '../context';
import type { Pins } from '../pins';
import { PartialDateScalar } from '../scalars';
import { Entity, toEntity } from '../types/entity';
import { EntityRecord, EntityRecordConnection, RecordEndpoint, RecordField, toRecord } from '../types/record';
import { byName, RecordSchema, toRecordSchema } from '../types/record-schema';

@ArgsType()
class RecordListArgs extends TimeArgs {
  @Field(() => String, { nullable: true, description: 'Only this collection ("funding-rounds"); an unknown one is NOT_FOUND.' })
  collection?: string | null;

  @Field(() => PartialDateScalar, {
    nullable: true,
    description:
      'Valid time: records of temporal schemas only if they hold then (their validFrom ≤ the end of the period < the end of their validTo). Without it: every record.',
  })
  asOf?: PartialDate | null;
}

/** Whether a record holds at instant T: only a temporal record's span can exclude it. */
function holdsAt(s: RecordState, at: Date): boolean {
  const from = s.validFrom === undefined ? null : parsePartialDate(s.validFrom, 'validFrom');
  const to = s.validTo === undefined ? null : parsePartialDate(s.validTo, 'validTo');
  if (from?.ok && periodStart(from.value) > at) return false;
  if (to?.ok && periodEnd(to.value) <= at) return false;
  return true;
}

/** A collection name a read filters by must name a schema at P (one statement per request, through a loader). */
export async function requireCollection(ctx: GraphQLContext, collection: string, pins: Pins): Promise<void> {
  const position = pins.basis.position;
  if (await ctx.loaders.recordSchemaOfCollection(position).load(collection)) return;
  const all = (await listThingsAt(ctx.db, 'recordSchema', position, { first: 10_000 })).items.map((v) => v.state.fields.collectionName);
  if (all.includes(collection)) return;
  throw new DomainError(
    'NOT_FOUND',
    `record collection ${JSON.stringify(collection)} does not exist at log position ${position}${didYouMean(collection, all)}`,
    ['collection'],
  );
}

@Resolver(() => RecordSchema)
export class RecordSchemaResolver {
  @Query(() => [RecordSchema], { description: 'Every record schema, by id.' })
  async recordSchemas(@Args() time: TimeArgs, @Ctx() ctx: GraphQLContext): Promise<RecordSchema[]> {
    const pins = await ctx.pins(time);
    const all = await listThingsAt(ctx.db, 'recordSchema', pins.basis.position, { first: 10_000 });
    return all.items.map((v) => toRecordSchema(v, pins));
  }

  @Query(() => RecordSchema, { nullable: true, description: 'A record schema by its id ("funding-round").' })
  async recordSchema(@Arg('id', () => ID) id: string, @Args() time: TimeArgs, @Ctx() ctx: GraphQLContext): Promise<RecordSchema | null> {
    const pins = await ctx.pins(time);
    const v = await ctx.loaders.thing('recordSchema', pins.basis.position).load(id);
    return v ? toRecordSchema(v, pins) : null;
  }
}

@Resolver(() => Entity)
export class EntityRecordsResolver {
  @FieldResolver(() => EntityRecordConnection, { description: 'Records filed on this entity, by collection and key.' })
  async records(
    @Root() entity: Entity,
    @Args() args: RecordListArgs,
    @Args() paging: PagingArgs,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ConnectionShape<EntityRecord>> {
    const pins = await ctx.pins(args, entity.pins);
    if (args.collection != null) await requireCollection(ctx, args.collection, pins);
    const all = await ctx.loaders.recordsOfEntity(pins.basis.position, args.collection ?? undefined).load(entity.id);
    const at = args.asOf ? asOfInstant(args.asOf) : null;
    return listConnection(
      all.filter((r) => at === null || holdsAt(r.state, at)).map((r) => toRecord(r, pins)),
      paging.first,
      paging.after,
    );
  }
}

const schemaOf = async (ctx: GraphQLContext, record: EntityRecord): Promise<RecordSchemaFields | null> =>
  record.schemaId === null
    ? null
    : ((await ctx.loaders.thing('recordSchema', record.pins.basis.position).load(record.schemaId))?.state.fields ?? null);

const entityIdIn = (value: unknown): string | null => (isRecord(value) && typeof value.entityId === 'string' ? value.entityId : null);

@Resolver(() => EntityRecord)
export class RecordResolver {
  @FieldResolver(() => Entity, { nullable: true, description: 'The entity the record is filed on.' })
  async entity(@Root() record: EntityRecord, @Ctx() ctx: GraphQLContext): Promise<Entity | null> {
    const v = await ctx.loaders.thing('entity', record.pins.basis.position).load(record.state.entityId);
    return v ? toEntity(v, record.pins) : null;
  }

  @FieldResolver(() => RecordSchema, { nullable: true })
  async schema(@Root() record: EntityRecord, @Ctx() ctx: GraphQLContext): Promise<RecordSchema | null> {
    if (record.schemaId === null) return null;
    const v = await ctx.loaders.thing('recordSchema', record.pins.basis.position).load(record.schemaId);
    return v ? toRecordSchema(v, record.pins) : null;
  }

  @FieldResolver(() => [RecordField], {
    description: "The record's fields by name, typed by the schema; then unchecked ones the schema lacks.",
  })
  async fields(@Root() record: EntityRecord, @Ctx() ctx: GraphQLContext): Promise<RecordField[]> {
    const schema = await schemaOf(ctx, record);
    const specs = schema?.fields ?? {};
    const out: RecordField[] = [];
    const base = { pins: record.pins };
    for (const [name, spec] of byName(specs)) {
      if (Object.hasOwn(record.values, name)) {
        const value = record.values[name];
        out.push({
          ...base,
          name,
          type: spec.type,
          unit: spec.unit ?? null,
          value,
          unchecked: false,
          entityId: spec.type === 'ref' ? entityIdIn(value) : null,
        });
      } else if (record.unchecked && Object.hasOwn(record.unchecked, name)) {
        out.push({
          ...base,
          name,
          type: spec.type,
          unit: spec.unit ?? null,
          value: record.unchecked[name],
          unchecked: true,
          entityId: null,
        });
      }
    }
    for (const [name, value] of byName(record.unchecked ?? {})) {
      if (!Object.hasOwn(specs, name)) out.push({ ...base, name, type: null, unit: null, value, unchecked: true, entityId: null });
    }
    return out;
  }

  @FieldResolver(() => [RecordEndpoint], {
    description: "The record's parties by name: the implicit one is the entity it is filed on.",
  })
  async endpoints(@Root() record: EntityRecord, @Ctx() ctx: GraphQLContext): Promise<RecordEndpoint[]> {
    const schema = await schemaOf(ctx, record);
    const out: RecordEndpoint[] = [];
    for (const [name, spec] of byName(schema?.endpoints ?? {})) {
      if (spec.implicit) {
        out.push({ name, implicit: true, displayName: null, entityId: record.state.entityId, pins: record.pins });
        continue;
      }
      const value = record.values[name];
      if (value === undefined) continue;
      const displayName = isRecord(value) && typeof value.displayName === 'string' ? value.displayName : null;
      out.push({ name, implicit: false, displayName, entityId: entityIdIn(value), pins: record.pins });
    }
    return out;
  }
}

@Resolver(() => RecordEndpoint)
export class RecordEndpointResolver {
  @FieldResolver(() => Entity, { nullable: true, description: 'The entity, unless the endpoint is a display name.' })
  async entity(@Root() endpoint: RecordEndpoint, @Ctx() ctx: GraphQLContext): Promise<Entity | null> {
    if (!endpoint.entityId) return null;
    const v = await ctx.loaders.thing('entity', endpoint.pins.basis.position).load(endpoint.entityId);
    return v ? toEntity(v, endpoint.pins) : null;
  }
}

@Resolver(() => RecordField)
export class RecordFieldResolver {
  @FieldResolver(() => Entity, { nullable: true, description: 'The entity a ref field names.' })
  async entity(@Root() field: RecordField, @Ctx() ctx: GraphQLContext): Promise<Entity | null> {
    if (!field.entityId) return null;
    const v = await ctx.loaders.thing('entity', field.pins.basis.position).load(field.entityId);
    return v ? toEntity(v, field.pins) : null;
  }
}
