import { Arg, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { didYouMean } from '../../domain/closest';
import { DomainError } from '../../domain/errors';
import type { GraphQLContext } from '../context';
import { Entity } from '../types/entity';
import { Fact, toFact } from '../types/fact';
import { Source, toSource } from '../types/source';
import { Evidence, Verification, VerificationSummary } from '../types/verification';
import { EntityRecord } from '../types/record';
import { factVerification, verificationAt } from '../verification';

@Resolver(() => Fact)
export class FactVerificationResolver {
  @FieldResolver(() => Verification, {
    description: 'Its verdict from the evidence recorded for it, at the fact’s pins (docs/domain.md, “Verification”).',
  })
  verification(@Root() fact: Fact, @Ctx() ctx: GraphQLContext): Promise<Verification> {
    return factVerification(ctx, fact);
  }
}

@Resolver(() => Evidence)
export class EvidenceResolver {
  @FieldResolver(() => Source, { nullable: true })
  async source(@Root() e: Evidence, @Ctx() ctx: GraphQLContext): Promise<Source | null> {
    const v = await ctx.loaders.thing('source', e.pins.basis.position).load(e.sourceId);
    return v ? toSource(v, e.pins) : null;
  }
}

@Resolver(() => Entity)
export class EntityVerificationResolver {
  @FieldResolver(() => VerificationSummary, {
    description: 'Its current facts (valid at asOf, default now) counted by verdict, at its pins; needsRecheck counts across verdicts.',
  })
  async verificationSummary(@Root() entity: Entity, @Ctx() ctx: GraphQLContext): Promise<VerificationSummary> {
    const facts = await ctx.loaders.factsOfEntity(entity.pins, true, undefined).load(entity.id);
    const all = await Promise.all(facts.map((f) => factVerification(ctx, toFact(f, entity.pins))));
    const summary: VerificationSummary = {
      confirmed: 0,
      contradicted: 0,
      unverifiable: 0,
      outdated: 0,
      partial: 0,
      unchecked: 0,
      needsRecheck: 0,
    };
    for (const v of all) {
      summary[v.verdict] += 1;
      if (v.needsRecheck) summary.needsRecheck += 1;
    }
    return summary;
  }
}

@Resolver(() => EntityRecord)
export class RecordVerificationResolver {
  @FieldResolver(() => Verification, {
    description:
      'The verdict on one of its fields from the evidence recorded for it, at the record’s pins; a field it does not hold is NOT_FOUND.',
  })
  verification(@Root() record: EntityRecord, @Arg('field') field: string, @Ctx() ctx: GraphQLContext): Promise<Verification> {
    const fields = Object.keys({ ...record.values, ...(record.unchecked ?? {}) });
    if (!fields.includes(field))
      throw new DomainError('NOT_FOUND', `record ${record.id} holds no field "${field}"${didYouMean(field, fields)}`, ['field']);
    return verificationAt(ctx, `record:${record.id}@${field}`, record.pins, null);
  }
}
