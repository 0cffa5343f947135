import { DATA_TYPES } from '../../src/domain/fact-value';
import {
  decideProperty,
  evolveProperty,
  type PropertyCommand,
  type PropertyEvent,
  type PropertyFields,
  type PropertyState,
} from '../../src/domain/property';
import { expectFail, expectOk, replay } from './domain-test-helpers';

const define = (fields: unknown, id: unknown = 'revenue'): PropertyCommand => ({ type: 'DefineProperty', id, fields });
const update = (set?: unknown, unset?: unknown, id = 'revenue'): PropertyCommand => ({ type: 'UpdateProperty', id, set, unset });

const FULL: PropertyFields = {
  name: 'Revenue',
  description: 'Annualized revenue.',
  dataType: 'number',
  unit: 'USD',
  category: 'financial',
  temporal: true,
  appliesTo: ['organization'],
  display: { divisor: 1e9, prefix: '$', suffix: 'B' },
  inverseId: 'revenue-of',
  stalenessDays: 90,
};

const defined = (fields: PropertyFields = FULL): PropertyState =>
  replay(evolveProperty, null, expectOk(decideProperty(define(fields), null)));

describe('DefineProperty', () => {
  it('produces one PropertyDefined event, and evolve builds the property', () => {
    const events = expectOk(decideProperty(define(FULL), null));
    expect(events).toEqual([{ type: 'PropertyDefined', data: { id: 'revenue', ...FULL } }]);
    expect(replay(evolveProperty, null, events)).toEqual({ id: 'revenue', fields: FULL });
  });

  it.each(DATA_TYPES.map((t) => [t]))('accepts dataType %s with just a name', (dataType) => {
    const events = expectOk(decideProperty(define({ name: 'P', dataType }, 'p'), null));
    expect(events).toEqual([{ type: 'PropertyDefined', data: { id: 'p', name: 'P', dataType } }]);
  });

  it('keeps only the display keys given, in a fixed order', () => {
    const events = expectOk(decideProperty(define({ name: 'P', dataType: 'number', display: { suffix: '%' } }, 'p'), null));
    expect(events[0].data).toEqual({ id: 'p', name: 'P', dataType: 'number', display: { suffix: '%' } });
    const empty = expectOk(decideProperty(define({ name: 'P', dataType: 'number', display: {} }, 'p'), null));
    expect(empty[0].data).toEqual({ id: 'p', name: 'P', dataType: 'number', display: {} });
  });

  it.each([['Revenue'], ['safety level'], ['safety_level'], [''], [3]])('rejects the id %j', (id) => {
    expectFail(decideProperty(define(FULL, id), null), 'BAD_USER_INPUT', 'id', 'expected a kebab-case id such as "safety-level"');
  });

  it('rejects defining an existing id with CONFLICT', () => {
    expectFail(decideProperty(define(FULL), defined()), 'CONFLICT', 'id', 'property "revenue" already exists');
  });

  it.each([
    [{ dataType: 'number' }, 'name', 'is required'],
    [{ name: 'P' }, 'dataType', 'is required'],
    [
      { name: 'P', dataType: 'string' },
      'dataType',
      'expected one of number, text, date, boolean, ref, refs, range, json, got string "string"',
    ],
    [{ name: 'P', dataType: 'min' }, 'dataType', 'expected one of'],
    [{ name: 'P', dataType: 'number', unit: '' }, 'unit', 'must not be empty'],
    [{ name: 'P', dataType: 'number', unit: 'u'.repeat(51) }, 'unit', 'the limit is 50'],
    [{ name: 'P', dataType: 'number', category: 'Financial' }, 'category', 'expected a kebab-case category'],
    [{ name: 'P', dataType: 'number', temporal: 'true' }, 'temporal', 'expected true or false'],
    [{ name: 'P', dataType: 'number', appliesTo: 'organization' }, 'appliesTo', 'expected a list'],
    [{ name: 'P', dataType: 'number', appliesTo: ['organization', 'AI Model'] }, 'appliesTo.1', 'expected an entity type'],
    [{ name: 'P', dataType: 'number', appliesTo: ['person', 'person'] }, 'appliesTo.1', 'duplicate item'],
    [{ name: 'P', dataType: 'number', display: 'billions' }, 'display', 'expected {divisor?, prefix?, suffix?}'],
    [{ name: 'P', dataType: 'number', display: [1e9] }, 'display', 'expected {divisor?, prefix?, suffix?}'],
    [
      { name: 'P', dataType: 'number', display: { divisor: 1e9, scale: 2 } },
      'display.scale',
      'unknown field; known fields: divisor, prefix, suffix',
    ],
    [{ name: 'P', dataType: 'number', display: { divisor: 0 } }, 'display.divisor', 'expected a positive number'],
    [{ name: 'P', dataType: 'number', display: { divisor: -1 } }, 'display.divisor', 'expected a positive number'],
    [{ name: 'P', dataType: 'number', display: { divisor: '1e9' } }, 'display.divisor', 'expected a positive number'],
    [{ name: 'P', dataType: 'number', display: { divisor: Number.POSITIVE_INFINITY } }, 'display.divisor', 'expected a positive number'],
    [{ name: 'P', dataType: 'number', display: { prefix: 5 } }, 'display.prefix', 'expected a string of at most 20 characters'],
    [{ name: 'P', dataType: 'number', display: { suffix: 's'.repeat(21) } }, 'display.suffix', 'at most 20 characters'],
    [{ name: 'P', dataType: 'number', inverseId: 'Revenue Of' }, 'inverseId', 'expected a property id'],
    [{ name: 'P', dataType: 'number', stalenessDays: 0 }, 'stalenessDays', 'expected an integer from 1 to 36500'],
    [{ name: 'P', dataType: 'number', stalenessDays: 36_501 }, 'stalenessDays', 'expected an integer from 1 to 36500'],
    [{ name: 'P', dataType: 'number', stalenessDays: 1.5 }, 'stalenessDays', 'expected an integer from 1 to 36500'],
    [{ name: 'P', dataType: 'number', label: 'x' }, 'label', 'unknown field'],
  ])('rejects %j at %s', (fields, path, fragment) => {
    expectFail(decideProperty(define(fields, 'p'), null), 'BAD_USER_INPUT', path, fragment);
  });
});

describe('UpdateProperty', () => {
  it('sets and unsets fields, keeping the data type and unnamed fields', () => {
    const state = defined();
    const events = expectOk(decideProperty(update({ unit: 'EUR', display: { prefix: '€' } }, ['inverseId', 'stalenessDays']), state));
    expect(events).toEqual([
      {
        type: 'PropertyUpdated',
        data: { id: 'revenue', set: { unit: 'EUR', display: { prefix: '€' } }, unset: ['inverseId', 'stalenessDays'] },
      },
    ]);
    expect(replay(evolveProperty, state, events)).toEqual({
      id: 'revenue',
      fields: {
        name: 'Revenue',
        description: 'Annualized revenue.',
        dataType: 'number',
        unit: 'EUR',
        category: 'financial',
        temporal: true,
        appliesTo: ['organization'],
        display: { prefix: '€' },
      },
    });
  });

  it('clears display through unset', () => {
    const state = defined();
    const next = replay(evolveProperty, state, expectOk(decideProperty(update(undefined, ['display']), state)));
    expect(next?.fields).not.toHaveProperty('display');
    expect(next?.fields.unit).toBe('USD');
  });

  it('appends no event for an equal display given in another key order', () => {
    expect(expectOk(decideProperty(update({ display: { suffix: 'B', prefix: '$', divisor: 1e9 } }), defined()))).toEqual([]);
  });

  it.each([
    [{ dataType: 'text' }, undefined, 'set.dataType', 'cannot be changed'],
    [{ dataType: 'number' }, undefined, 'set.dataType', 'cannot be changed'],
    [undefined, ['dataType'], 'unset.0', '"dataType" is required and cannot be unset'],
    [undefined, ['name'], 'unset.0', '"name" is required and cannot be unset'],
    [undefined, ['id'], 'unset.0', 'unknown field string "id"'],
    [{ stalenessDays: 0 }, undefined, 'set.stalenessDays', 'expected an integer from 1 to 36500'],
    [{ display: { divisor: 0 } }, undefined, 'set.display.divisor', 'expected a positive number'],
    [{ unit: 'USD' }, ['unit'], 'unset.0', 'both set and unset'],
    [{}, [], 'set', 'the patch changes nothing'],
  ])('rejects set %j unset %j at %s', (set, unset, path, fragment) => {
    expectFail(decideProperty(update(set, unset), defined()), 'BAD_USER_INPUT', path, fragment);
  });

  it('rejects an update of an unknown property with NOT_FOUND', () => {
    expectFail(decideProperty(update({ name: 'X' }), null), 'NOT_FOUND', 'id', 'property "revenue" does not exist');
  });
});

describe('evolveProperty', () => {
  it('ignores an update for a property it has not seen', () => {
    const event: PropertyEvent = { type: 'PropertyUpdated', data: { id: 'x', set: { name: 'X' }, unset: [] } };
    expect(evolveProperty(null, event)).toBeNull();
  });
});
