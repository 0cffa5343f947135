import { needsRecheck, verdictOf } from '../domain/verification';
import type { GraphQLContext } from './context';
import type { Pins } from './pins';
import { toEvidence, type Verdict, type Verification } from './types/verification';

/**
 * A target's verification at pins: its evidence (state at the basis position), the verdict by
 * verdictOf, and needsRecheck against the sources' content hashes at that same position. Every read
 * goes through a per-position loader, so a list of facts costs two statements, not two per fact.
 * `citationsNow`: the fact's cited sources at those pins; null for a record field.
 */
export async function verificationAt(
  ctx: GraphQLContext,
  target: string,
  pins: Pins,
  citationsNow: readonly string[] | null,
): Promise<Verification> {
  const position = pins.basis.position;
  const v = await ctx.loaders.thing('verification', position).load(target);
  const evidence = v?.state.evidence ?? [];
  const sources = await ctx.loaders.thing('source', position).loadMany(evidence.map((e) => e.sourceId));
  const hashes = new Map<string, string | null>();
  sources.forEach((s, i) => {
    if (s && !(s instanceof Error)) hashes.set(evidence[i]!.sourceId, s.state.content?.contentHash ?? null);
  });
  const { verdict, confidence } = verdictOf(evidence);
  return {
    target,
    verdict: verdict as Verdict,
    confidence,
    needsRecheck: needsRecheck(evidence, hashes, citationsNow),
    evidence: evidence.map((e) => toEvidence(e, pins)),
  };
}

/** A fact's verification at its own pins (the citations it has there). */
export const factVerification = (ctx: GraphQLContext, fact: { id: string; citations: { sourceId: string }[]; pins: Pins }) =>
  verificationAt(
    ctx,
    `fact:${fact.id}`,
    fact.pins,
    fact.citations.map((c) => c.sourceId),
  );
