import type { DataType } from '../../src/domain/fact-value';
import {
  decideFact,
  evolveFact,
  type FactCommand,
  type FactContext,
  type FactEvent,
  type FactFields,
  type FactProperty,
  type FactState,
} from '../../src/domain/fact';
import { clone, expectFail, expectOk, replay } from './domain-test-helpers';

const FACT = 'f_BnkEWenniQ';
const ENTITY = 'mK9pX3rQ7n';
const SRC_A = '7512ddb574f82249';
const SRC_B = '683aef834ac1612a';

const prop = (dataType: DataType, id = 'p', unit?: string): FactProperty => (unit ? { id, dataType, unit } : { id, dataType });
const ctx = (property: FactProperty | null = prop('text', 'safety-level'), entityExists = true): FactContext => ({
  property,
  entityExists,
});

const assert = (fields: unknown, id = FACT): FactCommand => ({ type: 'AssertFact', id, fields });
const correct = (set?: unknown, unset?: unknown, id = FACT): FactCommand => ({ type: 'CorrectFact', id, set, unset });
const retract = (reason: unknown, id = FACT): FactCommand => ({ type: 'RetractFact', id, reason });
const deprecate = (reason?: unknown, id = FACT): FactCommand => ({ type: 'DeprecateFact', id, reason });
const addCitation = (citation: unknown, id = FACT): FactCommand => ({ type: 'AddFactCitation', id, citation });
const removeCitation = (sourceId: string, id = FACT): FactCommand => ({ type: 'RemoveFactCitation', id, sourceId });

const BASE_INPUT = { entityId: ENTITY, propertyId: 'safety-level', value: 'ASL-3' };

const asserted = (input: Record<string, unknown> = BASE_INPUT, context: FactContext = ctx()): FactState => {
  const state = replay(evolveFact, null, expectOk(decideFact(assert(input), null, context)));
  if (!state) throw new Error('no state');
  return state;
};

describe('AssertFact', () => {
  it('produces one FactAsserted event with every field, and evolve builds a live fact', () => {
    const input = {
      entityId: ENTITY,
      propertyId: 'safety-level',
      value: 'ASL-3 (Opus 4+), ASL-2 (Sonnet/Haiku)',
      asOf: '2025-05',
      validEnd: '2026-02',
      citations: [{ sourceId: SRC_A, quote: 'We have activated ASL-3', locator: 'para 1' }, { sourceId: SRC_B }],
      notes: 'Per the RSP update.',
      rank: 'preferred',
    };
    const events = expectOk(decideFact(assert(input), null, ctx()));
    const fields: FactFields = {
      ...input,
      rank: 'preferred',
      value: { kind: 'text', value: 'ASL-3 (Opus 4+), ASL-2 (Sonnet/Haiku)' },
    };
    expect(events).toEqual([{ type: 'FactAsserted', data: { id: FACT, ...fields } }]);
    expect(replay(evolveFact, null, events)).toEqual({ id: FACT, fields, retracted: false });
  });

  it('does not add a default rank to the event', () => {
    const events = expectOk(decideFact(assert(BASE_INPUT), null, ctx()));
    expect(events[0].data).toEqual({ id: FACT, entityId: ENTITY, propertyId: 'safety-level', value: { kind: 'text', value: 'ASL-3' } });
  });

  describe('checks the value against the property dataType', () => {
    it.each<[string, FactProperty, unknown, unknown]>([
      ['number', prop('number', 'revenue', 'USD'), 1.4e10, { kind: 'number', value: 1.4e10, unit: 'USD' }],
      ['number without unit', prop('number', 'employees'), 1100, { kind: 'number', value: 1100 }],
      ['range', prop('range', 'parameters'), { low: 870, high: 2847 }, { kind: 'range', low: 870, high: 2847 }],
      [
        'range on a number property',
        prop('number', 'revenue', 'USD'),
        { low: 1, high: 2 },
        { kind: 'range', low: 1, high: 2, unit: 'USD' },
      ],
      ['min on a number property', prop('number', 'valuation', 'USD'), { min: 67e9 }, { kind: 'min', min: 67e9, unit: 'USD' }],
      ['min on a range property', prop('range', 'parameters'), { min: 5 }, { kind: 'min', min: 5 }],
      ['text', prop('text'), 'ASL-3', { kind: 'text', value: 'ASL-3' }],
      ['date', prop('date'), '2025-05', { kind: 'date', value: { value: '2025-05', precision: 'month' } }],
      ['date given as a year number', prop('date'), 2021, { kind: 'date', value: { value: '2021', precision: 'year' } }],
      ['boolean', prop('boolean'), false, { kind: 'boolean', value: false }],
      ['ref', prop('ref'), 'Zq4Wv8Ty2u', { kind: 'ref', entity: 'Zq4Wv8Ty2u' }],
      ['refs', prop('refs'), ['Zq4Wv8Ty2u', 'not-yet-known'], { kind: 'refs', entities: ['Zq4Wv8Ty2u', 'not-yet-known'] }],
      ['json', prop('json'), { tiers: [1, 2], note: null }, { kind: 'json', value: { tiers: [1, 2], note: null } }],
      ['json scalar', prop('json'), 'x', { kind: 'json', value: 'x' }],
    ])('%s', (_name, property, value, stored) => {
      const events = expectOk(decideFact(assert({ entityId: ENTITY, propertyId: property.id, value }), null, ctx(property)));
      expect(events).toEqual([{ type: 'FactAsserted', data: { id: FACT, entityId: ENTITY, propertyId: property.id, value: stored } }]);
      expect(replay(evolveFact, null, events)?.fields.value).toEqual(stored);
    });

    it.each<[string, DataType, unknown, string, string]>([
      ['a numeric string for number', 'number', '1.4e10', 'value', 'numbers must be sent as JSON numbers, not strings'],
      ['a boolean for number', 'number', true, 'value', 'for property dataType "number", got boolean true'],
      ['a plain number for range', 'range', 5, 'value', 'expected a range {"low", "high"} or a lower bound {"min"}'],
      ['an inverted range', 'range', { low: 10, high: 1 }, 'value', 'range low 10 is greater than high 1'],
      ['a range with a typo', 'range', { lo: 1, high: 2 }, 'value', 'missing "low"'],
      ['a number for text', 'text', 5, 'value', 'expected a string for property dataType "text"'],
      ['blank text', 'text', '  ', 'value', 'text must not be empty or blank'],
      ['an invalid date', 'date', '2025-13', 'value', 'month must be 01–12'],
      ['an instant for date', 'date', '2025-05-22T00:00:00Z', 'value', 'expected a partial date'],
      ['a string for boolean', 'boolean', 'yes', 'value', 'expected true or false for property dataType "boolean"'],
      ['a number for ref', 'ref', 5, 'value', 'expected an entity id string'],
      ['a string for refs', 'refs', 'Zq4Wv8Ty2u', 'value', 'expected an array of entity ids'],
      ['an empty refs list', 'refs', [], 'value', 'expected at least one entity id'],
      ['a repeated ref', 'refs', ['a', 'b', 'a'], 'value.2', 'is repeated (first at index 0)'],
      ['a function for json', 'json', () => 1, 'value', 'expected a JSON value'],
      ['Infinity for json', 'json', [Number.POSITIVE_INFINITY], 'value.0', 'expected a JSON value'],
    ])('rejects %s', (_name, dataType, value, path, fragment) => {
      expectFail(
        decideFact(assert({ entityId: ENTITY, propertyId: 'p', value }), null, ctx(prop(dataType))),
        'BAD_USER_INPUT',
        path,
        fragment,
      );
    });
  });

  describe('validEnd is not before asOf', () => {
    it.each([
      ['2025-05', '2025-04'],
      ['2025-05-22', '2025-05'],
      ['2025', '2024-12-31'],
      ['2025-05-22', '2025-05-21'],
    ])('rejects asOf %s with validEnd %s', (asOf, validEnd) => {
      expectFail(
        decideFact(assert({ ...BASE_INPUT, asOf, validEnd }), null, ctx()),
        'BAD_USER_INPUT',
        'validEnd',
        `validEnd ${validEnd} is before asOf ${asOf}`,
      );
    });

    it.each([
      ['2025-05', '2025-05'],
      ['2025-05', '2026'],
      ['2025', '2025-01'],
      ['2025', '2025-01-01'],
      ['2025-05-22', '2025-06'],
      [undefined, '2026'],
      ['2025', undefined],
    ])('accepts asOf %s with validEnd %s', (asOf, validEnd) => {
      const events = expectOk(decideFact(assert({ ...BASE_INPUT, asOf, validEnd }), null, ctx()));
      const data = events[0].data as FactFields;
      expect([data.asOf, data.validEnd]).toEqual([asOf, validEnd]);
    });
  });

  it('rejects an unknown entity with NOT_FOUND at entity', () => {
    expectFail(decideFact(assert(BASE_INPUT), null, ctx(prop('text'), false)), 'NOT_FOUND', 'entity', `entity ${ENTITY} does not exist`);
  });

  it('rejects an unknown property with NOT_FOUND at property', () => {
    expectFail(decideFact(assert(BASE_INPUT), null, ctx(null)), 'NOT_FOUND', 'property', 'property "safety-level" does not exist');
  });

  it('rejects asserting an existing fact id with CONFLICT', () => {
    expectFail(decideFact(assert(BASE_INPUT), asserted(), ctx()), 'CONFLICT', 'id', `fact ${FACT} already exists`);
  });

  it('rejects asserting over a retracted fact with CONFLICT too', () => {
    const gone = replay(evolveFact, asserted(), expectOk(decideFact(retract('wrong'), asserted(), ctx())));
    expectFail(decideFact(assert(BASE_INPUT), gone, ctx()), 'CONFLICT', 'id', 'already exists');
  });

  it.each([[''], ['f BnkEWenniQ'], ['_f_BnkEWenniQ'], ['f/1'], ['x'.repeat(101)]])('rejects the fact id %j', (id) => {
    expectFail(decideFact(assert(BASE_INPUT, id), null, ctx()), 'BAD_USER_INPUT', 'id', 'expected a fact id such as "f_BnkEWenniQ"');
  });

  it.each([['f_rev_2024_12'], ['anthropic-revenue-1'], ['f_BnkEWenniQ']])('accepts the imported fact id %j', (id) => {
    expect(expectOk(decideFact(assert(BASE_INPUT, id), null, ctx()))[0].data.id).toBe(id);
  });

  it.each([
    [{ propertyId: 'safety-level', value: 'x' }, 'entityId', 'is required'],
    [{ entityId: ENTITY, value: 'x' }, 'propertyId', 'is required'],
    [{ entityId: ENTITY, propertyId: 'safety-level' }, 'value', 'is required'],
    [{ ...BASE_INPUT, entityId: 'anthropic' }, 'entityId', 'expected an entity id'],
    [{ ...BASE_INPUT, propertyId: 'Safety Level' }, 'propertyId', 'expected a property id'],
    [
      { ...BASE_INPUT, source: SRC_A },
      'source',
      'unknown field; known fields: entityId, propertyId, value, asOf, validEnd, citations, notes, rank',
    ],
    [{ ...BASE_INPUT, asOf: '2025-5' }, 'asOf', 'expected a partial date'],
    [{ ...BASE_INPUT, validEnd: 'soon' }, 'validEnd', 'expected a partial date'],
    [{ ...BASE_INPUT, rank: 'top' }, 'rank', 'expected one of preferred, normal, deprecated'],
    [{ ...BASE_INPUT, notes: '' }, 'notes', 'must not be empty'],
    [{ ...BASE_INPUT, citations: SRC_A }, 'citations', 'expected a list'],
    [{ ...BASE_INPUT, citations: [SRC_A] }, 'citations.0', 'expected {sourceId, quote?, locator?}'],
    [{ ...BASE_INPUT, citations: [{ quote: 'q' }] }, 'citations.0.sourceId', 'is required'],
    [{ ...BASE_INPUT, citations: [{ sourceId: 'abc' }] }, 'citations.0.sourceId', 'expected a source id (16 hex characters)'],
    [{ ...BASE_INPUT, citations: [{ sourceId: SRC_A, page: 3 }] }, 'citations.0.page', 'unknown field'],
    [{ ...BASE_INPUT, citations: [{ sourceId: SRC_A, quote: '' }] }, 'citations.0.quote', 'must not be empty'],
    [{ ...BASE_INPUT, citations: [{ sourceId: SRC_A }, { sourceId: SRC_A }] }, 'citations.1', 'duplicate item'],
  ])('rejects %j at %s', (fields, path, fragment) => {
    expectFail(decideFact(assert(fields), null, ctx()), 'BAD_USER_INPUT', path, fragment);
  });

  it('rejects fields that are not an object', () => {
    expectFail(decideFact(assert('ASL-3'), null, ctx()), 'BAD_USER_INPUT', 'input', 'expected an object');
  });
});

describe('CorrectFact', () => {
  const dated = () => asserted({ ...BASE_INPUT, asOf: '2025-05', validEnd: '2026-02', notes: 'n' });

  it('sets and unsets fields; evolve keeps the others', () => {
    const state = dated();
    const events = expectOk(decideFact(correct({ value: 'ASL-3', asOf: '2025-05-22' }, ['notes']), state, ctx()));
    expect(events).toEqual([{ type: 'FactCorrected', data: { id: FACT, set: { asOf: '2025-05-22' }, unset: ['notes'] } }]);
    expect(replay(evolveFact, state, events)).toEqual({
      id: FACT,
      fields: {
        entityId: ENTITY,
        propertyId: 'safety-level',
        value: { kind: 'text', value: 'ASL-3' },
        asOf: '2025-05-22',
        validEnd: '2026-02',
      },
      retracted: false,
    });
  });

  it('stores a corrected value in its typed form', () => {
    const events = expectOk(decideFact(correct({ value: 'ASL-4' }), dated(), ctx()));
    expect(events).toEqual([{ type: 'FactCorrected', data: { id: FACT, set: { value: { kind: 'text', value: 'ASL-4' } }, unset: [] } }]);
  });

  it('appends no event when nothing changes', () => {
    expect(expectOk(decideFact(correct({ value: 'ASL-3', asOf: '2025-05' }, ['rank']), dated(), ctx()))).toEqual([]);
  });

  it('checks validity after applying the patch: a later asOf past the existing validEnd is rejected', () => {
    expectFail(
      decideFact(correct({ asOf: '2026-03' }), dated(), ctx()),
      'BAD_USER_INPUT',
      'validEnd',
      'validEnd 2026-02 is before asOf 2026-03',
    );
  });

  it('checks validity after applying the patch: an earlier validEnd is rejected', () => {
    expectFail(
      decideFact(correct({ validEnd: '2025-04' }), dated(), ctx()),
      'BAD_USER_INPUT',
      'validEnd',
      'validEnd 2025-04 is before asOf 2025-05',
    );
  });

  it('accepts moving both ends together, and unsetting asOf', () => {
    expect(expectOk(decideFact(correct({ asOf: '2027', validEnd: '2028' }), dated(), ctx()))).toHaveLength(1);
    const events = expectOk(decideFact(correct(undefined, ['asOf']), dated(), ctx()));
    expect(events).toEqual([{ type: 'FactCorrected', data: { id: FACT, set: {}, unset: ['asOf'] } }]);
    expect(replay(evolveFact, dated(), events)?.fields).not.toHaveProperty('asOf');
  });

  it('checks a corrected value against the property', () => {
    expectFail(
      decideFact(correct({ value: 42 }), dated(), ctx()),
      'BAD_USER_INPUT',
      'set.value',
      'expected a string for property dataType "text"',
    );
  });

  it.each([
    [{ entityId: 'Zq4Wv8Ty2u' }, undefined, 'set.entityId', 'cannot be changed'],
    [{ entityId: ENTITY }, undefined, 'set.entityId', 'cannot be changed'],
    [{ propertyId: 'revenue' }, undefined, 'set.propertyId', 'cannot be changed'],
    [undefined, ['value'], 'unset.0', '"value" is required and cannot be unset'],
    [undefined, ['entityId'], 'unset.0', '"entityId" is required and cannot be unset'],
    [undefined, ['retracted'], 'unset.0', 'unknown field string "retracted"'],
    [{ rank: 'top' }, undefined, 'set.rank', 'expected one of preferred, normal, deprecated'],
    [{ notes: 'x' }, ['notes'], 'unset.0', 'both set and unset'],
    [{}, undefined, 'set', 'the patch changes nothing'],
  ])('rejects set %j unset %j at %s', (set, unset, path, fragment) => {
    expectFail(decideFact(correct(set, unset), dated(), ctx()), 'BAD_USER_INPUT', path, fragment);
  });

  it('rejects correcting an unknown fact with NOT_FOUND', () => {
    expectFail(decideFact(correct({ notes: 'x' }), null, ctx()), 'NOT_FOUND', 'id', `fact ${FACT} does not exist`);
  });

  it('rejects a correction when the property cannot be found', () => {
    expectFail(decideFact(correct({ notes: 'x' }), dated(), ctx(null)), 'NOT_FOUND', 'property', 'property "safety-level" does not exist');
  });
});

describe('RetractFact', () => {
  it('produces FactRetracted with the reason, and evolve marks the fact retracted', () => {
    const state = asserted();
    const events = expectOk(decideFact(retract('Duplicate of f_rev_2024_12'), state, ctx()));
    expect(events).toEqual([{ type: 'FactRetracted', data: { id: FACT, reason: 'Duplicate of f_rev_2024_12' } }]);
    expect(replay(evolveFact, state, events)).toEqual({ ...state, retracted: true });
  });

  it.each([
    [undefined, 'expected a string, got nothing'],
    [null, 'expected a string, got null'],
    ['', 'must not be empty'],
    ['   ', 'must not be empty'],
    [42, 'expected a string, got number 42'],
    ['r'.repeat(2001), 'the limit is 2000'],
  ])('rejects the reason %j', (reason, fragment) => {
    expectFail(decideFact(retract(reason), asserted(), ctx()), 'BAD_USER_INPUT', 'reason', fragment);
  });

  it('rejects retracting an unknown fact with NOT_FOUND', () => {
    expectFail(decideFact(retract('x'), null, ctx()), 'NOT_FOUND', 'id', 'does not exist');
  });

  describe('a retracted fact takes no more commands', () => {
    const gone = () => replay(evolveFact, asserted(), expectOk(decideFact(retract('wrong'), asserted(), ctx())));

    it.each<[string, FactCommand]>([
      ['CorrectFact', correct({ notes: 'x' })],
      ['RetractFact', retract('again')],
      ['DeprecateFact', deprecate()],
      ['AddFactCitation', addCitation({ sourceId: SRC_A })],
      ['RemoveFactCitation', removeCitation(SRC_A)],
    ])('%s', (_name, command) => {
      expectFail(decideFact(command, gone(), ctx()), 'BAD_USER_INPUT', 'id', `fact ${FACT} was retracted and takes no more changes`);
    });
  });
});

describe('DeprecateFact', () => {
  it('produces FactDeprecated without a reason, and evolve sets rank deprecated', () => {
    const state = asserted({ ...BASE_INPUT, rank: 'preferred' });
    const events = expectOk(decideFact(deprecate(), state, ctx()));
    expect(events).toEqual([{ type: 'FactDeprecated', data: { id: FACT } }]);
    const next = replay(evolveFact, state, events);
    expect(next).toEqual({ ...state, fields: { ...state.fields, rank: 'deprecated' } });
  });

  it('keeps a reason when given', () => {
    expect(expectOk(decideFact(deprecate('Superseded'), asserted(), ctx()))).toEqual([
      { type: 'FactDeprecated', data: { id: FACT, reason: 'Superseded' } },
    ]);
  });

  it('is a no-op when the fact is already deprecated', () => {
    const state = replay(evolveFact, asserted(), expectOk(decideFact(deprecate(), asserted(), ctx())));
    expect(expectOk(decideFact(deprecate(), state, ctx()))).toEqual([]);
    expect(expectOk(decideFact(deprecate('again'), asserted({ ...BASE_INPUT, rank: 'deprecated' }), ctx()))).toEqual([]);
  });

  it.each([[''], [5]])('rejects the reason %j', (reason) => {
    expectFail(
      decideFact(deprecate(reason), asserted(), ctx()),
      'BAD_USER_INPUT',
      'reason',
      reason === '' ? 'must not be empty' : 'expected a string',
    );
  });

  it('rejects deprecating an unknown fact with NOT_FOUND', () => {
    expectFail(decideFact(deprecate(), null, ctx()), 'NOT_FOUND', 'id', 'does not exist');
  });
});

describe('AddFactCitation / RemoveFactCitation', () => {
  it('adds a citation, and evolve appends it', () => {
    const state = asserted({ ...BASE_INPUT, citations: [{ sourceId: SRC_A }] });
    const events = expectOk(decideFact(addCitation({ sourceId: SRC_B, quote: 'ASL-3', locator: 'p. 2' }), state, ctx()));
    expect(events).toEqual([
      { type: 'FactCitationAdded', data: { id: FACT, citation: { sourceId: SRC_B, quote: 'ASL-3', locator: 'p. 2' } } },
    ]);
    expect(replay(evolveFact, state, events)?.fields.citations).toEqual([
      { sourceId: SRC_A },
      { sourceId: SRC_B, quote: 'ASL-3', locator: 'p. 2' },
    ]);
  });

  it('starts the list on a fact without citations', () => {
    const state = asserted();
    const next = replay(evolveFact, state, expectOk(decideFact(addCitation({ sourceId: SRC_A }), state, ctx())));
    expect(next?.fields.citations).toEqual([{ sourceId: SRC_A }]);
  });

  it('is a no-op to add the same citation again, whatever the key order', () => {
    const state = asserted({ ...BASE_INPUT, citations: [{ sourceId: SRC_A, quote: 'q' }] });
    expect(expectOk(decideFact(addCitation({ sourceId: SRC_A, quote: 'q' }), state, ctx()))).toEqual([]);
    expect(expectOk(decideFact(addCitation({ quote: 'q', sourceId: SRC_A }), state, ctx()))).toEqual([]);
  });

  it.each([
    [null, 'citation', 'expected {sourceId, quote?, locator?}'],
    [SRC_A, 'citation', 'expected {sourceId, quote?, locator?}'],
    [{}, 'citation.sourceId', 'is required'],
    [{ sourceId: 'nope' }, 'citation.sourceId', 'expected a source id'],
    [{ sourceId: SRC_A, url: 'x' }, 'citation.url', 'unknown field'],
  ])('rejects the citation %j at %s', (citation, path, fragment) => {
    expectFail(decideFact(addCitation(citation), asserted(), ctx()), 'BAD_USER_INPUT', path, fragment);
  });

  it('removes a cited source, and evolve drops it', () => {
    const state = asserted({ ...BASE_INPUT, citations: [{ sourceId: SRC_A }, { sourceId: SRC_B, quote: 'q' }] });
    const events = expectOk(decideFact(removeCitation(SRC_B), state, ctx()));
    expect(events).toEqual([{ type: 'FactCitationRemoved', data: { id: FACT, sourceId: SRC_B } }]);
    expect(replay(evolveFact, state, events)?.fields.citations).toEqual([{ sourceId: SRC_A }]);
  });

  it('rejects removing a source the fact does not cite', () => {
    const state = asserted({ ...BASE_INPUT, citations: [{ sourceId: SRC_A }] });
    expectFail(decideFact(removeCitation(SRC_B), state, ctx()), 'BAD_USER_INPUT', 'source', `fact ${FACT} does not cite source ${SRC_B}`);
    expectFail(decideFact(removeCitation(SRC_A), asserted(), ctx()), 'BAD_USER_INPUT', 'source', 'does not cite');
  });

  it('does not mutate the state it evolves from', () => {
    const state = asserted({ ...BASE_INPUT, citations: [{ sourceId: SRC_A }] });
    const before = clone(state);
    replay(evolveFact, state, expectOk(decideFact(addCitation({ sourceId: SRC_B }), state, ctx())));
    replay(evolveFact, state, expectOk(decideFact(removeCitation(SRC_A), state, ctx())));
    expect(state).toEqual(before);
  });
});

describe('evolveFact', () => {
  it.each<FactEvent>([
    { type: 'FactCorrected', data: { id: FACT, set: { notes: 'x' }, unset: [] } },
    { type: 'FactRetracted', data: { id: FACT, reason: 'x' } },
    { type: 'FactDeprecated', data: { id: FACT } },
    { type: 'FactCitationAdded', data: { id: FACT, citation: { sourceId: SRC_A } } },
    { type: 'FactCitationRemoved', data: { id: FACT, sourceId: SRC_A } },
  ])('ignores $type for a fact it has not seen', (event) => {
    expect(evolveFact(null, event)).toBeNull();
  });
});
