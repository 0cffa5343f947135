import { keepsSupport, restsOnlyOn, valueChange, type SupportedCandidate } from '../../src/domain/impact';

const fact = (id: string, asOf: string | null, sourceIds: string[]): SupportedCandidate => ({
  id,
  asOf,
  validEnd: null,
  rank: 'normal',
  status: 'asserted',
  sourceIds,
});
const ratings: Record<string, number> = { a: 4, b: 2, c: 5 };
const ratingOf = (id: string) => ratings[id] ?? null;

describe('support', () => {
  it('a fact rests only on a source when it cites nothing else; a fact citing nothing rests on nothing', () => {
    expect(restsOnlyOn({ sourceIds: ['a'] }, 'a')).toBe(true);
    expect(restsOnlyOn({ sourceIds: ['a', 'b'] }, 'a')).toBe(false);
    expect(restsOnlyOn({ sourceIds: [] }, 'a')).toBe(false);
  });

  it('keeps support by hypothesis: another source if retracted, another rated N or more if discredited', () => {
    expect(keepsSupport({ sourceIds: ['a'] }, 'a', { kind: 'none' }, ratingOf)).toBe(true);
    expect(keepsSupport({ sourceIds: ['a'] }, 'a', { kind: 'retracted' }, ratingOf)).toBe(false);
    expect(keepsSupport({ sourceIds: ['a', 'b'] }, 'a', { kind: 'retracted' }, ratingOf)).toBe(true);
    expect(keepsSupport({ sourceIds: ['a', 'b'] }, 'a', { kind: 'credibilityBelow', rating: 3 }, ratingOf)).toBe(false);
    expect(keepsSupport({ sourceIds: ['a', 'c'] }, 'a', { kind: 'credibilityBelow', rating: 5 }, ratingOf)).toBe(true);
    // An unrated source supports nothing under a rating threshold.
    expect(keepsSupport({ sourceIds: ['a', 'x'] }, 'a', { kind: 'credibilityBelow', rating: 1 }, ratingOf)).toBe(false);
    // A fact that does not cite the source is untouched by it.
    expect(keepsSupport({ sourceIds: ['b'] }, 'a', { kind: 'retracted' }, ratingOf)).toBe(true);
  });
});

describe('valueChange', () => {
  const facts = [fact('f1', '2023', ['c']), fact('f2', '2024', ['a']), fact('f3', '2024', ['a', 'b'])];
  const at = new Date('2025-01-01T00:00:00Z');

  it('is null when the value and its conflicts stay the same', () => {
    expect(valueChange(facts, (f) => f.id === 'f1', at)).toBeNull();
  });

  it('says what the value and its conflicts would be without the facts that lose support', () => {
    const change = valueChange(facts, (f) => f.id === 'f2', at)!;
    expect([change.before.value?.id, change.before.conflicts.map((f) => f.id)]).toEqual(['f2', ['f3']]);
    expect([change.after.value?.id, change.after.conflicts]).toEqual(['f3', []]);
    const none = valueChange(facts, () => true, at)!;
    expect(none.after.value).toBeNull();
  });
});
