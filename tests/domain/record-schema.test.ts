import { decideRecordSchema, evolveRecordSchema, type RecordSchemaState } from '../../src/domain/record-schema';
import { expectFail, expectOk, replay } from './domain-test-helpers';

const EQUITY = {
  name: 'Equity Position',
  collectionName: 'equity-positions',
  temporal: true,
  endpoints: {
    holder: { types: ['person', 'organization'], required: true, allowDisplayName: true },
    company: { types: ['organization'], implicit: true },
  },
  fields: { stake: { type: 'number', description: 'Single number or [min, max].' }, since: { type: 'date' } },
  validFrom: 'since',
};

const registered = (): RecordSchemaState =>
  replay(
    evolveRecordSchema,
    null,
    expectOk(decideRecordSchema({ type: 'RegisterRecordSchema', id: 'equity-position', fields: EQUITY }, null)),
  );

describe('record schemas', () => {
  it('registers a schema with its endpoints, typed fields and valid-time bounds', () => {
    const state = registered();
    expect(state).toEqual({ id: 'equity-position', fields: EQUITY });
  });

  it('refuses a second registration, an unknown field type, an unknown key and a bound that is not a date field', () => {
    expectFail(
      decideRecordSchema({ type: 'RegisterRecordSchema', id: 'equity-position', fields: EQUITY }, registered()),
      'CONFLICT',
      'id',
      'already exists',
    );
    expectFail(
      decideRecordSchema({ type: 'RegisterRecordSchema', id: 'x', fields: { ...EQUITY, fields: { stake: { type: 'money' } } } }, null),
      'BAD_USER_INPUT',
      'fields.stake.type',
      'expected one of text, date, number, boolean, ref',
    );
    expectFail(
      decideRecordSchema(
        { type: 'RegisterRecordSchema', id: 'x', fields: { ...EQUITY, fields: { stake: { type: 'number', units: 'USD' } } } },
        null,
      ),
      'BAD_USER_INPUT',
      'fields.stake.units',
      'unknown field',
    );
    expectFail(
      decideRecordSchema({ type: 'RegisterRecordSchema', id: 'x', fields: { ...EQUITY, validFrom: 'stake' } }, null),
      'BAD_USER_INPUT',
      'validFrom',
      'not a date field',
    );
    expectFail(
      decideRecordSchema({ type: 'RegisterRecordSchema', id: 'x', fields: { ...EQUITY, fields: { holder: { type: 'text' } } } }, null),
      'BAD_USER_INPUT',
      'endpoints.holder',
      'both a field and an endpoint',
    );
  });

  it('patches fields; the collection name is fixed; a no-op patch appends nothing', () => {
    const state = registered();
    const events = expectOk(
      decideRecordSchema(
        { type: 'UpdateRecordSchema', id: 'equity-position', set: { description: 'Stakes.' }, unset: ['validFrom'] },
        state,
      ),
    );
    expect(events).toEqual([
      { type: 'RecordSchemaUpdated', data: { id: 'equity-position', set: { description: 'Stakes.' }, unset: ['validFrom'] } },
    ]);
    const next = replay(evolveRecordSchema, state, events);
    expect(next?.fields.description).toBe('Stakes.');
    expect(next?.fields.validFrom).toBeUndefined();
    expectFail(
      decideRecordSchema({ type: 'UpdateRecordSchema', id: 'equity-position', set: { collectionName: 'stakes' } }, state),
      'BAD_USER_INPUT',
      'set.collectionName',
      'cannot be changed',
    );
    expect(expectOk(decideRecordSchema({ type: 'UpdateRecordSchema', id: 'equity-position', set: { name: EQUITY.name } }, state))).toEqual(
      [],
    );
    expectFail(
      decideRecordSchema({ type: 'UpdateRecordSchema', id: 'nope', set: { name: 'N' } }, null),
      'NOT_FOUND',
      'id',
      'does not exist',
    );
  });
});
