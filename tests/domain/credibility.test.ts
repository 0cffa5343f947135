import { CREDIBILITY_SCALE, effectiveCredibility, qualityBand } from '../../src/domain/credibility';

describe('CREDIBILITY_SCALE', () => {
  it.each([
    [5, 'Gold', 'Gold standard. Rigorous peer review, high editorial standards, and strong institutional reputation.'],
    [4, 'High', 'High quality. Established institution or organization with editorial oversight and accountability.'],
    [
      3,
      'Good',
      'Good quality. Reputable source with community review or editorial standards, but less rigorous than peer-reviewed venues.',
    ],
    [2, 'Mixed', 'Mixed quality. Some useful content but inconsistent editorial standards. Claims should be verified.'],
    [1, 'Low', 'Low credibility. Unvetted or unreliable source. Use with caution and always cross-reference.'],
  ])('rating %d is %s with the docs/domain.md description', (rating, label, description) => {
    expect(CREDIBILITY_SCALE[rating]).toEqual({ label, description });
  });

  it('has exactly the ratings 1 to 5', () => {
    expect(Object.keys(CREDIBILITY_SCALE).map(Number).sort()).toEqual([1, 2, 3, 4, 5]);
  });
});

describe('effectiveCredibility', () => {
  it('uses the source override over the publication rating', () => {
    expect(effectiveCredibility(2, 5)).toEqual({ rating: 2, ...CREDIBILITY_SCALE[2], label: 'Mixed', overridden: true });
  });

  it('uses the override when there is no publication rating', () => {
    expect(effectiveCredibility(5, null)).toEqual({ rating: 5, ...CREDIBILITY_SCALE[5], label: 'Gold', overridden: true });
    expect(effectiveCredibility(1, undefined)).toMatchObject({ rating: 1, label: 'Low', overridden: true });
  });

  it('inherits the publication rating when there is no override', () => {
    expect(effectiveCredibility(null, 4)).toEqual({ rating: 4, ...CREDIBILITY_SCALE[4], label: 'High', overridden: false });
    expect(effectiveCredibility(undefined, 3)).toMatchObject({ rating: 3, label: 'Good', overridden: false });
  });

  it('is none when neither gives a rating', () => {
    expect(effectiveCredibility(null, null)).toBeNull();
    expect(effectiveCredibility(undefined, undefined)).toBeNull();
  });

  it.each([[0], [6], [2.5], [-1]])('is none for the off-scale rating %d', (rating) => {
    expect(effectiveCredibility(null, rating)).toBeNull();
    expect(effectiveCredibility(rating, null)).toBeNull();
  });

  it.each([
    [1, 'Low'],
    [2, 'Mixed'],
    [3, 'Good'],
    [4, 'High'],
    [5, 'Gold'],
  ])('labels rating %d %s whether overridden or inherited', (rating, label) => {
    expect(effectiveCredibility(rating, null)?.label).toBe(label);
    expect(effectiveCredibility(null, rating)?.label).toBe(label);
  });
});

describe('qualityBand', () => {
  it.each([
    [0, 'Stub'],
    [19.9, 'Stub'],
    [20, 'Draft'],
    [39.9, 'Draft'],
    [40, 'Adequate'],
    [59.9, 'Adequate'],
    [60, 'Good'],
    [79.9, 'Good'],
    [80, 'Comprehensive'],
    [100, 'Comprehensive'],
  ])('%d is %s', (quality, band) => {
    expect(qualityBand(quality)).toBe(band);
  });

  it('is null without a quality', () => {
    expect(qualityBand(null)).toBeNull();
    expect(qualityBand(undefined)).toBeNull();
  });
});
