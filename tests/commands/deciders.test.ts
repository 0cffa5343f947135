/**
 * planCommand is pure given its lookups: these tests answer them from maps, as the importer's batch
 * writer does, and need no database.
 */
import { planCommand } from '../../src/commands/deciders';
import type { CommandLookups } from '../../src/commands/lookups';
import type { Command } from '../../src/commands/commands';
import { DomainError } from '../../src/domain/errors';
import { evolveAny, type AnyState } from '../../src/domain/evolve';
import type { FactProperty } from '../../src/domain/fact';
import { expectFail, expectOk } from '../domain/domain-test-helpers';

const FACT = 'f_BnkEWenniQ';
const ENTITY = 'mK9pX3rQ7n';
const OTHER_ENTITY = 'Zq8wY2tL5v';
const SOURCE = '7512ddb574f82249';
const URL = 'https://example.org/paper';
const HASH = 'a'.repeat(64);
const PROPERTY: FactProperty = { id: 'safety-level', dataType: 'text' };

/** Names by slug or URL, as the read models would answer; every call is recorded. */
function lookups(calls: string[] = []): CommandLookups {
  const entities: Record<string, string> = { anthropic: ENTITY, [ENTITY]: ENTITY };
  const sources: Record<string, string> = { [URL]: SOURCE, [SOURCE]: SOURCE };
  return {
    entityId: async (key) => (calls.push(`entity ${key}`), entities[key] ?? null),
    sourceId: async (key) => (calls.push(`source ${key}`), sources[key] ?? null),
    pageSlug: async (key) => (calls.push(`page ${key}`), key === 'P1' || key === 'intro' ? 'intro' : null),
    slugOwner: async (slug) => (calls.push(`slug ${slug}`), slug === 'openai' ? OTHER_ENTITY : null),
    property: async (id) => (calls.push(`property ${id}`), id === PROPERTY.id ? PROPERTY : null),
    recordSchema: async (collection) => (calls.push(`recordSchema ${collection}`), null),
    verificationTarget: async (t) => (calls.push(`target ${t.kind}`), t.kind === 'fact' && t.factId === FACT),
    sourceContentHash: async (id) => (calls.push(`hash ${id}`), id === SOURCE ? HASH : null),
  };
}

async function decide(command: Command, state: AnyState = null, calls?: string[]) {
  const l = lookups(calls);
  const plan = await planCommand(command, l);
  return { plan, result: await plan.decide(state, l) };
}

const assertFact: Command = {
  type: 'AssertFact',
  id: FACT,
  entity: 'anthropic',
  property: PROPERTY.id,
  value: 'ASL-3',
  citations: [{ source: URL, quote: 'q' }],
};

describe('planCommand', () => {
  it('targets a fact stream and resolves the entity and the cited sources by the names callers use', async () => {
    const { plan, result } = await decide(assertFact);
    expect({ kind: plan.kind, id: plan.id }).toEqual({ kind: 'fact', id: FACT });
    const [event] = expectOk(result);
    expect(event).toMatchObject({ type: 'FactAsserted', data: { entityId: ENTITY, citations: [{ sourceId: SOURCE, quote: 'q' }] } });
  });

  it('reports an unknown cited source at its place in the list', async () => {
    const refused = decide({ ...assertFact, citations: [{ source: URL }, { source: 'https://nowhere.example' }] });
    await expect(refused).rejects.toBeInstanceOf(DomainError);
    await expect(refused).rejects.toMatchObject({ code: 'NOT_FOUND', path: ['citations.1.source'] });
    await expect(refused).rejects.toThrow('source "https://nowhere.example" does not exist');
  });

  it('checks a correction against the property the fact already has, looked up from its state', async () => {
    const asserted = expectOk((await decide(assertFact)).result);
    const state = asserted.reduce<AnyState>(evolveAny, null);
    const calls: string[] = [];
    const { result } = await decide({ type: 'CorrectFact', id: FACT, set: { value: 'ASL-4' } }, state, calls);
    expect(expectOk(result)).toMatchObject([
      { type: 'FactCorrected', data: { id: FACT, set: { value: { kind: 'text', value: 'ASL-4' } } } },
    ]);
    expect(calls).toEqual([`property ${PROPERTY.id}`]);
  });

  it('refuses a target nobody has named before deciding anything', async () => {
    await expect(planCommand({ type: 'UpdateEntity', entity: 'nobody', set: { name: 'x' } }, lookups())).rejects.toMatchObject({
      code: 'NOT_FOUND',
      path: ['entity'],
    });
  });

  it('resolves a page by its numeric id and refuses a slug another entity owns', async () => {
    expect((await planCommand({ type: 'UpdatePage', page: 'P1', set: {} }, lookups())).id).toBe('intro');
    const { result } = await decide({
      type: 'RegisterEntity',
      id: ENTITY,
      fields: { slug: 'openai', name: 'OpenAI', type: 'organization' },
    });
    expectFail(result, 'CONFLICT', 'slug', `already names entity ${OTHER_ENTITY}`);
  });
});

describe('planCommand: verification', () => {
  const evidence = { verdict: 'confirmed', confidence: 0.9, checkedBy: 'alice', contentHash: 'a'.repeat(64) };
  it('targets the verification stream of a fact and resolves the source by URL', async () => {
    const { plan, result } = await decide({ type: 'RecordEvidence', target: `fact:${FACT}`, source: URL, evidence });
    expect({ kind: plan.kind, id: plan.id }).toEqual({ kind: 'verification', id: `fact:${FACT}` });
    expect(expectOk(result)).toEqual([{ type: 'EvidenceRecorded', data: { id: `fact:${FACT}`, sourceId: SOURCE, ...evidence } }]);
  });
  it('reports an unknown fact and an unknown source as NOT_FOUND', async () => {
    const unknownFact = await decide({ type: 'RecordEvidence', target: 'fact:f_nope', source: URL, evidence });
    expectFail(unknownFact.result, 'NOT_FOUND', 'target', 'f_nope');
    await expect(
      decide({ type: 'RecordEvidence', target: `fact:${FACT}`, source: 'https://nowhere.example', evidence }),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
      path: ['source'],
    });
  });
  it('refuses a malformed target before looking anything up', async () => {
    const calls: string[] = [];
    await expect(decide({ type: 'RecordEvidence', target: 'page:intro', source: URL, evidence }, null, calls)).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
      path: ['target'],
    });
    expect(calls).toEqual([]);
  });
});
