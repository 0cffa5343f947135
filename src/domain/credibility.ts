/** The credibility scale of docs/domain.md: what a 1–5 rating means to a reader. */
export const CREDIBILITY_SCALE: Readonly<Record<number, { label: string; description: string }>> = {
  5: { label: 'Gold', description: 'Gold standard. Rigorous peer review, high editorial standards, and strong institutional reputation.' },
  4: { label: 'High', description: 'High quality. Established institution or organization with editorial oversight and accountability.' },
  3: {
    label: 'Good',
    description:
      'Good quality. Reputable source with community review or editorial standards, but less rigorous than peer-reviewed venues.',
  },
  2: { label: 'Mixed', description: 'Mixed quality. Some useful content but inconsistent editorial standards. Claims should be verified.' },
  1: { label: 'Low', description: 'Low credibility. Unvetted or unreliable source. Use with caution and always cross-reference.' },
};

export interface EffectiveCredibility {
  rating: number;
  label: string;
  description: string;
  /** True when the source's own override decided; false when inherited from its publication. */
  overridden: boolean;
}

/** A source's effective rating: its override, else its publication's rating, else none. */
export function effectiveCredibility(
  override: number | null | undefined,
  publicationRating: number | null | undefined,
): EffectiveCredibility | null {
  const rating = override ?? publicationRating;
  if (rating == null || !CREDIBILITY_SCALE[rating]) return null;
  return { rating, ...CREDIBILITY_SCALE[rating], overridden: override != null };
}

/** Page quality bands: 80–100 Comprehensive, 60–79 Good, 40–59 Adequate, 20–39 Draft, 0–19 Stub. */
export function qualityBand(quality: number | null | undefined): string | null {
  if (quality == null) return null;
  if (quality >= 80) return 'Comprehensive';
  if (quality >= 60) return 'Good';
  if (quality >= 40) return 'Adequate';
  if (quality >= 20) return 'Draft';
  return 'Stub';
}
