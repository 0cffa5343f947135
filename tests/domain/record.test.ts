import {
  decideRecord,
  evolveRecord,
  recordId,
  type RecordCommand,
  type RecordContext,
  type RecordEvent,
  type RecordState,
} from '../../src/domain/record';
import type { RecordSchemaFields } from '../../src/domain/record-schema';
import { expectFail, expectOk } from './domain-test-helpers';

/** Folds record events; every fold here starts from or leads to a record, so null is a test failure. */
function replay(_evolve: typeof evolveRecord, state: RecordState | null, events: readonly RecordEvent[]): RecordState {
  const next = events.reduce<RecordState | null>(evolveRecord, state);
  if (!next) throw new Error('expected a record state');
  return next;
}

const ANTHROPIC = 'mK9pX3rQ7n';
const DARIO = 'Zq8wY2tL5v';
const ID = recordId(ANTHROPIC, 'equity-positions', 'dario-amodei');

const SCHEMA: RecordSchemaFields = {
  name: 'Equity Position',
  collectionName: 'equity-positions',
  temporal: true,
  endpoints: {
    holder: { types: ['person', 'organization'], required: true, allowDisplayName: true },
    company: { types: ['organization'], implicit: true },
  },
  fields: {
    stake: { type: 'number' },
    since: { type: 'date' },
    until: { type: 'date' },
    source: { type: 'text', required: true },
    lead: { type: 'ref' },
  },
  validFrom: 'since',
  validTo: 'until',
};

const context = (refs: Record<string, string | null> = {}): RecordContext => ({
  schema: { id: 'equity-position', fields: SCHEMA },
  refs: new Map(Object.entries(refs)),
});

const create = (fields: unknown, unchecked?: unknown): RecordCommand => ({
  type: 'CreateRecord',
  id: ID,
  entityId: ANTHROPIC,
  collection: 'equity-positions',
  key: 'dario-amodei',
  fields,
  unchecked,
});

function created(): RecordState {
  const events = expectOk(
    decideRecord(
      create({ holder: 'dario-amodei', stake: [0.015, 0.025], since: '2021-01', source: 'https://x.org' }),
      null,
      context({ 'dario-amodei': DARIO }),
    ),
  );
  return replay(evolveRecord, null, events);
}

describe('records', () => {
  it('creates a record with its endpoint resolved to the entity, a range value and its valid span', () => {
    expect(created()).toEqual({
      id: ID,
      entityId: ANTHROPIC,
      collection: 'equity-positions',
      key: 'dario-amodei',
      schemaId: 'equity-position',
      fields: { holder: { entityId: DARIO }, stake: [0.015, 0.025], since: '2021-01', source: 'https://x.org' },
      validFrom: '2021-01',
      removed: false,
    });
  });

  it('takes a display name where the endpoint allows one', () => {
    const [event] = expectOk(decideRecord(create({ holder: { displayName: 'Employee equity pool' }, source: 's' }), null, context()));
    expect(event.type === 'RecordCreated' && event.data.fields.holder).toEqual({ displayName: 'Employee equity pool' });
  });

  it('refuses an unknown field, a wrong type, a missing required field, an unknown entity and an unknown collection', () => {
    expectFail(
      decideRecord(create({ holder: { displayName: 'H' }, source: 's', shares: 3 }), null, context()),
      'BAD_USER_INPUT',
      'fields.shares',
      'unknown field',
    );
    expectFail(
      decideRecord(create({ holder: { displayName: 'H' }, source: 's', stake: 'a lot' }), null, context()),
      'BAD_USER_INPUT',
      'fields.stake',
      'expected a number or a [min, max] range',
    );
    expectFail(
      decideRecord(create({ holder: { displayName: 'H' }, source: 's', stake: [0.3, 0.1] }), null, context()),
      'BAD_USER_INPUT',
      'fields.stake',
      'lower to its upper',
    );
    expectFail(
      decideRecord(create({ holder: { displayName: 'H' }, source: 's', since: '2021-13' }), null, context()),
      'BAD_USER_INPUT',
      'fields.since',
      '',
    );
    expectFail(decideRecord(create({ holder: { displayName: 'H' } }), null, context()), 'BAD_USER_INPUT', 'fields.source', 'is required');
    expectFail(decideRecord(create({ source: 's' }), null, context()), 'BAD_USER_INPUT', 'fields.holder', 'is required');
    expectFail(
      decideRecord(create({ holder: 'nobody', source: 's' }), null, context({ nobody: null })),
      'NOT_FOUND',
      'fields.holder',
      'entity "nobody" does not exist',
    );
    expectFail(
      decideRecord(create({ holder: { displayName: 'H' }, source: 's', lead: { displayName: 'L' } }), null, context()),
      'BAD_USER_INPUT',
      'fields.lead',
      'display name is not allowed',
    );
    expectFail(
      decideRecord(create({ source: 's' }), null, { schema: null, refs: new Map() }),
      'NOT_FOUND',
      'collection',
      'record collection "equity-positions"',
    );
    expectFail(
      decideRecord(create({ holder: { displayName: 'H' }, source: 's' }), created(), context()),
      'CONFLICT',
      'key',
      'already exists',
    );
  });

  it('keeps unchecked values verbatim, and they stand in for a required field', () => {
    const events = expectOk(decideRecord(create({ holder: { displayName: 'H' } }, { source: 42 }), null, context()));
    const state = replay(evolveRecord, null, events);
    expect(state.unchecked).toEqual({ source: 42 });
    // Setting the field through a patch makes it checked again.
    const patched = replay(
      evolveRecord,
      state,
      expectOk(decideRecord({ type: 'UpdateRecord', id: ID, set: { source: 'https://y.org' } }, state, context())),
    );
    expect(patched.fields.source).toBe('https://y.org');
    expect(patched.unchecked).toBeUndefined();
  });

  it('patches field by field, moves the valid span, and a no-op patch appends nothing', () => {
    const state = created();
    const events = expectOk(
      decideRecord({ type: 'UpdateRecord', id: ID, set: { stake: 0.02, until: '2026-01' }, unset: ['since'] }, state, context()),
    );
    expect(events).toEqual([
      { type: 'RecordUpdated', data: { id: ID, set: { stake: 0.02, until: '2026-01' }, unset: ['since'], valid: { validTo: '2026-01' } } },
    ]);
    const next = replay(evolveRecord, state, events);
    expect(next.fields).toEqual({ holder: { entityId: DARIO }, stake: 0.02, until: '2026-01', source: 'https://x.org' });
    expect([next.validFrom, next.validTo]).toEqual([undefined, '2026-01']);
    expect(expectOk(decideRecord({ type: 'UpdateRecord', id: ID, set: { stake: 0.02 } }, next, context()))).toEqual([]);
    expectFail(decideRecord({ type: 'UpdateRecord', id: ID, unset: ['source'] }, next, context()), 'BAD_USER_INPUT', 'unset.0', 'required');
    expectFail(
      decideRecord({ type: 'UpdateRecord', id: ID, set: { shares: 1 } }, next, context()),
      'BAD_USER_INPUT',
      'set.shares',
      'unknown field',
    );
  });

  it('removes a record; a removed record can be created again but not patched', () => {
    const state = created();
    const removed = replay(evolveRecord, state, expectOk(decideRecord({ type: 'RemoveRecord', id: ID }, state, context())));
    expect(removed.removed).toBe(true);
    expectFail(decideRecord({ type: 'RemoveRecord', id: ID }, removed, context()), 'NOT_FOUND', 'key', 'record does not exist');
    expectFail(
      decideRecord({ type: 'UpdateRecord', id: ID, set: { stake: 1 } }, removed, context()),
      'NOT_FOUND',
      'key',
      'record does not exist',
    );
    const again = expectOk(decideRecord(create({ holder: { displayName: 'H' }, source: 's' }), removed, context()));
    expect(replay(evolveRecord, removed, again).removed).toBe(false);
  });
});
