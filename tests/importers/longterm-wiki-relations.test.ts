import { importLongtermWiki } from '../../src/importers/longterm-wiki';
import { resolveBasis } from '../../src/projections/queries/basis';
import { relationsAt } from '../../src/projections/queries/relations';
import { thingsAt } from '../../src/projections/queries/things';
import { createTestFactlog, type TestFactlog } from '../support/factlog';
import { buildFixture, eventCount, eventsOfRun, removeFixtures } from './longterm-wiki-support';

/**
 * relatedEntries on a small data set in the wiki's layout: related in the file's order, an unknown
 * target kept by its slug and reported, then a second version that reorders, drops and adds relations.
 * The store's order must become the file's, a relation the API added must stay, and re-runs append nothing.
 */

const ACME = 'AcmeAAAAA1';
const BETA = 'BetaAAAAA1';
const CARL = 'CarlAAAAA1';

const entry = (id: string, stableId: string, type: string, related = '') =>
  `- id: ${id}\n  stableId: ${stableId}\n  type: ${type}\n  title: ${id}\n${related ? `  relatedEntries:\n${related}` : ''}`;
const rel = (id: string, type: string, relationship?: string) =>
  `    - id: ${id}\n      type: ${type}\n${relationship ? `      relationship: ${relationship}\n` : ''}`;

const v1 = {
  'entities/orgs.yaml': [
    entry('acme', ACME, 'organization', rel('beta', 'organization', 'part-of') + rel('carl', 'person') + rel('ghost-lab', 'organization')),
    entry('beta', BETA, 'organization'),
    entry('carl', CARL, 'person', rel('acme', 'organization', 'created-by')),
  ].join('\n'),
};
const v2 = {
  'entities/orgs.yaml': [
    entry('acme', ACME, 'organization', rel('carl', 'person') + rel('beta', 'organization', 'part-of') + rel('dana', 'person', 'leads-to')),
    entry('beta', BETA, 'organization'),
    entry('carl', CARL, 'person'),
    entry('dana', 'DanaAAAAA1', 'person'),
  ].join('\n'),
};

let app: TestFactlog;
beforeAll(async () => {
  app = await createTestFactlog();
});
afterAll(async () => {
  await app?.dispose();
  await removeFixtures();
});

const relationsOf = async (id: string) => {
  const head = (await resolveBasis(app.db)).position;
  return (await thingsAt(app.db, 'entity', [id], head)).get(id)!.state.relations ?? [];
};

it('relates in the file order, keeping a target no entity has by its slug and reporting it', async () => {
  const report = await importLongtermWiki(app, await buildFixture({ files: v1 }), { actor: 'tester' });
  expect(report.unmapped).toEqual({});
  expect(report.phases.relations).toMatchObject({ inFiles: 4, applied: { relate: 4 } });
  expect(report.anomalies.filter((a) => a.kind === 'unknown-ref')).toEqual([
    expect.objectContaining({ file: 'entities/orgs.yaml', at: 'acme.relatedEntries.2', message: expect.stringContaining('ghost-lab') }),
  ]);
  expect(await relationsOf(ACME)).toEqual([
    { entityId: BETA, type: 'organization', relationship: 'part-of' },
    { entityId: CARL, type: 'person' },
    { unresolvedSlug: 'ghost-lab', type: 'organization' },
  ]);
  const head = (await resolveBasis(app.db)).position;
  expect((await relationsAt(app.db, [ACME], head)).get(ACME)).toContainEqual(
    expect.objectContaining({ direction: 'incoming', other: { entityId: CARL }, relationship: 'created-by' }),
  );

  // A relation the API adds is not the importer's to take away.
  await app.commands.execute({ type: 'RelateEntity', entity: 'acme', target: 'carl', relationship: 'advises' });
  const again = await importLongtermWiki(app, await buildFixture({ files: v1 }));
  expect(again.commands).toBe(0);
});

it('a reordered, shortened and extended list: the store ends in the file order, the API relation stays', async () => {
  const report = await importLongtermWiki(app, await buildFixture({ files: v2 }), { actor: 'tester', reason: 'v2' });
  const events = (await eventsOfRun(app.db, report.run.correlationId)).filter(
    (e) => e.type.startsWith('EntityRel') || e.type.startsWith('EntityUnrel'),
  );
  expect(events.map((e) => ({ type: e.type, data: e.data }))).toEqual([
    { type: 'EntityUnrelated', data: { id: ACME, unresolvedSlug: 'ghost-lab' } },
    { type: 'EntityUnrelated', data: { id: ACME, entityId: BETA, relationship: 'part-of' } },
    { type: 'EntityUnrelated', data: { id: ACME, entityId: CARL } },
    { type: 'EntityRelated', data: { id: ACME, entityId: CARL, type: 'person' } },
    { type: 'EntityRelated', data: { id: ACME, entityId: BETA, type: 'organization', relationship: 'part-of' } },
    { type: 'EntityRelated', data: { id: ACME, entityId: 'DanaAAAAA1', type: 'person', relationship: 'leads-to' } },
    { type: 'EntityUnrelated', data: { id: CARL, entityId: ACME, relationship: 'created-by' } },
  ]);
  const listed = (await relationsOf(ACME)).filter((r) => r.relationship !== 'advises');
  expect(listed).toEqual([
    { entityId: CARL, type: 'person' },
    { entityId: BETA, type: 'organization', relationship: 'part-of' },
    { entityId: 'DanaAAAAA1', type: 'person', relationship: 'leads-to' },
  ]);
  expect(await relationsOf(ACME)).toContainEqual({ entityId: CARL, relationship: 'advises' });
  expect(await relationsOf(CARL)).toEqual([]);

  const head = await eventCount(app.db);
  const again = await importLongtermWiki(app, await buildFixture({ files: v2 }));
  expect(again.commands).toBe(0);
  expect(again.phases.relations).toMatchObject({ inFiles: 3, unchanged: 3 });
  expect(await eventCount(app.db)).toBe(head);
});
