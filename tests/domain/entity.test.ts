import {
  decideEntity,
  evolveEntity,
  KNOWN_ENTITY_TYPES,
  typeLabel,
  type EntityCommand,
  type EntityEvent,
  type EntityFields,
  type EntityState,
  type RelationTarget,
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
      { slug: 'a', name: 'A', type: 'person', colour: 'd' },
      'colour',
      'unknown field; known fields: slug, name, type, numericId, aliases, description, tags, website, lastUpdated, summaryPage, sources, customFields',
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

describe('the wiki entry fields (description, tags, website, lastUpdated, summaryPage, sources, customFields)', () => {
  const ENTRY: EntityFields = {
    ...FULL,
    description: 'Anthropic is an AI safety company founded in January 2021.',
    tags: ['constitutional-ai', 'rlhf'],
    website: 'https://anthropic.com',
    lastUpdated: '2025-12',
    summaryPage: 'labs-overview',
    sources: [
      { title: 'Anthropic Company Website', url: 'https://anthropic.com' },
      { title: 'Sleeper Agents Paper', url: 'https://arxiv.org/abs/2401.05566', author: 'Anthropic', date: '2024' },
      { title: 'OpenAI Governance Crisis Analysis', author: 'Various', date: '2023-2024' },
    ],
    customFields: [
      { label: 'Safety Relevance', value: 'Very High' },
      { label: 'Target Risk', value: 'Authentication Collapse', link: '/knowledge-base/risks/epistemic/authentication-collapse/' },
    ],
  };

  it('registers every field as given and folds it into the state', () => {
    const events = expectOk(decideEntity(register(ENTRY), null));
    expect(events).toEqual([{ type: 'EntityRegistered', data: { id: ID, ...ENTRY } }]);
    expect(replay(evolveEntity, null, events)).toEqual({ id: ID, fields: ENTRY });
  });

  it('keeps lastUpdated at the precision given', () => {
    for (const d of ['2025', '2025-12', '2026-02-10']) {
      const [e] = expectOk(decideEntity(register({ ...FULL, lastUpdated: d }), null));
      expect(e.data).toMatchObject({ lastUpdated: d });
    }
  });

  it.each<[string, unknown, string, string]>([
    ['website', 'anthropic.com', 'website', 'expected an absolute http(s) URL'],
    ['website', 'https://anthropic.com ', 'website', 'must not contain whitespace'],
    ['lastUpdated', '2025-12-01T00:00:00Z', 'lastUpdated', ''],
    ['lastUpdated', 'December 2025', 'lastUpdated', ''],
    ['summaryPage', 'Labs Overview', 'summaryPage', 'expected a page slug'],
    ['tags', 'ai-safety', 'tags', 'expected a list'],
    ['tags', ['a', 'a'], 'tags.1', 'duplicate item'],
    ['sources', [{ url: 'https://anthropic.com' }], 'sources.0.title', 'is required'],
    ['sources', [{ title: 'T', url: 'not a url' }], 'sources.0.url', 'URL'],
    ['sources', [{ title: 'T', publisher: 'X' }], 'sources.0.publisher', 'unknown key'],
    ['customFields', [{ label: 'Safety Relevance' }], 'customFields.0.value', 'is required'],
    ['customFields', [{ label: 'L', value: 3 }], 'customFields.0.value', 'expected a string'],
  ])('refuses %s = %j at %s', (field, value, path, fragment) => {
    expectFail(decideEntity(register({ ...FULL, [field]: value }), null), 'BAD_USER_INPUT', path, fragment);
  });

  it('patches the new fields with set and unset, and a patch that changes nothing appends nothing', () => {
    const state = replay(evolveEntity, null, expectOk(decideEntity(register(ENTRY), null)));
    const events = expectOk(
      decideEntity(update({ tags: ['interpretability'], lastUpdated: '2026-02-10' }, ['customFields', 'website']), state),
    );
    expect(events).toEqual([
      {
        type: 'EntityUpdated',
        data: { id: ID, set: { tags: ['interpretability'], lastUpdated: '2026-02-10' }, unset: ['customFields', 'website'] },
      },
    ]);
    const next = replay(evolveEntity, state, events);
    expect(next?.fields).not.toHaveProperty('website');
    expect(next?.fields).not.toHaveProperty('customFields');
    expect(next?.fields.tags).toEqual(['interpretability']);
    expect(expectOk(decideEntity(update({ sources: ENTRY.sources }), next))).toEqual([]);
  });
});

describe('relations (RelateEntity / UnrelateEntity)', () => {
  const CLAUDE = 'Zq4Wv8Ty2u';
  const THIRD = 'A4XoubikkQ';
  const relate = (target: RelationTarget, more: Record<string, unknown> = {}): EntityCommand => ({
    type: 'RelateEntity',
    id: ID,
    target,
    ...more,
  });
  const unrelate = (target: RelationTarget, relationship?: string): EntityCommand => ({
    type: 'UnrelateEntity',
    id: ID,
    target,
    relationship,
  });
  const exists = { targetExists: true };

  it('relates an existing entity, and the state keeps relations in the order they were related', () => {
    let state = registered();
    const first = expectOk(
      decideEntity(relate({ entityId: CLAUDE }, { targetType: 'ai-model', relationship: 'composed-of' }), state, exists),
    );
    expect(first).toEqual([{ type: 'EntityRelated', data: { id: ID, entityId: CLAUDE, type: 'ai-model', relationship: 'composed-of' } }]);
    state = replay(evolveEntity, state, first);
    state = replay(evolveEntity, state, expectOk(decideEntity(relate({ entityId: THIRD }, { targetType: 'organization' }), state, exists)));
    expect(state?.relations).toEqual([
      { entityId: CLAUDE, type: 'ai-model', relationship: 'composed-of' },
      { entityId: THIRD, type: 'organization' },
    ]);
  });

  it('relating the same target and relationship again appends nothing; another relationship is another relation', () => {
    const cmd = relate({ entityId: CLAUDE }, { targetType: 'ai-model', relationship: 'composed-of' });
    const state = replay(evolveEntity, registered(), expectOk(decideEntity(cmd, registered(), exists)));
    expect(expectOk(decideEntity(cmd, state, exists))).toEqual([]);
    expect(expectOk(decideEntity(relate({ entityId: CLAUDE }, { relationship: 'related' }), state, exists))).toHaveLength(1);
  });

  it('a new target type replaces the old one and moves the relation to the end', () => {
    let state = registered();
    for (const cmd of [relate({ entityId: CLAUDE }, { targetType: 'concept' }), relate({ entityId: THIRD })])
      state = replay(evolveEntity, state, expectOk(decideEntity(cmd, state, exists)));
    state = replay(evolveEntity, state, expectOk(decideEntity(relate({ entityId: CLAUDE }, { targetType: 'ai-model' }), state, exists)));
    expect(state?.relations).toEqual([{ entityId: THIRD }, { entityId: CLAUDE, type: 'ai-model' }]);
  });

  it('relating to an unknown entity is NOT_FOUND; relating an unknown entity is NOT_FOUND', () => {
    expectFail(decideEntity(relate({ entityId: CLAUDE }), registered(), { targetExists: false }), 'NOT_FOUND', 'target', CLAUDE);
    expectFail(decideEntity(relate({ entityId: CLAUDE }), null, exists), 'NOT_FOUND', 'id', `entity ${ID} does not exist`);
  });

  it.each<[Record<string, unknown>, string, string]>([
    [{ relationship: 'Created By' }, 'relationship', 'kebab-case relationship'],
    [{ relationship: 7 }, 'relationship', 'kebab-case relationship'],
    [{ targetType: 'AI model' }, 'targetType', 'entity type'],
  ])('refuses %j', (more, path, fragment) => {
    expectFail(decideEntity(relate({ entityId: CLAUDE }, more), registered(), exists), 'BAD_USER_INPUT', path, fragment);
  });

  it('refuses relating an entity to itself', () => {
    expectFail(decideEntity(relate({ entityId: ID }), registered(), exists), 'BAD_USER_INPUT', 'target', 'itself');
  });

  it('keeps a target no entity has by its slug (the importer does this), and refuses a malformed slug', () => {
    const events = expectOk(decideEntity(relate({ unresolvedSlug: 'future-lab' }, { targetType: 'organization' }), registered()));
    expect(events[0].data).toEqual({ id: ID, unresolvedSlug: 'future-lab', type: 'organization' });
    expectFail(decideEntity(relate({ unresolvedSlug: 'Future Lab' }), registered()), 'BAD_USER_INPUT', 'target', 'kebab-case slug');
  });

  it('unrelates by target and relationship; unrelating what is not related is BAD_USER_INPUT', () => {
    let state = registered();
    for (const cmd of [relate({ entityId: CLAUDE }, { relationship: 'composed-of' }), relate({ unresolvedSlug: 'future-lab' })])
      state = replay(evolveEntity, state, expectOk(decideEntity(cmd, state, exists)));
    expectFail(decideEntity(unrelate({ entityId: CLAUDE }), state), 'BAD_USER_INPUT', 'target', 'without a relationship');
    const events = expectOk(decideEntity(unrelate({ entityId: CLAUDE }, 'composed-of'), state));
    expect(events).toEqual([{ type: 'EntityUnrelated', data: { id: ID, entityId: CLAUDE, relationship: 'composed-of' } }]);
    state = replay(evolveEntity, state, events);
    expect(state?.relations).toEqual([{ unresolvedSlug: 'future-lab' }]);
    state = replay(evolveEntity, state, expectOk(decideEntity(unrelate({ unresolvedSlug: 'future-lab' }), state)));
    expect(state).toEqual(registered());
    expectFail(decideEntity(unrelate({ entityId: CLAUDE }), null), 'NOT_FOUND', 'id', 'does not exist');
  });

  it('does not change the state it is given', () => {
    const state = replay(evolveEntity, registered(), expectOk(decideEntity(relate({ entityId: CLAUDE }), registered(), exists)));
    const before = clone(state);
    evolveEntity(state, { type: 'EntityUnrelated', data: { id: ID, entityId: CLAUDE } });
    evolveEntity(state, { type: 'EntityRelated', data: { id: ID, entityId: THIRD } });
    expect(state).toEqual(before);
  });
});
