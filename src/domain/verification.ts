import { DomainError, fail, failInput, ok, type Result } from './errors';
import { numberIn, oneOf, readFields, text, type FieldSpecs } from './fields';
import { isFactId, isSourceHexId } from './ids';
import type { Decider } from './decider';
import { notFound } from './register-update';
import { instant } from './source';

/**
 * Verification (docs/domain.md, "Verification"): evidence, per (target, source) pair, of what a
 * source says about a fact or a record field, and the verdict a target gets from all its evidence.
 * One stream per target, `verification-<target>`; the target string is the stream's id.
 */

/** What one source says about a target, as a checker (a person or a model) read it. */
export const EVIDENCE_VERDICTS = ['confirmed', 'contradicted', 'unverifiable', 'outdated', 'partial'] as const;
export type EvidenceVerdict = (typeof EVIDENCE_VERDICTS)[number];
/** A target's verdict: an evidence verdict, or `unchecked` when it has no evidence. */
export const VERDICTS = [...EVIDENCE_VERDICTS, 'unchecked'] as const;
export type Verdict = (typeof VERDICTS)[number];

/** A fact (`fact:<factId>`) or one field of a record (`record:<recordId>@<field>`). */
export type VerificationTarget = { kind: 'fact'; factId: string } | { kind: 'record'; recordId: string; field: string };

const RECORD_TARGET = /^record:([^@\s]{1,400})@([A-Za-z][A-Za-z0-9_-]{0,63})$/;

export function parseTarget(raw: unknown, path = 'target'): Result<VerificationTarget> {
  if (typeof raw === 'string' && raw.startsWith('fact:') && isFactId(raw.slice(5))) return ok({ kind: 'fact', factId: raw.slice(5) });
  const m = typeof raw === 'string' ? RECORD_TARGET.exec(raw) : null;
  if (m) return ok({ kind: 'record', recordId: m[1]!, field: m[2]! });
  return failInput(path, `expected "fact:<fact id>" or "record:<record id>@<field>", got ${JSON.stringify(raw)}`);
}

export const targetKey = (t: VerificationTarget): string => (t.kind === 'fact' ? `fact:${t.factId}` : `record:${t.recordId}@${t.field}`);

/** What a checker says; `sourceId` is the pair's other half. */
export interface EvidenceFields {
  verdict: EvidenceVerdict;
  /** How sure the checker is, 0..1. */
  confidence: number;
  /** A person's key or a model's name. */
  checkedBy: string;
  quote?: string;
  locator?: string;
  reasoning?: string;
  /** The hash (SourceContentCaptured's contentHash) of the source content checked against. */
  contentHash?: string;
  checkedAt?: string;
}

export interface Evidence extends EvidenceFields {
  sourceId: string;
}

const CONTENT_HASH = /^[0-9a-f]{64}$/;

export const evidenceFields: FieldSpecs<EvidenceFields> = {
  verdict: { ...oneOf(EVIDENCE_VERDICTS), required: true },
  confidence: { ...numberIn(0, 1), required: true },
  checkedBy: { ...text(200), required: true },
  quote: text(10_000),
  locator: text(500),
  reasoning: text(10_000),
  contentHash: {
    read: (raw, path) =>
      typeof raw === 'string' && CONTENT_HASH.test(raw) ? ok(raw) : failInput(path, 'expected a sha256 content hash of 64 hex characters'),
  },
  checkedAt: instant,
};

export type VerificationEvent =
  { type: 'EvidenceRecorded'; data: { id: string } & Evidence } | { type: 'EvidenceWithdrawn'; data: { id: string; sourceId: string } };

export type VerificationCommand =
  | { type: 'RecordEvidence'; target: VerificationTarget; sourceId: string; fields: unknown }
  | { type: 'WithdrawEvidence'; target: VerificationTarget; sourceId: string };

/** What deciding needs from other streams, looked up by the command plan (src/commands/deciders.ts). */
export interface VerificationContext {
  targetExists: boolean;
  /** The source's current content hash; null when it has captured no content. */
  sourceContentHash: string | null;
}

/** A target's latest evidence per source, in the order the sources were first checked. */
export type VerificationState = { id: string; evidence: Evidence[] } | null;

const sameEvidence = (a: Evidence, b: Evidence): boolean => JSON.stringify(a) === JSON.stringify(b);

export function decideVerification(
  command: VerificationCommand,
  state: VerificationState,
  context: VerificationContext,
): Result<VerificationEvent[]> {
  const id = targetKey(command.target);
  if (!context.targetExists)
    return fail(notFound(command.target.kind === 'fact' ? `fact ${command.target.factId}` : `record field ${id.slice(7)}`, 'target'));
  if (!isSourceHexId(command.sourceId)) return failInput('source', `expected a source id, got ${JSON.stringify(command.sourceId)}`);
  switch (command.type) {
    case 'RecordEvidence': {
      const read = readFields(evidenceFields, command.fields, 'evidence', { requireAll: true });
      if (!read.ok) return read;
      const fields = read.value as EvidenceFields;
      // Without the hash no one could tell later whether the source changed since the check.
      if (context.sourceContentHash !== null && fields.contentHash === undefined)
        return failInput('evidence.contentHash', 'is required: the source has captured content; give the hash of the version checked');
      const evidence: Evidence = { sourceId: command.sourceId, ...fields };
      const current = state?.evidence.find((e) => e.sourceId === command.sourceId);
      if (current && sameEvidence(current, evidence)) return ok([]);
      return ok([{ type: 'EvidenceRecorded', data: { id, ...evidence } }]);
    }
    case 'WithdrawEvidence':
      if (!state?.evidence.some((e) => e.sourceId === command.sourceId))
        return fail(new DomainError('NOT_FOUND', `${id} has no evidence from source ${command.sourceId}`, ['source']));
      return ok([{ type: 'EvidenceWithdrawn', data: { id, sourceId: command.sourceId } }]);
  }
}

export function evolveVerification(state: VerificationState, event: VerificationEvent): VerificationState {
  const evidence = state?.evidence ?? [];
  switch (event.type) {
    case 'EvidenceRecorded': {
      const { id, ...e } = event.data;
      const at = evidence.findIndex((x) => x.sourceId === e.sourceId);
      return { id, evidence: at < 0 ? [...evidence, e] : evidence.map((x, i) => (i === at ? e : x)) };
    }
    case 'EvidenceWithdrawn':
      return { id: event.data.id, evidence: evidence.filter((x) => x.sourceId !== event.data.sourceId) };
  }
}

export const verificationDecider: Decider<VerificationCommand, VerificationState, VerificationEvent, VerificationContext> = {
  initialState: null,
  decide: decideVerification,
  evolve: evolveVerification,
};

export interface VerdictOf {
  verdict: Verdict;
  /** Null when unchecked. */
  confidence: number | null;
}

const maxConfidence = (evidence: readonly Evidence[], verdicts: readonly EvidenceVerdict[]): number =>
  Math.max(0, ...evidence.filter((e) => verdicts.includes(e.verdict)).map((e) => e.confidence));

/**
 * A target's verdict from its evidence, by the first rule that applies (docs/domain.md, "Verification"):
 * none → unchecked; a contradiction at least as confident as the best confirmation → contradicted;
 * all confirmed → confirmed; any confirmed or partial → partial; all unverifiable → unverifiable;
 * otherwise (outdated, maybe with unverifiable) → outdated. The confidence is the highest among the
 * evidence behind the verdict (for partial: the confirmed and partial evidence).
 */
export function verdictOf(evidence: readonly Evidence[]): VerdictOf {
  if (evidence.length === 0) return { verdict: 'unchecked', confidence: null };
  const has = (v: EvidenceVerdict) => evidence.some((e) => e.verdict === v);
  const all = (v: EvidenceVerdict) => evidence.every((e) => e.verdict === v);
  const of = (verdict: EvidenceVerdict, behind: readonly EvidenceVerdict[] = [verdict]): VerdictOf => ({
    verdict,
    confidence: maxConfidence(evidence, behind),
  });
  if (has('contradicted') && maxConfidence(evidence, ['contradicted']) >= maxConfidence(evidence, ['confirmed'])) return of('contradicted');
  if (all('confirmed')) return of('confirmed');
  if (has('confirmed') || has('partial')) return of('partial', ['confirmed', 'partial']);
  if (all('unverifiable')) return of('unverifiable');
  return of('outdated');
}

/**
 * Whether a target's evidence no longer matches the world: a source's current content hash differs
 * from the one checked, or (for facts, `citationsNow` not null) a cited source has no evidence or
 * evidence names a source no longer cited. A target never checked needs a check, not a recheck: false.
 * `currentHashes` maps a source id to its current content hash (absent or null: no captured content).
 */
export function needsRecheck(
  evidence: readonly Evidence[],
  currentHashes: ReadonlyMap<string, string | null>,
  citationsNow: readonly string[] | null,
): boolean {
  if (evidence.length === 0) return false;
  const changed = evidence.some((e) => {
    const now = currentHashes.get(e.sourceId) ?? null;
    return now !== null && now !== e.contentHash;
  });
  if (changed || citationsNow === null) return changed;
  const cited = new Set(citationsNow);
  const checked = new Set(evidence.map((e) => e.sourceId));
  return citationsNow.some((s) => !checked.has(s)) || evidence.some((e) => !cited.has(e.sourceId));
}
