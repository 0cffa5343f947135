import { Arg, Ctx, Field, Mutation, ObjectType, Query, Resolver } from 'type-graphql';
import type { GraphQLContext } from '../context';
import { DateTimeScalar } from '../scalars';

@ObjectType({ description: 'An API key as an admin sees it (never the key itself).' })
class ApiKey {
  @Field() name!: string;
  @Field() role!: string;
  @Field(() => DateTimeScalar) createdAt!: Date;
  @Field(() => DateTimeScalar, { nullable: true }) revokedAt!: Date | null;
}

@ObjectType()
class CreatedApiKey {
  @Field() name!: string;
  @Field() role!: string;
  @Field({ description: 'The key: shown this once, stored only as a hash.' }) key!: string;
}

/** Key management through the API, for admins (the CLI's `factlog keys` does the same). */
@Resolver()
export class ApiKeyResolver {
  @Query(() => [ApiKey], { description: 'Admin only.' })
  async apiKeys(@Ctx() ctx: GraphQLContext): Promise<ApiKey[]> {
    ctx.authorize('admin');
    return ctx.keys.list();
  }

  @Mutation(() => CreatedApiKey, { description: 'Admin only.' })
  async createApiKey(@Arg('name') name: string, @Arg('role') role: string, @Ctx() ctx: GraphQLContext): Promise<CreatedApiKey> {
    ctx.authorize('admin');
    return ctx.keys.create(name, role);
  }

  @Mutation(() => Boolean, { description: 'Admin only.' })
  async revokeApiKey(@Arg('name') name: string, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    ctx.authorize('admin');
    await ctx.keys.revoke(name);
    return true;
  }
}
