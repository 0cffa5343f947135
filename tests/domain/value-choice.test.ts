import type { Rank } from '../../src/domain/fact';
import { chooseValue, type CandidateStatus, type ValueCandidate } from '../../src/domain/value-choice';

const fact = (
  id: string,
  asOf: string | null,
  more: { validEnd?: string; rank?: Rank; status?: CandidateStatus } = {},
): ValueCandidate => ({ id, asOf, validEnd: more.validEnd ?? null, rank: more.rank ?? 'normal', status: more.status ?? 'asserted' });

/** The last instant of 2025-12, what the query asOf "2025-12" means. */
const END_2025_12 = new Date('2025-12-31T23:59:59.999Z');

const outcomes = (cs: ValueCandidate[], t = END_2025_12) =>
  Object.fromEntries(chooseValue(cs, t).outcomes.map((o) => [o.candidate.id, o.outcome]));

describe('chooseValue', () => {
  it('chooses the latest asOf that holds and says why each other fact lost', () => {
    const cs = [
      fact('f_old', '2024'),
      fact('f_new', '2025-06'),
      fact('f_future', '2026'),
      fact('f_ended', '2025-07', { validEnd: '2025-09' }),
      fact('f_dep', '2025-11', { rank: 'deprecated' }),
      fact('f_gone', '2025-11', { status: 'retracted' }),
      fact('f_later', '2025-11', { status: 'notYetAsserted' }),
      fact('f_timeless', null),
    ];
    const choice = chooseValue(cs, END_2025_12, '2025-12');
    expect(choice.value?.id).toBe('f_new');
    expect(choice.conflicts).toEqual([]);
    expect(outcomes(cs)).toEqual({
      f_old: 'SUPERSEDED',
      f_new: 'CHOSEN',
      f_future: 'NOT_VALID_YET',
      f_ended: 'ENDED',
      f_dep: 'DEPRECATED',
      f_gone: 'RETRACTED',
      f_later: 'NOT_YET_ASSERTED',
      f_timeless: 'SUPERSEDED',
    });
    const old = choice.outcomes.find((o) => o.candidate.id === 'f_old')!;
    expect(old.decidedBy?.id).toBe('f_new');
    expect(old.reason).toBe("asOf 2024 is earlier than f_new's asOf 2025-06");
    expect(choice.outcomes.find((o) => o.candidate.id === 'f_future')!.reason).toBe('asOf 2026 starts after 2025-12');
  });

  it('keeps equal winners as a conflict, the smallest id (code-unit order) as the value', () => {
    const cs = [fact('f_b', '2025'), fact('f_a', '2025-01'), fact('f_C', '2025')];
    const choice = chooseValue(cs, END_2025_12);
    expect(choice.value?.id).toBe('f_C');
    expect(choice.conflicts.map((c) => c.id)).toEqual(['f_a', 'f_b']);
    expect(outcomes(cs)).toEqual({ f_C: 'CHOSEN', f_a: 'TIED', f_b: 'TIED' });
    expect(choice.outcomes.find((o) => o.candidate.id === 'f_a')!.decidedBy?.id).toBe('f_C');
  });

  it('lets preferred beat normal at the same asOf, but not a later normal one', () => {
    expect(outcomes([fact('f_1', '2025', { rank: 'preferred' }), fact('f_2', '2025')])).toEqual({ f_1: 'CHOSEN', f_2: 'OUTRANKED' });
    expect(outcomes([fact('f_1', '2024', { rank: 'preferred' }), fact('f_2', '2025')])).toEqual({ f_1: 'SUPERSEDED', f_2: 'CHOSEN' });
  });

  it('falls back to timeless facts only when no dated one holds', () => {
    const cs = [fact('f_t', null), fact('f_d', '2026'), fact('f_t2', null, { rank: 'preferred' })];
    const choice = chooseValue(cs, END_2025_12);
    expect(choice.value?.id).toBe('f_t2');
    expect(outcomes(cs)).toEqual({ f_t: 'OUTRANKED', f_d: 'NOT_VALID_YET', f_t2: 'CHOSEN' });
    expect(choice.outcomes.find((o) => o.candidate.id === 'f_t2')!.reason).toBe('timeless, and no dated fact holds then');
  });

  it('ends a fact at the start of its validEnd period, timeless ones too', () => {
    expect(outcomes([fact('f_t', null, { validEnd: '2025-12' })])).toEqual({ f_t: 'ENDED' });
    expect(outcomes([fact('f_t', null, { validEnd: '2026' })])).toEqual({ f_t: 'CHOSEN' });
    expect(chooseValue([fact('f_t', null, { validEnd: '2025-12' })], END_2025_12).value).toBeNull();
  });

  it('has no value without candidates', () => {
    expect(chooseValue([], END_2025_12)).toEqual({ value: null, conflicts: [], outcomes: [] });
  });
});
