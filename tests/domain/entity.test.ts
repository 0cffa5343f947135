import {
  decideEntity,
  evolveEntity,
  KNOWN_ENTITY_TYPES,
  typeLabel,
  type EntityCommand,
  type EntityEvent,
  type EntityFields,
  type EntityState,
} from '../../src/domain/entity';
import { clone, expectFail, expectOk, replay } from './domain-test-helpers';

const ID = 'mK9pX3rQ7n';
const OTHER = 'Zq4Wv8Ty2u';

const register = (fields: unknown, id = ID): EntityCommand => ({ type: 'RegisterEntity', id, fields });
const update = (set?: unknown, unset?: unknown, id = ID): EntityCommand => ({ type: 'UpdateEntity', id, set, unset });
const rename = (newSlug: unknown, id = ID): EntityCommand => ({ type: 'RenameEntity', id, newSlug });

const FULL: EntityFields = { slug: 'anthropic', name: 'Anthropic', type: 'organization', numericId: 'E22', aliases: ['Anthropic PBC'] };

const registered = (fields: EntityFields = FULL): EntityState => replay(evolveEntity, null, expectOk(decideEntity(register(fields), null)));

describe('typeLabel', () => {
  it.each([
    ['risk-factor', 'Risk Factor'],
    ['ai-model', 'AI Model'],
    ['organization', 'Organization'],
    ['safety-agenda', 'Safety Agenda'],
    ['case-study', 'Case Study'],
    ['research-area', 'Research Area'],
    ['crux', 'Crux'],
  ])('labels %s as %s', (type, label) => {
    expect(typeLabel(type)).toBe(label);
  });

  it('gives every known type a label of capitalized words', () => {
    for (const t of KNOWN_ENTITY_TYPES) expect(typeLabel(t)).toMatch(/^[A-Z][A-Za-z]*( [A-Z][A-Za-z]*)*$/);
  });
});

describe('RegisterEntity', () => {
  it('produces one EntityRegistered event, and evolve builds the entity', () => {
    const events = expectOk(decideEntity(register(FULL), null, { slugOwner: null }));
    expect(events).toEqual([{ type: 'EntityRegistered', data: { id: ID, ...FULL } }]);
    expect(replay(evolveEntity, null, events)).toEqual({ id: ID, fields: FULL });
  });

  it('needs slug, name and type only', () => {
    const events = expectOk(decideEntity(register({ slug: 'dario-amodei', name: 'Dario Amodei', type: 'person' }), null));
    expect(events).toEqual([{ type: 'EntityRegistered', data: { id: ID, slug: 'dario-amodei', name: 'Dario Amodei', type: 'person' } }]);
  });

  it('accepts an entity type that is not in the known list (the list is open)', () => {
    const events = expectOk(decideEntity(register({ slug: 'x', name: 'X', type: 'lab-notebook' }), null));
    expect(events[0].data).toMatchObject({ type: 'lab-notebook' });
  });

  it('accepts a slug already owned by the same entity', () => {
    expect(expectOk(decideEntity(register(FULL), null, { slugOwner: ID }))).toHaveLength(1);
  });

  it('rejects a slug owned by another entity with CONFLICT', () => {
    expectFail(
      decideEntity(register(FULL), null, { slugOwner: OTHER }),
      'CONFLICT',
      'slug',
      `slug "anthropic" already names entity ${OTHER}`,
    );
  });

  it('rejects registering an id that exists with CONFLICT', () => {
    expectFail(decideEntity(register(FULL), registered()), 'CONFLICT', 'id', `entity ${ID} already exists`);
  });

  it.each([['anthropic'], ['mK9pX3rQ7'], ['mK9pX3rQ7n1'], ['mK9pX3rQ-n'], ['']])('rejects the id %j', (id) => {
    expectFail(decideEntity(register(FULL, id), null), 'BAD_USER_INPUT', 'id', 'expected a stable id of 10 characters');
  });

  it.each([
    [{ name: 'A', type: 'organization' }, 'slug', 'is required'],
    [{ slug: 'a', type: 'organization' }, 'name', 'is required'],
    [{ slug: 'a', name: 'A' }, 'type', 'is required'],
    [{ slug: 'Anthropic', name: 'A', type: 'organization' }, 'slug', 'expected a kebab-case slug'],
    [{ slug: 'a', name: '', type: 'organization' }, 'name', 'must not be empty'],
    [{ slug: 'a', name: 'A', type: 'Organization' }, 'type', 'expected an entity type such as "organization"'],
    [{ slug: 'a', name: 'A', type: 'ai model' }, 'type', 'expected an entity type'],
    [{ slug: 'a', name: 'A', type: 'person', numericId: 'E-22' }, 'numericId', 'expected a numeric id'],
    [{ slug: 'a', name: 'A', type: 'person', aliases: 'A' }, 'aliases', 'expected a list'],
    [{ slug: 'a', name: 'A', type: 'person', aliases: ['B', 'C', 'B'] }, 'aliases.2', 'duplicate item'],
    [{ slug: 'a', name: 'A', type: 'person', aliases: [''] }, 'aliases.0', 'must not be empty'],
    [
      { slug: 'a', name: 'A', type: 'person', description: 'd' },
      'description',
      'unknown field; known fields: slug, name, type, numericId, aliases',
    ],
  ])('rejects %j at %s', (fields, path, fragment) => {
    expectFail(decideEntity(register(fields), null), 'BAD_USER_INPUT', path, fragment);
  });
});

describe('UpdateEntity', () => {
  it('sets and unsets fields, keeping the slug and unnamed fields', () => {
    const state = registered();
    const events = expectOk(decideEntity(update({ name: 'Anthropic PBC', type: 'funder' }, ['numericId']), state));
    expect(events).toEqual([
      { type: 'EntityUpdated', data: { id: ID, set: { name: 'Anthropic PBC', type: 'funder' }, unset: ['numericId'] } },
    ]);
    expect(replay(evolveEntity, state, events)).toEqual({
      id: ID,
      fields: { slug: 'anthropic', name: 'Anthropic PBC', type: 'funder', aliases: ['Anthropic PBC'] },
    });
  });

  it('clears aliases through unset', () => {
    const state = registered();
    const next = replay(evolveEntity, state, expectOk(decideEntity(update(undefined, ['aliases']), state)));
    expect(next?.fields).toEqual({ slug: 'anthropic', name: 'Anthropic', type: 'organization', numericId: 'E22' });
  });

  it('appends no event when nothing changes', () => {
    expect(expectOk(decideEntity(update({ name: 'Anthropic', aliases: ['Anthropic PBC'] }), registered()))).toEqual([]);
  });

  it.each([
    [{ slug: 'anthropic-pbc' }, undefined, 'set.slug', 'cannot be changed'],
    [{ slug: 'anthropic' }, undefined, 'set.slug', 'cannot be changed'],
    [undefined, ['slug'], 'unset.0', '"slug" is required and cannot be unset'],
    [undefined, ['name'], 'unset.0', '"name" is required and cannot be unset'],
    [undefined, ['type'], 'unset.0', '"type" is required and cannot be unset'],
    [{ type: 'Person' }, undefined, 'set.type', 'expected an entity type'],
    [{ aliases: ['x', 'x'] }, undefined, 'set.aliases.1', 'duplicate item'],
    [{ id: OTHER }, undefined, 'set.id', 'unknown field'],
    [{}, undefined, 'set', 'the patch changes nothing'],
  ])('rejects set %j unset %j at %s', (set, unset, path, fragment) => {
    expectFail(decideEntity(update(set, unset), registered()), 'BAD_USER_INPUT', path, fragment);
  });

  it('rejects an update of an unknown entity with NOT_FOUND', () => {
    expectFail(decideEntity(update({ name: 'X' }), null), 'NOT_FOUND', 'id', `entity ${ID} does not exist`);
  });
});

describe('RenameEntity', () => {
  it('produces EntityRenamed, and evolve keeps the old slug as an alias', () => {
    const state = registered();
    const events = expectOk(decideEntity(rename('anthropic-pbc'), state, { slugOwner: null }));
    expect(events).toEqual([{ type: 'EntityRenamed', data: { id: ID, from: 'anthropic', to: 'anthropic-pbc' } }]);
    expect(replay(evolveEntity, state, events)).toEqual({
      id: ID,
      fields: { ...FULL, slug: 'anthropic-pbc', aliases: ['Anthropic PBC', 'anthropic'] },
      formerSlugs: ['anthropic'],
    });
  });

  it('starts an alias list when the entity had none', () => {
    const state = registered({ slug: 'openai', name: 'OpenAI', type: 'organization' });
    const next = replay(evolveEntity, state, expectOk(decideEntity(rename('open-ai'), state)));
    expect(next?.fields).toEqual({ slug: 'open-ai', name: 'OpenAI', type: 'organization', aliases: ['openai'] });
  });

  it('renaming back drops the new slug from the aliases and keeps each old slug once', () => {
    let state = registered({ slug: 'a', name: 'A', type: 'concept' });
    state = replay(evolveEntity, state, expectOk(decideEntity(rename('b'), state)));
    state = replay(evolveEntity, state, expectOk(decideEntity(rename('a'), state)));
    expect(state?.fields).toEqual({ slug: 'a', name: 'A', type: 'concept', aliases: ['b'] });
    state = replay(evolveEntity, state, expectOk(decideEntity(rename('b'), state)));
    expect(state?.fields.aliases).toEqual(['a']);
  });

  it('does not mutate the state it evolves from', () => {
    const state = registered();
    const before = clone(state);
    replay(evolveEntity, state, expectOk(decideEntity(rename('anthropic-pbc'), state)));
    expect(state).toEqual(before);
  });

  it('is a no-op to rename to the current slug, even if the caller reports an owner', () => {
    expect(expectOk(decideEntity(rename('anthropic'), registered(), { slugOwner: ID }))).toEqual([]);
    expect(expectOk(decideEntity(rename('anthropic'), registered()))).toEqual([]);
  });

  it('rejects a slug owned by another entity with CONFLICT', () => {
    expectFail(
      decideEntity(rename('openai'), registered(), { slugOwner: OTHER }),
      'CONFLICT',
      'slug',
      `slug "openai" already names entity ${OTHER}`,
    );
  });

  it("allows taking back a slug that is this entity's own alias", () => {
    expect(expectOk(decideEntity(rename('anthropic-old'), registered(), { slugOwner: ID }))).toHaveLength(1);
  });

  it.each([['Anthropic PBC'], ['anthropic_pbc'], [''], [null], [7]])('rejects the new slug %j', (newSlug) => {
    expectFail(decideEntity(rename(newSlug), registered()), 'BAD_USER_INPUT', 'newSlug', 'expected a kebab-case slug');
  });

  it('rejects renaming an unknown entity with NOT_FOUND', () => {
    expectFail(decideEntity(rename('x'), null), 'NOT_FOUND', 'id', `entity ${ID} does not exist`);
  });
});

describe('evolveEntity', () => {
  it.each<EntityEvent>([
    { type: 'EntityUpdated', data: { id: ID, set: { name: 'X' }, unset: [] } },
    { type: 'EntityRenamed', data: { id: ID, from: 'a', to: 'b' } },
  ])('ignores $type for an entity it has not seen', (event) => {
    expect(evolveEntity(null, event)).toBeNull();
  });
});
