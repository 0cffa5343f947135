import { completenessOf, decideEntityType, evolveEntityType, type EntityTypeState } from '../../src/domain/entity-type';
import { expectFail, expectOk, replay } from './domain-test-helpers';

const ORGANIZATION = {
  name: 'Organization',
  required: ['founded-date'],
  recommended: ['description', 'website', 'revenue', 'headcount'],
  records: ['funding-round', 'key-person'],
};

const registered = (): EntityTypeState =>
  replay(
    evolveEntityType,
    null,
    expectOk(decideEntityType({ type: 'RegisterEntityType', id: 'organization', fields: ORGANIZATION }, null)),
  );

describe('entity types', () => {
  it('registers a type with what its entities must and should say', () => {
    expect(registered()).toEqual({ id: 'organization', fields: ORGANIZATION });
  });

  it('refuses a bad id, a second registration, an unknown key, a name listed twice and one both required and recommended', () => {
    expectFail(
      decideEntityType({ type: 'RegisterEntityType', id: 'Org Type', fields: ORGANIZATION }, null),
      'BAD_USER_INPUT',
      'id',
      'kebab-case',
    );
    expectFail(
      decideEntityType({ type: 'RegisterEntityType', id: 'organization', fields: ORGANIZATION }, registered()),
      'CONFLICT',
      'id',
      'already exists',
    );
    expectFail(
      decideEntityType({ type: 'RegisterEntityType', id: 'x', fields: { ...ORGANIZATION, optional: [] } }, null),
      'BAD_USER_INPUT',
      'optional',
      'unknown field',
    );
    expectFail(
      decideEntityType({ type: 'RegisterEntityType', id: 'x', fields: { ...ORGANIZATION, recommended: ['revenue', 'revenue'] } }, null),
      'BAD_USER_INPUT',
      'recommended.1',
      'duplicate item',
    );
    expectFail(
      decideEntityType({ type: 'RegisterEntityType', id: 'x', fields: { ...ORGANIZATION, recommended: ['founded-date'] } }, null),
      'BAD_USER_INPUT',
      'recommended',
      'already required',
    );
    expectFail(
      decideEntityType({ type: 'RegisterEntityType', id: 'x', fields: { ...ORGANIZATION, required: ['Founded Date'] } }, null),
      'BAD_USER_INPUT',
      'required.0',
      'expected a property id',
    );
  });

  it('patches a type field by field; a no-op appends nothing; an unknown type is NOT_FOUND', () => {
    const state = registered();
    const events = expectOk(
      decideEntityType({ type: 'UpdateEntityType', id: 'organization', set: { recommended: ['revenue'] }, unset: ['records'] }, state),
    );
    expect(events).toEqual([
      { type: 'EntityTypeUpdated', data: { id: 'organization', set: { recommended: ['revenue'] }, unset: ['records'] } },
    ]);
    const next = replay(evolveEntityType, state, events);
    expect(next?.fields).toEqual({ name: 'Organization', required: ['founded-date'], recommended: ['revenue'] });
    expect(expectOk(decideEntityType({ type: 'UpdateEntityType', id: 'organization', set: { name: 'Organization' } }, state))).toEqual([]);
    expectFail(
      decideEntityType({ type: 'UpdateEntityType', id: 'organization', set: { required: ['revenue'] } }, state),
      'BAD_USER_INPUT',
      'recommended',
      'already required',
    );
    expectFail(decideEntityType({ type: 'UpdateEntityType', id: 'nope', set: { name: 'N' } }, null), 'NOT_FOUND', 'id', 'does not exist');
  });
});

describe('completenessOf', () => {
  const type = registered()!.fields;
  const entity = { slug: 'anthropic', name: 'Anthropic', type: 'organization' };

  it('names what an entity lacks, in the type’s order: entity fields by their value, properties by their facts', () => {
    expect(completenessOf(type, entity, new Set())).toEqual({
      missingRequired: ['founded-date'],
      missingRecommended: ['description', 'website', 'revenue', 'headcount'],
    });
    expect(completenessOf(type, { ...entity, description: 'An AI lab.' }, new Set(['founded-date', 'revenue']))).toEqual({
      missingRequired: [],
      missingRecommended: ['website', 'headcount'],
    });
  });

  it('counts an empty field as missing, and a fact of another property as nothing', () => {
    expect(completenessOf(type, { ...entity, description: '', tags: [] }, new Set(['valuation'])).missingRecommended).toEqual([
      'description',
      'website',
      'revenue',
      'headcount',
    ]);
    const tagged = { ...type, recommended: ['tags'] };
    expect(completenessOf(tagged, { ...entity, tags: [] }, new Set()).missingRecommended).toEqual(['tags']);
    expect(completenessOf(tagged, { ...entity, tags: ['lab'] }, new Set()).missingRecommended).toEqual([]);
  });
});
