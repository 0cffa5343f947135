import { createHash } from 'node:crypto';
import { importLongtermWiki } from '../../src/importers/longterm-wiki';
import { createTestFactlog, type TestFactlog } from '../support/factlog';
import { buildFixture, eventCount, eventsOfRun, removeFixtures } from './longterm-wiki-support';

/**
 * Field-level sync on a tiny hand-written data set in the wiki's layout: every kind of thing is
 * registered, then a second version of the files changes, clears, renames, adds and removes, and the
 * second run must append exactly those changes — and leave what the API added alone.
 */

const sha = (url: string) => createHash('sha256').update(url).digest('hex').slice(0, 16);
const REPORT = 'https://acme.org/report-2023';
const POST = 'https://blog.example/post';
const API_SOURCE = 'https://example.com/api-only';

const v1 = {
  'publications.yaml': `
- id: acme-journal
  name: Acme Journal
  domains: [acme.org]
  type: academic_journal
  credibility: 4
  peer_reviewed: true
  description: A journal
- id: blogco
  name: BlogCo
  type: company_blog
  credibility: 3
`,
  'properties.yaml': `
properties:
  revenue:
    name: Revenue
    dataType: number
    unit: USD
    temporal: true
    appliesTo: [organization]
    display: { divisor: 1e9, prefix: "$", suffix: "B" }
  ceo:
    name: CEO
    dataType: ref
    appliesTo: [organization]
    inverseId: ceo-of
    inverseName: CEO of
`,
  'entities/orgs.yaml': `
- id: acme
  stableId: AcmeAAAAA1
  numericId: E1
  type: organization
  title: Acme
  website: https://acme.org
  orgType: lab
  tags: [ai, safety]
- id: jane-doe
  stableId: JaneDoe001
  numericId: E2
  type: person
  title: Jane Doe
`,
  'things/acme.yaml': `
thing:
  id: acme
  stableId: AcmeAAAAA1
  type: organization
  name: Acme
  numericId: E1
  aliases: [Acme Inc]
facts:
  - id: f_rev_2023
    property: revenue
    value: 1e9
    asOf: "2023"
    source: ${REPORT}
    notes: first year
  - id: f_rev_2024
    property: revenue
    value: 2e9
    asOf: 2024-06
  - id: f_ceo
    property: ceo
    value: !ref JaneDoe001:jane-doe
    asOf: "2020"
`,
  'resources/all.yaml': `
- id: ${sha(REPORT)}
  url: ${REPORT}
  title: Acme report 2023
  type: web
  publication_id: acme-journal
  tags: [finance]
  cited_by: [acme-page]
- id: ${sha(POST)}
  url: ${POST}
  title: A post
  published_date: "2024"
  cited_by: [acme-page, jane-page]
`,
  'resources-snapshot.json': JSON.stringify([{ id: sha(REPORT), url: REPORT, type: 'report', stable_id: 'SnapAAAAA1' }]),
  'pages.yaml': `
- slug: acme-page
  numericId: E1
  title: Acme
  description: About Acme
  quality: 60
- slug: jane-page
  numericId: E2
  title: Jane
`,
};

const v2: typeof v1 = {
  ...v1,
  'publications.yaml': v1['publications.yaml'].replace('  credibility: 4', '  credibility: 5').replace('  description: A journal\n', ''),
  'properties.yaml': v1['properties.yaml']
    .replace('    name: Revenue\n', '    name: Revenue\n    description: Annual revenue\n')
    .replace('    inverseId: ceo-of\n', ''),
  'entities/orgs.yaml': v1['entities/orgs.yaml']
    .replace('- id: jane-doe', '- id: jane-q-doe')
    .replace('  orgType: lab\n  tags: [ai, safety]\n', '  orgType: frontier-lab\n'),
  'things/acme.yaml': v1['things/acme.yaml']
    .replace('aliases: [Acme Inc]', 'aliases: [Acme Inc, ACME Corporation]')
    .replace('    value: 1e9', '    value: 1.1e9')
    .replace('    notes: first year\n', '')
    .replace(/  - id: f_rev_2024\n(    .*\n){3}/, '  - id: f_rev_2025\n    property: revenue\n    value: 3e9\n    asOf: 2025-06\n')
    .replace('JaneDoe001:jane-doe', 'JaneDoe001:jane-q-doe'),
  'resources/all.yaml': `
- id: ${sha(REPORT)}
  url: ${REPORT}
  title: Acme annual report 2023
  type: web
  publication_id: acme-journal
  cited_by: [acme-page, jane-page]
- id: ${sha(POST)}
  url: ${POST}
  title: A post
  published_date: "2024"
  cited_by: [acme-page]
`,
  'pages.yaml': v1['pages.yaml'].replace('  description: About Acme\n  quality: 60\n', '  description: All about Acme\n'),
};

let app: TestFactlog;
/** A thing's current state as the domain keeps it (state_versions). */
const stateOf = async (kind: string, id: string) => {
  const row = await app.db
    .selectFrom('state_versions')
    .select('state')
    .where('kind', '=', kind)
    .where('id', '=', id)
    .where('tx_to', 'is', null)
    .executeTakeFirstOrThrow();
  return typeof row.state === 'string' ? (JSON.parse(row.state) as unknown) : row.state;
};
beforeAll(async () => {
  app = await createTestFactlog();
});
afterAll(async () => {
  await app?.dispose();
  await removeFixtures();
});

it('registers every kind of thing from the files', async () => {
  const report = await importLongtermWiki(app, await buildFixture({ files: v1 }), { actor: 'tester' });
  // The snapshot's finer type wins over the YAML's "web"; the post's published_date is a bare "2024".
  expect(report.anomalies.map((a) => a.kind)).toEqual(['missing-input', 'missing-input', 'snapshot-mismatch', 'bare-year-date']);
  // Nothing is dropped: the keys with no typed field are kept in the entity's attributes, verbatim.
  expect(report.unmapped).toEqual({});
  expect(report.untyped).toEqual({ 'entities.orgType': 1 });
  expect(await stateOf('entity', 'AcmeAAAAA1')).toMatchObject({
    fields: { website: 'https://acme.org', tags: ['ai', 'safety'], attributes: { orgType: 'lab' } },
  });
  expect(await stateOf('property', 'ceo')).toMatchObject({ fields: { inverseName: 'CEO of' } });
  expect(report.eventsAppended).toBe(2 + 2 + 2 + 2 + 2 + 3 + 3); // publications, properties, entities, sources, pages, citations, facts

  expect(
    await app.db
      .selectFrom('sources')
      .select(['stable_id', 'type', 'publication_id', 'tags'])
      .where('id', '=', sha(REPORT))
      .executeTakeFirstOrThrow(),
  ).toEqual({ stable_id: 'SnapAAAAA1', type: 'report', publication_id: 'acme-journal', tags: ['finance'] });
  expect(await app.db.selectFrom('pages').select(['slug', 'entity_id']).orderBy('slug').execute()).toEqual([
    { slug: 'acme-page', entity_id: 'AcmeAAAAA1' },
    { slug: 'jane-page', entity_id: 'JaneDoe001' },
  ]);
  expect(await app.db.selectFrom('facts').select(['id', 'value', 'as_of', 'citations']).orderBy('id').execute()).toEqual([
    { id: 'f_ceo', value: { kind: 'ref', entity: 'JaneDoe001' }, as_of: '2020', citations: [] },
    { id: 'f_rev_2023', value: { kind: 'number', value: 1e9, unit: 'USD' }, as_of: '2023', citations: [{ sourceId: sha(REPORT) }] },
    { id: 'f_rev_2024', value: { kind: 'number', value: 2e9, unit: 'USD' }, as_of: '2024-06', citations: [] },
  ]);
  expect(
    await app.db.selectFrom('properties').select(['display', 'inverse_id']).where('id', '=', 'revenue').executeTakeFirstOrThrow(),
  ).toEqual({ display: { divisor: 1e9, prefix: '$', suffix: 'B' }, inverse_id: null });

  // What the API adds beside the import is not the importer's to take away.
  await app.commands.execute({ type: 'RegisterSource', fields: { url: API_SOURCE } });
  await app.commands.execute({ type: 'CiteSource', page: 'jane-page', source: API_SOURCE });
  await app.commands.execute({ type: 'AssertFact', id: 'f_api', entity: 'acme', property: 'revenue', value: 5e9, asOf: '2026' });
});

it('a dry run of the changed files plans the changes and writes nothing', async () => {
  const head = await eventCount(app.db);
  const plan = await importLongtermWiki(app, await buildFixture({ files: v2 }), { dryRun: true });
  expect(plan.commands).toBe(0);
  expect(await eventCount(app.db)).toBe(head);
  expect(plan.phases.facts.planned).toEqual({ correct: 1, assert: 1, retract: 1 });
});

it('appends exactly the changes: field patches with cleared fields, a rename, citations, facts', async () => {
  const report = await importLongtermWiki(app, await buildFixture({ files: v2 }), { actor: 'tester', reason: 'v2' });
  const events = (await eventsOfRun(app.db, report.run.correlationId)).map((e) => ({ type: e.type, data: e.data }));
  expect(events).toEqual(
    expect.arrayContaining([
      { type: 'PublicationUpdated', data: { id: 'acme-journal', set: { credibility: 5 }, unset: ['description'] } },
      { type: 'PropertyUpdated', data: { id: 'revenue', set: { description: 'Annual revenue' }, unset: [] } },
      { type: 'PropertyUpdated', data: { id: 'ceo', set: {}, unset: ['inverseId'] } },
      // Attributes are patched key by key: the changed key is set, the removed one unset, the same one not named.
      {
        type: 'EntityUpdated',
        data: {
          id: 'AcmeAAAAA1',
          set: { aliases: ['Acme Inc', 'ACME Corporation'], attributes: { orgType: 'frontier-lab' } },
          unset: ['tags'],
        },
      },
      { type: 'EntityRenamed', data: { id: 'JaneDoe001', from: 'jane-doe', to: 'jane-q-doe' } },
      { type: 'SourceUpdated', data: { id: sha(REPORT), set: { title: 'Acme annual report 2023' }, unset: ['tags'] } },
      { type: 'PageUpdated', data: { slug: 'acme-page', set: { description: 'All about Acme' }, unset: ['quality'] } },
      { type: 'SourceCited', data: { slug: 'jane-page', sourceId: sha(REPORT) } },
      { type: 'SourceUncited', data: { slug: 'jane-page', sourceId: sha(POST) } },
      {
        type: 'FactCorrected',
        data: { id: 'f_rev_2023', set: { value: { kind: 'number', value: 1.1e9, unit: 'USD' } }, unset: ['notes'] },
      },
      { type: 'FactRetracted', data: { id: 'f_rev_2024', reason: 'no longer in the Longterm Wiki files (things/acme.yaml)' } },
      { type: 'FactAsserted', data: expect.objectContaining({ id: 'f_rev_2025', asOf: '2025-06' }) },
    ]),
  );
  expect(events).toHaveLength(12);
  expect(await stateOf('entity', 'AcmeAAAAA1')).toMatchObject({
    fields: { website: 'https://acme.org', attributes: { orgType: 'frontier-lab' } },
  });
  expect(((await stateOf('entity', 'AcmeAAAAA1')) as { fields: object }).fields).not.toHaveProperty('tags');

  // The renamed entity keeps its old slug as an alias, and references still resolve to it.
  expect(await app.db.selectFrom('entities').select(['slug', 'aliases']).where('id', '=', 'JaneDoe001').executeTakeFirstOrThrow()).toEqual({
    slug: 'jane-q-doe',
    aliases: ['jane-doe'],
  });
  // The API's fact and citation are untouched.
  expect(await app.db.selectFrom('facts').select('retracted').where('id', '=', 'f_api').executeTakeFirstOrThrow()).toEqual({
    retracted: false,
  });
  expect(
    (await app.db.selectFrom('page_citations').select('source_id').where('page_slug', '=', 'jane-page').execute())
      .map((r) => r.source_id)
      .sort(),
  ).toEqual([sha(API_SOURCE), sha(REPORT)].sort());
});

it('appends nothing when the changed files are imported again', async () => {
  const head = await eventCount(app.db);
  const again = await importLongtermWiki(app, await buildFixture({ files: v2 }));
  expect(again.commands).toBe(0);
  expect(await eventCount(app.db)).toBe(head);
});

it('does not take away what a missing part of the data set defined', async () => {
  const { 'resources/all.yaml': _r, 'things/acme.yaml': _t, ...rest } = v2;
  const head = await eventCount(app.db);
  const report = await importLongtermWiki(app, await buildFixture({ files: rest }));
  expect(
    report.anomalies
      .filter((a) => a.kind === 'missing-input')
      .map((a) => a.file)
      .sort(),
  ).toEqual(['resources', 'schemas', 'schemas/records', 'things']);
  expect(await eventCount(app.db)).toBe(head);
});
