import { Ctx, Field, Float, ObjectType, Query, Resolver } from 'type-graphql';
import type { GraphQLContext } from '../context';
import { resolveBasis } from '../../projections/queries/basis';

@ObjectType({ description: 'Whether the gateway and its database answer, and where the log stands.' })
export class Health {
  @Field({ description: '"postgres" or "pglite"' })
  database!: string;

  @Field({ description: 'Position of the newest committed event (0 for an empty log).' })
  headPosition!: string;

  @Field(() => Date, { nullable: true, description: 'Recorded time of the newest committed event.' })
  headRecordedAt!: Date | null;

  @Field(() => Float, { description: 'Seconds since this gateway process started.' })
  uptimeSeconds!: number;
}

@Resolver()
export class HealthResolver {
  @Query(() => Health)
  async health(@Ctx() ctx: GraphQLContext): Promise<Health> {
    const head = await resolveBasis(ctx.db);
    return {
      database: ctx.databaseKind,
      headPosition: String(head.position),
      headRecordedAt: head.recordedAt,
      uptimeSeconds: process.uptime(),
    };
  }
}
