import { writeDomainLog } from '../../bench/lib/domain-log';
import { sourceIdForUrl } from '../../src/domain/ids';
import { compareReadModels, verifyLog, withReplay, type TableComparison } from '../../src/projections/audit';
import type { FactlogTrx } from '../../src/projections/tables';
import { toStoredEvent } from '../../src/store/event-store';
import { createTestFactlog, type TestFactlog } from '../support/factlog';
import { ANTHROPIC_ID, DUPLICATE_URL, runScenario, SOURCE_ID } from '../audit/scenario';
import { projectEventsOneByOne } from './per-event-reference';

/**
 * The projection folds a batch of events in memory and writes each table with a few multi-row
 * statements. Whatever the batch size (one event per mutation, a few hundred per import transaction,
 * a thousand per replay read), the read models must be the same bytes: here a replay in batches of 1,
 * 7 and 1000 must match the live tables, and so must the old one-statement-per-event projection
 * (kept in per-event-reference.ts) replaying the same log.
 */

const BATCH_SIZES = [1, 7, 1000];

const different = (tables: TableComparison[]) =>
  tables.filter((t) => !t.equal).map((t) => ({ table: t.table, onlyLive: t.onlyLive, onlyReplayed: t.onlyReplayed }));

/** Every table of a replay in batches of `batchSize` compared with the live one. */
const replayInBatches = (app: TestFactlog, batchSize: number, maxHeld?: number) =>
  withReplay(app.db, {}, (trx, r) => compareReadModels(trx, r.scratchSchema, r.liveSchema), { batchSize, maxHeld });

async function projectOneByOne(trx: FactlogTrx, upTo: number): Promise<number> {
  let after = 0;
  for (;;) {
    const rows = await trx
      .selectFrom('events')
      .selectAll()
      .where('position', '>', after)
      .where('position', '<=', upTo)
      .orderBy('position')
      .limit(500)
      .execute();
    if (rows.length === 0) return after;
    await projectEventsOneByOne(trx, rows.map(toStoredEvent));
    after = rows[rows.length - 1].position;
  }
}

/** The old per-event projection replaying the whole log into a scratch schema, compared with the live tables. */
const replayOneByOne = (app: TestFactlog) =>
  withReplay(app.db, { atPosition: 0 }, async (trx, r) => {
    const head = await trx.selectFrom('log_head').select('position').executeTakeFirstOrThrow();
    await projectOneByOne(trx, head.position);
    return compareReadModels(trx, r.scratchSchema, r.liveSchema);
  });

describe('on the audit scenario and raw multi-stream transactions (live tables written inline)', () => {
  let app: TestFactlog;
  const THIRD_URL = 'https://example.org/third-copy-of-asl3';
  const THIRD_ID = sourceIdForUrl(THIRD_URL);
  const DUPLICATE_ID = sourceIdForUrl(DUPLICATE_URL);

  beforeAll(async () => {
    app = await createTestFactlog();
    await runScenario(app.commands, app.db);
    await app.commands.execute({ type: 'RegisterSource', fields: { url: THIRD_URL, title: 'A third copy', type: 'web' } });
    // Events no command would group this way, appended in one transaction each, so that the inline
    // projection gets several events of one stream in one batch, around merges, with citations of
    // merged-away sources (which the projection stores as the source they were merged into).
    await app.store.appendMany(
      [
        {
          stream: 'fact-f_R59LmVVzcw',
          expectedVersion: 'any',
          events: [
            { type: 'FactCitationAdded', data: { id: 'f_R59LmVVzcw', citation: { sourceId: DUPLICATE_ID, quote: 'from the mirror' } } },
            // The stored citation points at the original by now, so removing the mirror's id removes nothing.
            { type: 'FactCitationRemoved', data: { id: 'f_R59LmVVzcw', sourceId: DUPLICATE_ID } },
            { type: 'FactCorrected', data: { id: 'f_R59LmVVzcw', set: { notes: 'checked twice' }, unset: [] } },
          ],
        },
        {
          stream: 'page-asl-levels',
          expectedVersion: 'any',
          events: [
            { type: 'SourceUncited', data: { slug: 'asl-levels', sourceId: DUPLICATE_ID } },
            { type: 'SourceCited', data: { slug: 'asl-levels', sourceId: SOURCE_ID } },
            { type: 'PageUpdated', data: { slug: 'asl-levels', set: { quality: 61.5 }, unset: ['description'] } },
            { type: 'SourceCited', data: { slug: 'asl-levels', sourceId: DUPLICATE_ID } },
          ],
        },
        {
          stream: `entity-${ANTHROPIC_ID}`,
          expectedVersion: 'any',
          events: [
            { type: 'EntityUpdated', data: { id: ANTHROPIC_ID, set: { aliases: ['Anthropic PBC', 'anthropic'] }, unset: [] } },
            { type: 'EntityRenamed', data: { id: ANTHROPIC_ID, from: 'anthropic-pbc', to: 'anthropic-ai' } },
            // Relations opened, re-related with a new type and closed within one batch.
            { type: 'EntityRelated', data: { id: ANTHROPIC_ID, entityId: 'Zq4Wv8Ty2u', type: 'ai-model', relationship: 'composed-of' } },
            { type: 'EntityRelated', data: { id: ANTHROPIC_ID, unresolvedSlug: 'future-lab' } },
            { type: 'EntityRelated', data: { id: ANTHROPIC_ID, entityId: 'Zq4Wv8Ty2u', type: 'concept', relationship: 'composed-of' } },
            { type: 'EntityUnrelated', data: { id: ANTHROPIC_ID, unresolvedSlug: 'future-lab' } },
          ],
        },
        {
          // Evidence recorded, replaced and withdrawn within one batch (state_versions keeps each state).
          stream: 'verification-fact:f_R59LmVVzcw',
          expectedVersion: 'any',
          events: [
            {
              type: 'EvidenceRecorded',
              data: { id: 'fact:f_R59LmVVzcw', sourceId: SOURCE_ID, verdict: 'partial', confidence: 0.4, checkedBy: 'alice' },
            },
            {
              type: 'EvidenceRecorded',
              data: { id: 'fact:f_R59LmVVzcw', sourceId: DUPLICATE_ID, verdict: 'confirmed', confidence: 0.9, checkedBy: 'bob' },
            },
            {
              type: 'EvidenceRecorded',
              data: { id: 'fact:f_R59LmVVzcw', sourceId: SOURCE_ID, verdict: 'confirmed', confidence: 0.8, checkedBy: 'alice' },
            },
            { type: 'EvidenceWithdrawn', data: { id: 'fact:f_R59LmVVzcw', sourceId: DUPLICATE_ID } },
          ],
        },
        {
          stream: `source-${SOURCE_ID}`,
          expectedVersion: 'any',
          events: [
            { type: 'SourceContentCaptured', data: { id: SOURCE_ID, text: 'first capture', length: 13, contentHash: 'a'.repeat(64) } },
            { type: 'SourceUpdated', data: { id: SOURCE_ID, set: { tags: ['asl', 'policy'] }, unset: [] } },
            {
              type: 'SourceContentCaptured',
              data: { id: SOURCE_ID, text: 'second capture', length: 400, contentHash: 'b'.repeat(64), httpStatus: 200 },
            },
          ],
        },
      ],
      { actor: 'test', reason: 'several events per stream in one transaction' },
    );
    await app.store.appendMany(
      [
        {
          stream: 'fact-f_AuditBatch1',
          expectedVersion: 'no_stream',
          events: [
            {
              type: 'FactAsserted',
              data: {
                id: 'f_AuditBatch1',
                entityId: ANTHROPIC_ID,
                propertyId: 'safety-level',
                value: { kind: 'text', value: 'ASL-3' },
                asOf: '2026-05',
                citations: [{ sourceId: THIRD_ID }],
              },
            },
            { type: 'FactCorrected', data: { id: 'f_AuditBatch1', set: { rank: 'preferred' }, unset: [] } },
          ],
        },
        {
          stream: 'page-anthropic',
          expectedVersion: 'any',
          events: [{ type: 'SourceCited', data: { slug: 'anthropic', sourceId: THIRD_ID } }],
        },
        {
          // Relations closed in a later batch than the one that opened them.
          stream: `entity-${ANTHROPIC_ID}`,
          expectedVersion: 'any',
          events: [
            { type: 'EntityUnrelated', data: { id: ANTHROPIC_ID, entityId: 'Zq4Wv8Ty2u', relationship: 'composed-of' } },
            { type: 'EntityRelated', data: { id: ANTHROPIC_ID, unresolvedSlug: 'future-lab', type: 'organization' } },
          ],
        },
        {
          stream: `source-${THIRD_ID}`,
          expectedVersion: 'any',
          events: [{ type: 'SourceMergedInto', data: { id: THIRD_ID, into: SOURCE_ID } }],
        },
        {
          stream: `source-${SOURCE_ID}`,
          expectedVersion: 'any',
          events: [{ type: 'SourceMergedFrom', data: { id: SOURCE_ID, from: THIRD_ID } }],
        },
        {
          stream: 'fact-f_R59LmVVzcw',
          expectedVersion: 'any',
          events: [
            { type: 'FactCitationAdded', data: { id: 'f_R59LmVVzcw', citation: { sourceId: THIRD_ID, locator: 'p. 2' } } },
            { type: 'FactCitationRemoved', data: { id: 'f_R59LmVVzcw', sourceId: THIRD_ID } },
          ],
        },
        {
          stream: 'fact-f_AuditBatch2',
          expectedVersion: 'no_stream',
          events: [
            {
              type: 'FactAsserted',
              data: {
                id: 'f_AuditBatch2',
                entityId: ANTHROPIC_ID,
                propertyId: 'safety-level',
                value: { kind: 'text', value: 'ASL-4' },
                citations: [{ sourceId: THIRD_ID }, { sourceId: DUPLICATE_ID, quote: 'q' }],
              },
            },
          ],
        },
        {
          stream: 'page-asl-levels',
          expectedVersion: 'any',
          events: [{ type: 'SourceUncited', data: { slug: 'asl-levels', sourceId: THIRD_ID } }],
        },
      ],
      { actor: 'test', reason: 'a merge in the middle of a batch' },
    );
    // A fact asserted before the merge still stores the merged-away id; its next event stores the survivor.
    await app.store.append('fact-f_AuditBatch1', 'any', [
      { type: 'FactCorrected', data: { id: 'f_AuditBatch1', set: { notes: 'after the merge' }, unset: [] } },
    ]);
  });
  afterAll(() => app?.dispose());

  it('keeps every state of a verification stream written in one batch', async () => {
    const rows = await app.db
      .selectFrom('state_versions')
      .select(['version', 'state', 'tx_to'])
      .where('kind', '=', 'verification')
      .orderBy('version')
      .execute();
    expect(rows.map((r) => [r.version, (r.state as { evidence: unknown[] }).evidence.length, r.tx_to === null])).toEqual([
      [1, 1, false],
      [2, 2, false],
      [3, 2, false],
      [4, 1, true],
    ]);
  });

  it.each(BATCH_SIZES)('a replay in batches of %i equals the live read models', async (batchSize) => {
    expect(different(await replayInBatches(app, batchSize))).toEqual([]);
  });

  it('the one-statement-per-event projection replays to the same live read models', async () => {
    const tables = await replayOneByOne(app);
    expect(different(tables)).toEqual([]);
    // Not vacuous: the merges moved citations and several versions came from one transaction.
    const rows = Object.fromEntries(tables.map((t) => [t.table, t.live.rows]));
    expect(rows).toMatchObject({ facts: 5, sources: 3, source_content: 1 });
    expect(rows.fact_versions).toBeGreaterThan(12);
  });
});

describe('on a generated log (bench/lib/domain-log.ts) of facts and editorial work, merges included', () => {
  let app: TestFactlog;
  beforeAll(async () => {
    app = await createTestFactlog();
    // More editorial work and merges than the benchmark's default, so that 2500 events hold several merges.
    const log = await writeDomainLog(
      app.database.pool,
      { events: 2500, entities: 40, sources: 12, seed: 5, editorialShare: 0.15, mergeEvery: 400 },
      { batch: 500 },
    );
    expect(log.counts.get('SourceMergedInto')).toBeGreaterThanOrEqual(3);
    expect(log.counts.get('EntityRenamed')).toBeGreaterThanOrEqual(3);
    expect(log.counts.get('SourceUncited')).toBeGreaterThanOrEqual(3);
    // The live tables come from the per-event reference, so every replay below is compared with it.
    await app.db.transaction().execute(async (trx) => {
      const head = await trx.selectFrom('log_head').select('position').executeTakeFirstOrThrow();
      expect(await projectOneByOne(trx, head.position)).toBe(2500);
    });
  });
  afterAll(() => app?.dispose());

  it.each(BATCH_SIZES)('a replay in batches of %i equals the per-event projection', async (batchSize) => {
    const tables = await replayInBatches(app, batchSize);
    expect(different(tables)).toEqual([]);
    const rows = Object.fromEntries(tables.map((t) => [t.table, t.live.rows]));
    expect(rows.fact_versions).toBeGreaterThan(2000);
  });

  it('a replay that may hold back only a few versions across batches (writing the rest open) equals the per-event projection', async () => {
    expect(different(await replayInBatches(app, 100, 7))).toEqual([]);
  });

  it('the log written in bulk (bench/lib/log-writer.ts) is chained as the store chains it: the verifier accepts every event', async () => {
    const report = await verifyLog(app.db, { batchSize: 300 });
    expect(report).toMatchObject({ ok: true, checked: 2500, firstPosition: 1, lastPosition: 2500, firstBad: null });
    const streams = await app.db
      .selectFrom('streams')
      .select(({ fn }) => fn.sum<string>('version').as('events'))
      .executeTakeFirstOrThrow();
    expect(Number(streams.events)).toBe(2500);
  });
});
