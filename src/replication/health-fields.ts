import { Ctx, FieldResolver, Resolver } from 'type-graphql';
import type { GraphQLContext } from '../graphql/context';
import { Health } from '../graphql/resolvers/health';

/** What `health` says about this gateway's place in a deployment of many (docs/deployment.md). */
@Resolver(() => Health)
export class HealthReplicationResolver {
  @FieldResolver(() => Boolean, {
    nullable: true,
    description: 'Whether this gateway holds the leader lock and runs the once-only jobs (null: it runs no election).',
  })
  leader(@Ctx() ctx: GraphQLContext): boolean | null {
    return ctx.replication ? ctx.replication.isLeader : null;
  }

  @FieldResolver(() => String, { description: 'Which database answered this request: "primary" or "replica <host:port/db>".' })
  node(@Ctx() ctx: GraphQLContext): string {
    return ctx.request.read?.node ?? 'primary';
  }
}
