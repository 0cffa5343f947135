import { Args, ArgsType, Ctx, Field, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import type { Hypothesis } from '../../domain/impact';
import { sourceImpactAt } from '../../projections/queries/impact';
import { versionOf } from '../../projections/queries/facts';
import { BitemporalArgs } from '../args';
import type { GraphQLContext } from '../context';
import { userError } from '../errors';
import { toEntity } from '../types/entity';
import { toFact } from '../types/fact';
import { SourceImpact } from '../types/impact';
import { toPage } from '../types/page';
import { toProperty } from '../types/property';
import { toRecord } from '../types/record';
import { Source } from '../types/source';

@ArgsType()
class ImpactArgs extends BitemporalArgs {
  @Field({ defaultValue: false, description: 'Suppose the source retracted: which values would change?' }) ifRetracted!: boolean;
  @Field(() => Int, {
    nullable: true,
    description: 'Suppose the source rated below N (1–5): a fact keeps support only through another source rated N or more.',
  })
  ifCredibilityBelow?: number | null;
}

function hypothesisOf(args: ImpactArgs): Hypothesis {
  if (args.ifRetracted && args.ifCredibilityBelow != null)
    throw userError('BAD_USER_INPUT', 'give ifRetracted or ifCredibilityBelow, not both', { field: 'ifCredibilityBelow' });
  if (args.ifCredibilityBelow != null) {
    const rating = args.ifCredibilityBelow;
    if (rating < 1 || rating > 5)
      throw userError('BAD_USER_INPUT', `ifCredibilityBelow must be from 1 to 5, got ${rating}`, { field: 'ifCredibilityBelow' });
    return { kind: 'credibilityBelow', rating };
  }
  return args.ifRetracted ? { kind: 'retracted' } : { kind: 'none' };
}

const label = (h: Hypothesis): string => (h.kind === 'credibilityBelow' ? `credibilityBelow:${h.rating}` : h.kind);

@Resolver(() => Source)
export class SourceImpactResolver {
  @FieldResolver(() => SourceImpact, {
    description:
      'What leans on this source at these pins: the facts and record fields it supports, the pages that cite it or show them, and with ifRetracted or ifCredibilityBelow the values (as of asOf, default now) that would change. Computed; nothing is written.',
  })
  async impact(@Root() source: Source, @Args() args: ImpactArgs, @Ctx() ctx: GraphQLContext): Promise<SourceImpact> {
    const hypothesis = hypothesisOf(args);
    const pins = await ctx.pins(args, source.pins);
    const position = pins.basis.position;
    const found = await sourceImpactAt(ctx.db, { id: source.id, url: source.url }, position, pins.validAt, hypothesis);
    const entities = ctx.loaders.thing('entity', position);
    const entity = async (id: string) => {
      const v = await entities.load(id);
      return v ? toEntity(v, pins) : null;
    };
    const pages = await Promise.all(
      found.pages.map(async (p) => {
        const v = await ctx.loaders.thing('page', position).load(p.slug);
        const shows = (await Promise.all(p.shows.map(entity))).filter((e) => e !== null);
        return v ? { page: toPage(v, pins), citesSource: p.citesSource, shows } : null;
      }),
    );
    const valueChanges = await Promise.all(
      found.changes.map(async (c) => {
        const [e, p] = await Promise.all([entity(c.entityId), ctx.loaders.thing('property', position).load(c.propertyId)]);
        const fact = (f: Parameters<typeof versionOf>[0] | null) => f && toFact(versionOf(f), pins);
        return {
          entity: e!,
          property: toProperty(p!, pins),
          before: fact(c.before.value),
          conflictsBefore: c.before.conflicts.map((f) => fact(f)!),
          after: fact(c.after.value),
          conflictsAfter: c.after.conflicts.map((f) => fact(f)!),
        };
      }),
    );
    return {
      hypothesis: label(hypothesis),
      facts: found.facts.map((s) => ({ fact: toFact(s.fact, pins), onlySupport: s.onlySupport, keepsSupport: s.keepsSupport })),
      factsLosingSupport: found.facts.filter((s) => !s.keepsSupport).length,
      records: found.records.map((r) => ({ record: toRecord(r.record, pins), fields: r.fields })),
      pages: pages.filter((p) => p !== null),
      valueChanges,
    };
  }
}
