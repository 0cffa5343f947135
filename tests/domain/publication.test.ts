import {
  decidePublication,
  evolvePublication,
  PUBLICATION_TYPES,
  type PublicationCommand,
  type PublicationEvent,
  type PublicationFields,
  type PublicationState,
} from '../../src/domain/publication';
import { clone, expectFail, expectOk, replay } from './domain-test-helpers';

const register = (fields: unknown, id: unknown = 'anthropic'): PublicationCommand => ({ type: 'RegisterPublication', id, fields });
const update = (set?: unknown, unset?: unknown, id = 'anthropic'): PublicationCommand => ({ type: 'UpdatePublication', id, set, unset });

const FULL: PublicationFields = {
  name: 'Anthropic',
  domains: ['anthropic.com', 'www.anthropic.com'],
  type: 'company_blog',
  credibility: 4,
  peerReviewed: false,
  description: 'AI safety company blog.',
};

const registered = (fields: PublicationFields = FULL): PublicationState =>
  replay(evolvePublication, null, expectOk(decidePublication(register(fields), null)));

describe('RegisterPublication', () => {
  it('produces exactly one PublicationRegistered event with every field, and evolve builds the state', () => {
    const events = expectOk(decidePublication(register(FULL), null));
    expect(events).toEqual([{ type: 'PublicationRegistered', data: { id: 'anthropic', ...FULL } }]);
    expect(evolvePublication(null, events[0])).toEqual({ id: 'anthropic', fields: FULL });
  });

  it('needs only the name', () => {
    const events = expectOk(decidePublication(register({ name: 'arXiv' }, 'arxiv'), null));
    expect(events).toEqual([{ type: 'PublicationRegistered', data: { id: 'arxiv', name: 'arXiv' } }]);
    expect(replay(evolvePublication, null, events)).toEqual({ id: 'arxiv', fields: { name: 'arXiv' } });
  });

  it('lower-cases domains so that URL matching is case-insensitive', () => {
    const events = expectOk(decidePublication(register({ name: 'Anthropic', domains: ['Anthropic.COM'] }), null));
    expect(events[0].data).toEqual({ id: 'anthropic', name: 'Anthropic', domains: ['anthropic.com'] });
  });

  it('treats null optional fields as absent', () => {
    const events = expectOk(decidePublication(register({ name: 'Anthropic', type: null, description: undefined }), null));
    expect(events[0].data).toEqual({ id: 'anthropic', name: 'Anthropic' });
  });

  it.each(PUBLICATION_TYPES.map((t) => [t]))('accepts type %s', (type) => {
    const events = expectOk(decidePublication(register({ name: 'X', type }), null));
    expect(events[0].data).toEqual({ id: 'anthropic', name: 'X', type });
  });

  it.each([1, 2, 3, 4, 5])('accepts credibility %d', (credibility) => {
    expect(expectOk(decidePublication(register({ name: 'X', credibility }), null))[0].data).toMatchObject({ credibility });
  });

  it.each([['Anthropic'], ['anthropic blog'], ['-anthropic'], ['anthropic--blog'], [''], [42], [undefined], ['a'.repeat(101)]])(
    'rejects the id %j',
    (id) => {
      const command: PublicationCommand = { type: 'RegisterPublication', id, fields: { name: 'X' } };
      expectFail(decidePublication(command, null), 'BAD_USER_INPUT', 'id', 'expected a kebab-case id');
    },
  );

  it('rejects registering an id that already exists with CONFLICT', () => {
    const error = expectFail(decidePublication(register(FULL), registered()), 'CONFLICT', 'id', 'publication "anthropic" already exists');
    expect(error.details).toEqual({ actualVersion: null });
  });

  it.each([[null], ['Anthropic'], [[{ name: 'x' }]], [7]])('rejects fields that are not an object: %j', (fields) => {
    expectFail(decidePublication(register(fields), null), 'BAD_USER_INPUT', 'input', 'expected an object');
  });

  it('rejects an unknown field, naming the known ones', () => {
    const error = expectFail(
      decidePublication(register({ name: 'X', url: 'https://x.org' }), null),
      'BAD_USER_INPUT',
      'url',
      'unknown field',
    );
    expect(error.message).toContain('known fields: name, domains, type, credibility, peerReviewed, description');
  });

  it.each([[{}], [{ name: null }], [{ description: 'no name' }]])('rejects a registration without name: %j', (fields) => {
    expectFail(decidePublication(register(fields), null), 'BAD_USER_INPUT', 'name', 'is required');
  });

  it.each([
    [{ name: 42 }, 'name', 'expected a string, got number 42'],
    [{ name: '' }, 'name', 'must not be empty'],
    [{ name: '   ' }, 'name', 'must not be empty'],
    [{ name: 'x'.repeat(301) }, 'name', 'is 301 characters; the limit is 300'],
    [{ name: 'X', description: 'd'.repeat(10_001) }, 'description', 'the limit is 10000'],
    [{ name: 'X', type: 'magazine' }, 'type', 'expected one of academic_journal'],
    [{ name: 'X', type: 'Company_Blog' }, 'type', 'got string "Company_Blog"'],
    [{ name: 'X', credibility: 0 }, 'credibility', 'expected an integer from 1 to 5, got number 0'],
    [{ name: 'X', credibility: 6 }, 'credibility', 'expected an integer from 1 to 5, got number 6'],
    [{ name: 'X', credibility: 2.5 }, 'credibility', 'expected an integer from 1 to 5, got number 2.5'],
    [{ name: 'X', credibility: '4' }, 'credibility', 'got string "4"'],
    [{ name: 'X', peerReviewed: 'yes' }, 'peerReviewed', 'expected true or false'],
    [{ name: 'X', peerReviewed: 1 }, 'peerReviewed', 'expected true or false'],
    [{ name: 'X', domains: 'anthropic.com' }, 'domains', 'expected a list'],
    [{ name: 'X', domains: ['https://anthropic.com'] }, 'domains.0', 'expected a hostname'],
    [{ name: 'X', domains: ['anthropic.com', 'anthropic .com'] }, 'domains.1', 'expected a hostname'],
    [{ name: 'X', domains: ['anthropic.com/news'] }, 'domains.0', 'expected a hostname'],
    [{ name: 'X', domains: [42] }, 'domains.0', 'expected a hostname'],
    [{ name: 'X', domains: ['anthropic.com', 'arxiv.org', 'anthropic.com'] }, 'domains.2', 'duplicate item'],
    [{ name: 'X', domains: ['anthropic.com', 'ANTHROPIC.com'] }, 'domains.1', 'duplicate item'],
    [{ name: 'X', domains: Array.from({ length: 101 }, (_, i) => `d${i}.com`) }, 'domains', 'has 101 items; the limit is 100'],
  ])('rejects %j at %s', (fields, path, fragment) => {
    expectFail(decidePublication(register(fields), null), 'BAD_USER_INPUT', path, fragment);
  });
});

describe('UpdatePublication', () => {
  it('sets and unsets fields; evolve changes only those', () => {
    const state = registered();
    const events = expectOk(decidePublication(update({ description: 'Research and news.', credibility: 5 }, ['type']), state));
    expect(events).toEqual([
      {
        type: 'PublicationUpdated',
        data: { id: 'anthropic', set: { description: 'Research and news.', credibility: 5 }, unset: ['type'] },
      },
    ]);
    const next = replay(evolvePublication, state, events);
    expect(next).toEqual({
      id: 'anthropic',
      fields: {
        name: 'Anthropic',
        domains: ['anthropic.com', 'www.anthropic.com'],
        credibility: 5,
        peerReviewed: false,
        description: 'Research and news.',
      },
    });
  });

  it('clears a field through unset alone', () => {
    const state = registered();
    const events = expectOk(decidePublication(update(undefined, ['domains']), state));
    expect(events).toEqual([{ type: 'PublicationUpdated', data: { id: 'anthropic', set: {}, unset: ['domains'] } }]);
    const next = replay(evolvePublication, state, events);
    expect(next?.fields).not.toHaveProperty('domains');
    expect(next?.fields).toEqual({
      name: 'Anthropic',
      type: 'company_blog',
      credibility: 4,
      peerReviewed: false,
      description: 'AI safety company blog.',
    });
  });

  it('never erases a field the patch does not name', () => {
    const state = registered();
    const next = replay(evolvePublication, state, expectOk(decidePublication(update({ peerReviewed: true }), state)));
    expect(next?.fields).toEqual({ ...FULL, peerReviewed: true });
  });

  it('does not mutate the state it evolves from', () => {
    const state = registered();
    const before = clone(state);
    replay(evolvePublication, state, expectOk(decidePublication(update({ name: 'Anthropic PBC' }, ['domains']), state)));
    expect(state).toEqual(before);
  });

  it('appends no event when the patch sets current values and unsets absent fields', () => {
    const state = registered({ name: 'Anthropic', credibility: 4, domains: ['anthropic.com'] });
    expect(
      expectOk(decidePublication(update({ name: 'Anthropic', credibility: 4, domains: ['anthropic.com'] }, ['description']), state)),
    ).toEqual([]);
  });

  it('keeps only the effective part of a partly redundant patch', () => {
    const state = registered({ name: 'Anthropic', credibility: 4, type: 'news' });
    const events = expectOk(decidePublication(update({ name: 'Anthropic', credibility: 3 }, ['description', 'type']), state));
    expect(events).toEqual([{ type: 'PublicationUpdated', data: { id: 'anthropic', set: { credibility: 3 }, unset: ['type'] } }]);
    expect(replay(evolvePublication, state, events)).toEqual({ id: 'anthropic', fields: { name: 'Anthropic', credibility: 3 } });
  });

  it('compares normalized values: re-sending a domain in upper case is a no-op', () => {
    expect(expectOk(decidePublication(update({ domains: ['ANTHROPIC.com', 'www.anthropic.com'] }), registered()))).toEqual([]);
  });

  it('rejects an update of an unknown publication with NOT_FOUND', () => {
    expectFail(decidePublication(update({ name: 'X' }), null), 'NOT_FOUND', 'id', 'publication "anthropic" does not exist');
  });

  it.each([
    [{}, undefined, 'set', 'the patch changes nothing'],
    [undefined, undefined, 'set', 'the patch changes nothing'],
    [undefined, [], 'set', 'the patch changes nothing'],
    [{ website: 'x' }, undefined, 'set.website', 'unknown field'],
    ['Anthropic', undefined, 'set', 'expected an object'],
    [{ credibility: 0 }, undefined, 'set.credibility', 'expected an integer from 1 to 5'],
    [{ credibility: 6 }, undefined, 'set.credibility', 'expected an integer from 1 to 5'],
    [{ credibility: 2.5 }, undefined, 'set.credibility', 'expected an integer from 1 to 5'],
    [{ type: 'magazine' }, undefined, 'set.type', 'expected one of'],
    [{ name: '' }, undefined, 'set.name', 'must not be empty'],
    [{ domains: ['a.com', 'a.com'] }, undefined, 'set.domains.1', 'duplicate item'],
    [undefined, 'type', 'unset', 'expected a list of field names'],
    [undefined, ['website'], 'unset.0', 'unknown field string "website"'],
    [undefined, ['type', 42], 'unset.1', 'unknown field number 42'],
    [undefined, ['name'], 'unset.0', '"name" is required and cannot be unset'],
    [{ type: 'news' }, ['description', 'type'], 'unset.1', '"type" is both set and unset'],
  ])('rejects set %j unset %j at %s', (set, unset, path, fragment) => {
    expectFail(decidePublication(update(set, unset), registered()), 'BAD_USER_INPUT', path, fragment);
  });

  it('lists unset names once even if repeated', () => {
    const events = expectOk(decidePublication(update(undefined, ['type', 'type']), registered()));
    expect(events).toEqual([{ type: 'PublicationUpdated', data: { id: 'anthropic', set: {}, unset: ['type'] } }]);
  });
});

describe('evolvePublication', () => {
  it('ignores an update for a publication it has not seen', () => {
    const event: PublicationEvent = { type: 'PublicationUpdated', data: { id: 'x', set: { name: 'X' }, unset: [] } };
    expect(evolvePublication(null, event)).toBeNull();
  });
});
