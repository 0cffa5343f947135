import {
  decideVerification,
  evolveVerification,
  needsRecheck,
  parseTarget,
  verdictOf,
  type Evidence,
  type VerificationContext,
  type VerificationState,
} from '../../src/domain/verification';
import { expectFail, expectOk, replay } from './domain-test-helpers';

const FACT = 'f_BnkEWenniQ';
const TARGET = { kind: 'fact', factId: FACT } as const;
const SRC_A = '7512ddb574f82249';
const SRC_B = '683aef834ac1612a';
const HASH_1 = '1'.repeat(64);
const HASH_2 = '2'.repeat(64);
const WITH_CONTENT: VerificationContext = { targetExists: true, sourceContentHash: HASH_1 };
const NO_CONTENT: VerificationContext = { targetExists: true, sourceContentHash: null };

const ev = (sourceId: string, verdict: Evidence['verdict'], confidence: number, contentHash?: string): Evidence => ({
  sourceId,
  verdict,
  confidence,
  checkedBy: 'alice',
  ...(contentHash ? { contentHash } : {}),
});

describe('verification targets', () => {
  it('reads facts and record fields, and refuses anything else with the path', () => {
    expect(expectOk(parseTarget(`fact:${FACT}`))).toEqual(TARGET);
    expect(expectOk(parseTarget('record:mK9pX3rQ7n:funding-rounds:series-a@amount'))).toEqual({
      kind: 'record',
      recordId: 'mK9pX3rQ7n:funding-rounds:series-a',
      field: 'amount',
    });
    expectFail(parseTarget('entity:x'), 'BAD_USER_INPUT', 'target', 'expected "fact:<fact id>"');
    expectFail(parseTarget('record:abc'), 'BAD_USER_INPUT', 'target', 'record:<record id>@<field>');
  });
});

describe('decideVerification', () => {
  const fields = { verdict: 'confirmed', confidence: 0.9, checkedBy: 'alice', quote: '$9B', contentHash: HASH_1 };

  it('records evidence for a (target, source) pair and keeps only its latest', () => {
    const first = expectOk(decideVerification({ type: 'RecordEvidence', target: TARGET, sourceId: SRC_A, fields }, null, WITH_CONTENT));
    expect(first).toEqual([{ type: 'EvidenceRecorded', data: { id: `fact:${FACT}`, sourceId: SRC_A, ...fields } }]);
    const again = { ...fields, verdict: 'outdated', confidence: 0.5 };
    const second = expectOk(
      decideVerification(
        { type: 'RecordEvidence', target: TARGET, sourceId: SRC_A, fields: again },
        replay(evolveVerification, null as VerificationState, first),
        WITH_CONTENT,
      ),
    );
    const state = replay(evolveVerification, null as VerificationState, [...first, ...second]);
    expect(state?.evidence).toEqual([{ sourceId: SRC_A, ...again }]);
  });

  it('records nothing when the same evidence is recorded again', () => {
    const first = expectOk(decideVerification({ type: 'RecordEvidence', target: TARGET, sourceId: SRC_A, fields }, null, WITH_CONTENT));
    const state = replay(evolveVerification, null as VerificationState, first);
    expect(expectOk(decideVerification({ type: 'RecordEvidence', target: TARGET, sourceId: SRC_A, fields }, state, WITH_CONTENT))).toEqual(
      [],
    );
  });

  it('refuses bad input with the field path', () => {
    const bad = (f: unknown, ctx = WITH_CONTENT) =>
      decideVerification({ type: 'RecordEvidence', target: TARGET, sourceId: SRC_A, fields: f }, null, ctx);
    expectFail(bad({ ...fields, confidence: 1.5 }), 'BAD_USER_INPUT', 'evidence.confidence', 'from 0 to 1');
    expectFail(bad({ ...fields, verdict: 'true' }), 'BAD_USER_INPUT', 'evidence.verdict', 'expected one of confirmed');
    expectFail(bad({ ...fields, contentHash: 'abc' }), 'BAD_USER_INPUT', 'evidence.contentHash', 'sha256');
    expectFail(bad({ ...fields, checkedAt: '2025-02-30T00:00:00Z' }), 'BAD_USER_INPUT', 'evidence.checkedAt', 'ISO 8601');
    const { contentHash: _omitted, ...withoutHash } = fields;
    expectFail(bad(withoutHash), 'BAD_USER_INPUT', 'evidence.contentHash', 'is required');
    expect(expectOk(bad(withoutHash, NO_CONTENT))).toHaveLength(1);
  });

  it('refuses an unknown target as NOT_FOUND, and withdrawing evidence that is not there', () => {
    const missing = { targetExists: false, sourceContentHash: null };
    expectFail(
      decideVerification({ type: 'RecordEvidence', target: TARGET, sourceId: SRC_A, fields }, null, missing),
      'NOT_FOUND',
      'target',
      FACT,
    );
    expectFail(
      decideVerification({ type: 'WithdrawEvidence', target: TARGET, sourceId: SRC_A }, null, NO_CONTENT),
      'NOT_FOUND',
      'source',
      'no evidence',
    );
  });

  it('withdraws a pair, leaving the others', () => {
    const recorded = [SRC_A, SRC_B].flatMap((s) =>
      expectOk(decideVerification({ type: 'RecordEvidence', target: TARGET, sourceId: s, fields }, null, WITH_CONTENT)),
    );
    const state = replay(evolveVerification, null as VerificationState, recorded);
    const withdrawn = expectOk(decideVerification({ type: 'WithdrawEvidence', target: TARGET, sourceId: SRC_A }, state, NO_CONTENT));
    expect(replay(evolveVerification, state, withdrawn)?.evidence.map((e) => e.sourceId)).toEqual([SRC_B]);
  });
});

describe('verdictOf', () => {
  it.each([
    [[], 'unchecked', null],
    [[ev(SRC_A, 'confirmed', 0.8), ev(SRC_B, 'confirmed', 0.6)], 'confirmed', 0.8],
    [[ev(SRC_A, 'confirmed', 0.8), ev(SRC_B, 'contradicted', 0.8)], 'contradicted', 0.8],
    [[ev(SRC_A, 'confirmed', 0.9), ev(SRC_B, 'contradicted', 0.4)], 'partial', 0.9],
    [[ev(SRC_A, 'confirmed', 0.7), ev(SRC_B, 'unverifiable', 0.9)], 'partial', 0.7],
    [[ev(SRC_A, 'partial', 0.5)], 'partial', 0.5],
    [[ev(SRC_A, 'outdated', 0.5), ev(SRC_B, 'outdated', 0.6)], 'outdated', 0.6],
    [[ev(SRC_A, 'unverifiable', 0.3)], 'unverifiable', 0.3],
    [[ev(SRC_A, 'unverifiable', 0.3), ev(SRC_B, 'outdated', 0.2)], 'outdated', 0.2],
    [[ev(SRC_A, 'contradicted', 0.1)], 'contradicted', 0.1],
  ] as const)('%j -> %s (%s)', (evidence, verdict, confidence) => {
    expect(verdictOf(evidence)).toEqual({ verdict, confidence });
  });
});

describe('needsRecheck', () => {
  const hashes = new Map([[SRC_A, HASH_1]]);
  it('is false when nothing changed since the check, and for a target never checked', () => {
    expect(needsRecheck([ev(SRC_A, 'confirmed', 1, HASH_1)], hashes, [SRC_A])).toBe(false);
    expect(needsRecheck([], hashes, [SRC_A])).toBe(false);
  });
  it('turns on when the source content changed', () => {
    expect(needsRecheck([ev(SRC_A, 'confirmed', 1, HASH_1)], new Map([[SRC_A, HASH_2]]), [SRC_A])).toBe(true);
  });
  it('turns on when a cited source has no evidence, or evidence names a source no longer cited', () => {
    expect(needsRecheck([ev(SRC_A, 'confirmed', 1, HASH_1)], hashes, [SRC_A, SRC_B])).toBe(true);
    expect(needsRecheck([ev(SRC_A, 'confirmed', 1, HASH_1), ev(SRC_B, 'confirmed', 1)], hashes, [SRC_A])).toBe(true);
  });
  it('ignores citations for a record field (no citation list)', () => {
    expect(needsRecheck([ev(SRC_A, 'confirmed', 1, HASH_1)], hashes, null)).toBe(false);
  });
});
