import { createHash } from 'node:crypto';
import { promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DomainError } from '../../src/domain/errors';
import { sourceIdForUrl } from '../../src/domain/ids';
import { exportLongtermWiki } from '../../src/importers/longterm-wiki/export';
import { parsePartialDate, asOfInstant } from '../../src/domain/partial-date';
import { importLongtermWiki, type ImportReport } from '../../src/importers/longterm-wiki';
import { allFactsAt, timelineAt, valueAt } from '../../src/projections/queries/facts';
import { resolveBasis } from '../../src/projections/queries/basis';
import { relationsAt } from '../../src/projections/queries/relations';
import { thingsAt } from '../../src/projections/queries/things';
import { createTestFactlog, type TestFactlog } from '../support/factlog';
import { targetKind } from '../support/test-database';
import { datasetDifferences } from './dataset-diff';
import { DATA_DIR, dataFiles, eventCount, readDataYaml, readYaml } from './longterm-wiki-support';

/**
 * The whole Longterm Wiki data set, imported once into the database this run targets (PGlite, or
 * PostgreSQL with DATABASE_URL), checked against counts taken from the files independently, then
 * imported again: the second run must plan and append nothing.
 */

const sha = (url: string) => createHash('sha256').update(url).digest('hex').slice(0, 16);

let app: TestFactlog;
let first: ImportReport;

beforeAll(async () => {
  app = await createTestFactlog();
  first = await importLongtermWiki(app, DATA_DIR, { actor: 'test', reason: 'full import test' });
  console.log(
    `[${targetKind}] full import: ${first.eventsAppended} events in ${first.seconds.total.toFixed(1)} s (sync ${first.seconds.sync.toFixed(1)} s), ${first.anomalies.length} anomalies`,
  );
}, 900_000);
afterAll(() => app?.dispose());

const count = async (table: 'publications' | 'properties' | 'entities' | 'sources' | 'pages' | 'page_citations' | 'facts') =>
  Number(
    (
      await app.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

/** What the files hold, counted here without the importer's code. */
function expectedFromFiles() {
  const publications = readDataYaml('publications.yaml') as { id: string }[];
  const properties = Object.keys(readDataYaml('properties.yaml').properties);
  const entities = new Set<string>();
  let relations = 0;
  for (const f of dataFiles('entities'))
    for (const e of readDataYaml(`entities/${f}`)) {
      entities.add(e.id);
      relations += (e.relatedEntries ?? []).length;
    }
  const factIds: string[] = [];
  const factUrls = new Set<string>();
  for (const f of dataFiles('things')) {
    const doc = readDataYaml(`things/${f}`);
    entities.add(doc.thing.id);
    for (const fact of doc.facts ?? []) {
      factIds.push(fact.id);
      if (typeof fact.source === 'string') factUrls.add(fact.source);
    }
  }
  const pages = new Set((readDataYaml('pages.yaml') as { slug: string }[]).map((p) => p.slug));
  let records = 0;
  for (const f of dataFiles('things'))
    for (const c of Object.values(readDataYaml(`things/${f}`).records ?? {})) records += Object.keys(c as object).length;
  const recordSchemas = dataFiles('schemas/records').length;
  const entityTypes = dataFiles('schemas').length;
  const resourceUrls = new Set<string>();
  const citations = new Set<string>();
  // A resource's citing pages are its YAML's cited_by and its snapshot entry's (by id with the same url, else by url).
  const snapshot = JSON.parse(readFileSync(path.join(DATA_DIR, 'resources-snapshot.json'), 'utf8')) as {
    id: string;
    url: string;
    cited_by?: string[];
  }[];
  const snapById = new Map(snapshot.map((e) => [e.id, e]));
  const snapByUrl = new Map(snapshot.map((e) => [e.url, e]));
  for (const f of dataFiles('resources')) {
    for (const r of readDataYaml(`resources/${f}`)) {
      resourceUrls.add(r.url);
      const byId = snapById.get(r.id);
      const snap = byId && byId.url === r.url ? byId : snapByUrl.get(r.url);
      for (const slug of [...(r.cited_by ?? []), ...(snap?.cited_by ?? [])]) if (pages.has(slug)) citations.add(`${slug} ${sha(r.url)}`);
    }
  }
  // Every URL the resources, the facts or the wiki's database export (the snapshot) list is a source.
  const snapshotUrls = (JSON.parse(readFileSync(path.join(DATA_DIR, 'resources-snapshot.json'), 'utf8')) as { url: string }[]).map(
    (s) => s.url,
  );
  const sources = new Set([...resourceUrls, ...factUrls, ...snapshotUrls]);
  return {
    publications: publications.length,
    properties: properties.length,
    entities: entities.size,
    relations,
    factIds,
    sources: sources.size,
    pages: pages.size,
    citations: citations.size,
    resourceUrls,
    records,
    recordSchemas,
    entityTypes,
  };
}

it('imports the whole data set: every publication, property, entity, source, page, citation and fact', async () => {
  const want = expectedFromFiles();
  expect(first.completed).toBe(true);
  expect(await count('publications')).toBe(want.publications);
  expect(await count('properties')).toBe(want.properties);
  expect(await count('entities')).toBe(want.entities);
  expect(await count('sources')).toBe(want.sources);
  expect(await count('pages')).toBe(want.pages);
  expect(await count('page_citations')).toBe(want.citations);
  // The README's figures, as a cross-check of the counting above.
  expect([want.publications, want.properties, want.pages, want.resourceUrls.size, want.factIds.length]).toEqual([79, 51, 572, 5975, 1016]);

  // Every fact is imported except those reported as unusable, each with its file and line.
  const skipped = first.anomalies.filter(
    (a) => ['unparsable-value', 'invalid-record', 'unknown-property'].includes(a.kind) && a.file.startsWith('things/'),
  );
  const skippedIds = new Set(skipped.map((a) => a.at!.split('.')[0]));
  expect(skippedIds.size).toBeLessThanOrEqual(5);
  for (const a of skipped) expect(a.line).toBeGreaterThan(0);
  expect(await count('facts')).toBe(want.factIds.length - skippedIds.size);

  // Nothing was refused at run time, and the log holds exactly the events the report counts.
  expect(first.anomalies.filter((a) => a.kind === 'rejected')).toEqual([]);
  expect(await eventCount(app.db)).toBe(first.eventsAppended);
  expect(first.eventsAppended).toBe(
    want.publications +
      want.properties +
      want.entities +
      want.relations +
      want.sources +
      want.pages +
      want.citations +
      want.factIds.length -
      skippedIds.size +
      want.recordSchemas +
      want.entityTypes +
      want.records,
  );
});

it('imports all 425 records and the 17 record schemas, endpoints resolved to entities, ranges kept', async () => {
  const want = expectedFromFiles();
  expect([want.recordSchemas, want.records]).toEqual([17, 425]);
  const live = await app.db
    .selectFrom('record_versions')
    .select(['state'])
    .where('tx_to', 'is', null)
    .where('removed', '=', false)
    .execute();
  expect(live).toHaveLength(425);
  expect(await app.db.selectFrom('record_schemas').select('id').execute()).toHaveLength(17);

  const anthropic = await app.db.selectFrom('entities').select('id').where('slug', '=', 'anthropic').executeTakeFirstOrThrow();
  const dario = await app.db.selectFrom('entities').select('id').where('slug', '=', 'dario-amodei').executeTakeFirstOrThrow();
  const state = (id: string) =>
    live
      .map(
        (r) =>
          r.state as {
            id: string;
            fields: Record<string, unknown>;
            unchecked?: Record<string, unknown>;
            schemaId?: string;
            validFrom?: string;
          },
      )
      .find((s) => s.id === id);
  expect(state(`${anthropic.id}:equity-positions:dario-amodei`)?.fields).toMatchObject({
    holder: { entityId: dario.id },
    stake: [0.015, 0.025],
  });
  expect(state(`${anthropic.id}:equity-positions:employee-pool`)?.fields.holder).toEqual({ displayName: 'Employee equity pool' });
  const ceo = state(`${anthropic.id}:key-persons:dario-amodei`);
  expect(ceo?.fields).toMatchObject({ person: { entityId: dario.id }, title: 'CEO', start: '2021-01', is_founder: true });
  expect(ceo?.validFrom).toBe('2021-01');
  expect(state(`${anthropic.id}:funding-rounds:series-a`)?.fields).toMatchObject({ name: 'Series A', raised: 124000000 });

  // A value that does not fit its schema is reported and kept verbatim, never dropped.
  const unchecked = first.anomalies.filter((a) => a.kind === 'unchecked-record-value');
  expect(unchecked.length).toBeGreaterThan(0);
  for (const a of unchecked) expect(a.file).toMatch(/^things\//);
  const withUnchecked = live.filter((r) => (r.state as { unchecked?: object }).unchecked);
  expect(withUnchecked.length).toBeGreaterThan(0);
  // deepmind's partner "Google (Alphabet)" names no entity: kept as written.
  const deepmind = await app.db.selectFrom('entities').select('id').where('slug', '=', 'deepmind').executeTakeFirstOrThrow();
  const partner = live
    .map((r) => r.state as { entityId: string; collection: string; unchecked?: Record<string, unknown> })
    .find((s) => s.entityId === deepmind.id && s.collection === 'strategic-partnerships' && s.unchecked?.partner);
  expect(partner?.unchecked?.partner).toBe('Google (Alphabet)');
  // Collections no schema describes (parties, timeline) are kept whole.
  const timeline = live
    .map((r) => r.state as { collection: string; schemaId?: string; unchecked?: Record<string, unknown> })
    .filter((s) => s.collection === 'timeline');
  expect(timeline.length).toBe(13);
  for (const t of timeline) expect([t.schemaId, typeof t.unchecked?.event]).toEqual([undefined, 'string']);
  expect(first.unmapped['things.records']).toBeUndefined();
});

it('imports the 19 entity types of schemas/*.yaml, with what each requires and recommends and the records it shows', async () => {
  const want = expectedFromFiles();
  expect(want.entityTypes).toBe(19);
  const types = await app.db
    .selectFrom('state_versions')
    .select(['id', 'state'])
    .where('kind', '=', 'entityType')
    .where('tx_to', 'is', null)
    .execute();
  expect(types).toHaveLength(19);
  for (const f of dataFiles('schemas')) {
    const file = readDataYaml(`schemas/${f}`);
    const stored = types.find((t) => t.id === file.type)?.state as { fields: Record<string, unknown> } | undefined;
    expect(stored?.fields).toEqual({
      name: file.name,
      required: file.required,
      recommended: file.recommended,
      ...(file.records ? { records: file.records } : {}),
    });
  }
  expect(Object.keys(first.unmapped).filter((k) => k.startsWith('entityTypes'))).toEqual([]);
});

it('keeps the facts dated to a month that does not exist, at the year', async () => {
  const rows = await app.db
    .selectFrom('facts')
    .select(['id', 'as_of'])
    .where('id', 'in', ['3SeNHyi3JA', 'iGoAcq36Rg'])
    .orderBy('id')
    .execute();
  expect(rows).toEqual([
    { id: '3SeNHyi3JA', as_of: '2024' },
    { id: 'iGoAcq36Rg', as_of: '2024' },
  ]);
});

it('reports the known quirks of the real data as anomalies with file and line', () => {
  const c = first.anomalyCounts;
  expect(c['dangling-publication']).toBe(27); // resources naming the vanished "open-philanthropy"
  expect(c['id-mismatch']).toBe(11); // resource ids that are not sha256(url)[0:16]
  expect(c['bare-year-date']).toBe(28); // published_date "2019"
  // asOf 2024-00 (cea, anthropic-investors): the facts are kept, dated to the year.
  expect(first.anomalies.filter((a) => a.kind === 'imprecise-date').map((a) => `${a.file} ${a.at}`)).toEqual([
    'things/anthropic-investors.yaml iGoAcq36Rg.asOf',
    'things/cea.yaml 3SeNHyi3JA.asOf',
  ]);
  expect(c['unknown-ref']).toBeGreaterThan(0);
  expect(c['snapshot-mismatch']).toBeGreaterThan(0); // ids disagreeing between the YAML and the snapshot
  expect(c['duplicate-id']).toBeGreaterThan(0);
  expect(c['unknown-page']).toBeGreaterThan(0);
  const dangling = first.anomalies.find((a) => a.kind === 'dangling-publication')!;
  expect(dangling).toMatchObject({
    file: expect.stringMatching(/^resources\/.+\.yaml$/),
    line: expect.any(Number),
    message: expect.stringContaining('open-philanthropy'),
  });
});

it('maps the records onto the domain: typed values, dates with precision, references, citations, stable ids', async () => {
  const entity = await app.db.selectFrom('entities').selectAll().where('slug', '=', 'anthropic').executeTakeFirstOrThrow();
  expect(entity).toMatchObject({
    id: 'mK9pX3rQ7n',
    name: 'Anthropic',
    type: 'organization',
    numeric_id: 'E22',
    aliases: ['Anthropic PBC', 'Anthropic AI'],
  });

  const fact = async (id: string) => app.db.selectFrom('facts').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  // A number in the property's unit, with its asOf and the source URL as a citation.
  expect(await fact('f_qR5tY9wE1a')).toMatchObject({
    entity_id: 'mK9pX3rQ7n',
    property_id: 'revenue',
    value: { kind: 'number', value: 1e8, unit: 'USD' },
    as_of: '2023-12',
    citations: [{ sourceId: sha('https://sacra.com/c/anthropic/') }],
    notes: 'Approximate ARR at end of 2023, pre-growth acceleration',
  });
  // A YAML list [870, 2847] is a range.
  expect((await fact('f_a7TezcOwMA')).value).toMatchObject({ kind: 'range', low: 870, high: 2847 });
  // `!ref id` → the entity; a bare slug in a refs list → its stable id; an unknown name is kept as written.
  expect((await fact('f_O44njDhfpA')).value).toEqual({ kind: 'refs', entities: ['mK9pX3rQ7n', '1LcLlMGLbw', 'GLXKjYAEKw'] });
  const founders = (await fact('f_tAtOfKqDjg')).value as { entities: string[] };
  expect(founders.entities.slice(0, 2)).toEqual(['zR4nW8xB2f', 'tKMznr07QA']);
  expect(founders.entities).toContain('tom-brown');
  // A date-typed fact keeps its precision.
  expect((await fact('f_EViczG0Fng')).value).toEqual({ kind: 'date', value: { value: '2026-02-27', precision: 'day' } });

  // The API answers from what was imported.
  const head = (await resolveBasis(app.db)).position;
  const at = (d: string) => {
    const p = parsePartialDate(d, 'asOf');
    if (!p.ok) throw p.error;
    return asOfInstant(p.value);
  };
  expect((await valueAt(app.db, 'mK9pX3rQ7n', 'revenue', at('2026-03'), head)).fact?.value).toMatchObject({ value: 1.9e10 });

  // Sources: a wrong YAML id is replaced by sha256(url); stable ids come from the snapshot; bare years keep year precision.
  const fortune = 'https://fortune.com/2023/10/27/google-anthropic-investment-stake/';
  expect(await app.db.selectFrom('sources').select('id').where('url', '=', fortune).executeTakeFirstOrThrow()).toEqual({
    id: sha(fortune),
  });
  const snapshot = JSON.parse(readFileSync(path.join(DATA_DIR, 'resources-snapshot.json'), 'utf8')) as {
    id: string;
    url: string;
    stable_id: string;
  }[];
  const sample = snapshot.find((s) => s.id === sha(s.url))!;
  expect(await app.db.selectFrom('sources').select('stable_id').where('id', '=', sample.id).executeTakeFirstOrThrow()).toEqual({
    stable_id: sample.stable_id,
  });
  expect(
    await app.db.selectFrom('sources').select('published_date').where('id', '=', '0c58f8e2be57f450').executeTakeFirstOrThrow(),
  ).toEqual({ published_date: '2018' });

  // Pages point at the entity with their numericId.
  const page = await app.db.selectFrom('pages').selectAll().where('numeric_id', '=', 'E22').executeTakeFirst();
  if (page) expect(page.entity_id).toBe('mK9pX3rQ7n');
  const withEntity = await app.db
    .selectFrom('pages')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('entity_id', 'is not', null)
    .executeTakeFirstOrThrow();
  expect(Number(withEntity.n)).toBeGreaterThan(500);
});

it('spot checks: a nine-point revenue timeline with its precision, two safety levels citing one source, an unknown founder flagged', async () => {
  const head = (await resolveBasis(app.db)).position;
  const revenue = await timelineAt(app.db, 'mK9pX3rQ7n', 'revenue', head);
  expect(revenue.map((f) => [f.asOf, (f.value as { value: number }).value])).toEqual([
    ['2023-12', 1e8],
    ['2024-06', 9e8],
    ['2024-12', 1e9],
    ['2025-03', 2e9],
    ['2025-07', 4e9],
    ['2025-10', 7e9],
    ['2025-12', 9e9],
    ['2026-02', 1.4e10],
    ['2026-03', 1.9e10],
  ]);
  // Month precision is kept: the first point holds for all of December 2023, not from a day in it.
  const at = (d: string) => {
    const p = parsePartialDate(d, 'asOf');
    if (!p.ok) throw p.error;
    return asOfInstant(p.value);
  };
  expect((await valueAt(app.db, 'mK9pX3rQ7n', 'revenue', at('2023-12'), head)).fact?.id).toBe('f_qR5tY9wE1a');
  expect((await valueAt(app.db, 'mK9pX3rQ7n', 'revenue', at('2023-11'), head)).fact).toBeNull();

  const safety = await timelineAt(app.db, 'mK9pX3rQ7n', 'safety-level', head);
  expect(safety.map((f) => ({ id: f.id, asOf: f.asOf, validEnd: f.validEnd, sources: f.citations.map((c) => c.sourceId) }))).toEqual([
    { id: 'f_BnkEWenniQ', asOf: '2025-05', validEnd: '2026-02', sources: ['7512ddb574f82249'] },
    { id: 'f_R59LmVVzcw', asOf: '2026-02', validEnd: null, sources: ['7512ddb574f82249'] },
  ]);
  const cited = await app.db.selectFrom('sources').select(['id', 'url']).where('id', '=', '7512ddb574f82249').executeTakeFirstOrThrow();
  expect(cited.url).toBe('https://www.anthropic.com/news/activating-asl3-protections');

  // "tom-brown" in the founders list names no entity: kept as written, and reported with its place.
  expect(first.anomalies).toContainEqual(
    expect.objectContaining({
      kind: 'unknown-ref',
      file: 'things/anthropic.yaml',
      line: expect.any(Number),
      at: expect.stringMatching(/^f_tAtOfKqDjg/),
      message: expect.stringContaining('tom-brown'),
    }),
  );
});

it("keeps every entity entry's fields and relations: description, tags, reading list, custom fields, relatedEntries both ways", async () => {
  // The keys the store used to drop are all read now.
  for (const key of ['description', 'tags', 'website', 'lastUpdated', 'summaryPage', 'sources', 'customFields', 'relatedEntries'])
    expect(first.unmapped).not.toHaveProperty(`entities.${key}`);

  const head = (await resolveBasis(app.db)).position;
  const anthropic = (await thingsAt(app.db, 'entity', ['mK9pX3rQ7n'], head)).get('mK9pX3rQ7n')!.state;
  const registry = (readDataYaml('entities/organizations.yaml') as Record<string, any>[]).find((e) => e.id === 'anthropic')!;
  expect(anthropic.fields).toMatchObject({
    description: registry.description,
    tags: registry.tags,
    website: 'https://anthropic.com',
    lastUpdated: '2025-12',
    summaryPage: 'labs-overview',
    sources: registry.sources,
  });
  expect(anthropic.fields.tags).toContain('constitutional-ai');
  // The entry's relatedEntries come back in the file's order, each with its type and relationship.
  const slugOf = new Map((await app.db.selectFrom('entities').select(['id', 'slug']).execute()).map((e) => [e.id, e.slug]));
  expect(
    anthropic.relations!.map((r) => ({
      id: 'entityId' in r ? slugOf.get(r.entityId) : r.unresolvedSlug,
      type: r.type,
      relationship: r.relationship,
    })),
  ).toEqual(registry.relatedEntries.map((r: Record<string, string>) => ({ id: r.id, type: r.type, relationship: r.relationship })));

  // A wiki entry with customFields keeps them as written (label, value and the one link).
  const withLink = [...dataFiles('entities')]
    .flatMap((f) => readDataYaml(`entities/${f}`) as Record<string, any>[])
    .find((e) => (e.customFields ?? []).some((c: Record<string, string>) => c.link))!;
  const linked = await app.db.selectFrom('entities').select('id').where('slug', '=', withLink.id).executeTakeFirstOrThrow();
  expect((await thingsAt(app.db, 'entity', [linked.id], head)).get(linked.id)!.state.fields.customFields).toEqual(withLink.customFields);

  // Claude is created by Anthropic, and that reads from Anthropic's side too.
  const claude = await app.db.selectFrom('entities').select('id').where('slug', '=', 'claude').executeTakeFirstOrThrow();
  const both = await relationsAt(app.db, [claude.id, 'mK9pX3rQ7n'], head);
  expect(both.get(claude.id)).toContainEqual(
    expect.objectContaining({ direction: 'outgoing', other: { entityId: 'mK9pX3rQ7n' }, relationship: 'created-by', type: 'organization' }),
  );
  expect(both.get('mK9pX3rQ7n')).toContainEqual(
    expect.objectContaining({ direction: 'incoming', other: { entityId: claude.id }, relationship: 'created-by' }),
  );
  // An employed-by fact answers "who works at Anthropic" from Anthropic's side (the property's inverse).
  const staff = await allFactsAt(app.db, { referencing: ['mK9pX3rQ7n'], propertyId: 'employed-by' }, { position: head });
  expect(staff.length).toBeGreaterThan(0);
  for (const f of staff) expect(f.value).toEqual({ kind: 'ref', entity: 'mK9pX3rQ7n' });

  // Every relation of the files is in the read model, outgoing from its entry.
  const { relations } = expectedFromFiles();
  const open = await app.db
    .selectFrom('relation_versions')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('tx_to', 'is', null)
    .executeTakeFirstOrThrow();
  expect(Number(open.n)).toBe(relations);
  expect(first.phases.relations).toMatchObject({
    inFiles: relations,
    applied: { relate: relations },
  });
});

it('appends zero events when run again on the same files', async () => {
  const before = await eventCount(app.db);
  const again = await importLongtermWiki(app, DATA_DIR, { actor: 'test', reason: 'no-op re-run' });
  expect(again.commands).toBe(0);
  expect(again.eventsAppended).toBe(0);
  expect(await eventCount(app.db)).toBe(before);
  for (const phase of Object.values(again.phases)) expect(phase.unchanged).toBe(phase.inFiles);
}, 300_000);

describe('export', () => {
  let out: string;
  beforeAll(async () => {
    out = await fs.mkdtemp(path.join(os.tmpdir(), 'factlog-export-'));
  });
  afterAll(() => fs.rm(out, { recursive: true, force: true }));

  const readOut = async (dir: string, rel: string) => readYaml(await fs.readFile(path.join(dir, rel), 'utf8'));
  /** Every file of an export, by path. */
  async function filesOf(dir: string): Promise<Map<string, string>> {
    const files = new Map<string, string>();
    for (const entry of await fs.readdir(dir, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile()) continue;
      const full = path.join(entry.parentPath, entry.name);
      files.set(path.relative(dir, full), await fs.readFile(full, 'utf8'));
    }
    return files;
  }

  it('writes the wiki layout, each item in the file it came from, and importing it back appends nothing', async () => {
    const head = await eventCount(app.db);
    const report = await exportLongtermWiki(app.db, out);
    expect(report.position).toBe(head);
    expect(report.counts).toMatchObject({ publications: 79, properties: 51, pages: 572, facts: await count('facts') });

    // Same files as the data set, with the same items in each.
    const ids = (items: { id: string }[]) => items.map((i) => i.id).sort();
    expect((await fs.readdir(path.join(out, 'entities'))).sort()).toEqual(dataFiles('entities'));
    for (const f of dataFiles('entities')) expect(ids(await readOut(out, `entities/${f}`))).toEqual(ids(readDataYaml(`entities/${f}`)));
    for (const f of dataFiles('resources')) {
      const urls = (items: { url: string }[]) => new Set(items.map((i) => i.url));
      expect(urls(await readOut(out, `resources/${f}`))).toEqual(urls(readDataYaml(`resources/${f}`)));
    }
    // The wiki's database export is written back as it was read, entry for entry.
    const snapshotOf = async (dir: string) => JSON.parse(await fs.readFile(path.join(dir, 'resources-snapshot.json'), 'utf8'));
    expect(await snapshotOf(out)).toEqual(await snapshotOf(DATA_DIR));
    const claude = (await readOut(out, 'entities/ai-models.yaml')).find((e: { id: string }) => e.id === 'claude');
    expect(claude).toMatchObject({ stableId: 'cMKB5i2WZQ', numericId: 'E1041', type: 'ai-model', title: 'Claude' });

    // A things file: its header and its facts, values as the wiki writes them.
    const anthropic = await readOut(out, 'things/anthropic.yaml');
    expect(anthropic.thing).toMatchObject({
      id: 'anthropic',
      stableId: 'mK9pX3rQ7n',
      name: 'Anthropic',
      aliases: ['Anthropic PBC', 'Anthropic AI'],
    });
    const revenue = anthropic.facts.find((f: { id: string }) => f.id === 'f_tG6nH1yS3b');
    expect(revenue).toEqual({
      id: 'f_tG6nH1yS3b',
      property: 'revenue',
      value: 9e9,
      asOf: '2025-12',
      source: 'https://uk.finance.yahoo.com/news/anthropic-arr-surges-19-billion-151210607.html',
      notes: 'Run-rate exceeding $9B at end of 2025',
    });

    // The store's own state: a sync from the export plans and appends nothing.
    const again = await importLongtermWiki(app, out, { actor: 'test', reason: 'import of the export' });
    expect(again.commands).toBe(0);
    expect(again.eventsAppended).toBe(0);
    for (const phase of Object.values(again.phases)) expect(phase.unchanged).toBe(phase.inFiles);
    expect(await eventCount(app.db)).toBe(head);
  }, 300_000);

  /**
   * What the export still writes differently from the files it came from: three facts, each a value the
   * store keeps in its own spelling (issue 17 asks for both): a month 00 kept at the year that parses
   * (and reported), and an entity value the file names by one of its aliases, written by its stable id.
   * Everything else, down to a resource's cited_by order and the snapshot's type over the YAML's, is
   * written as the file had it (docs/domain.md, "As written").
   */
  const KNOWN_GAPS: RegExp[] = [
    /^things\/anthropic-investors\.yaml facts: iGoAcq36Rg\.asOf: "2024-00" ≠ "2024"$/,
    /^things\/cea\.yaml facts: 3SeNHyi3JA\.asOf: "2024-00" ≠ "2024"$/,
    /^things\/holden-karnofsky\.yaml facts: f_S7CquLh2pg\.value: "Open Philanthropy" ≠ "ULjDXpSLCI"$/,
  ];

  it('means the same as the files it was imported from: every item, field and record, nothing invented, but for the known gaps', async () => {
    const differences = datasetDifferences(DATA_DIR, out);
    expect(differences.filter((d) => !KNOWN_GAPS.some((g) => g.test(d)))).toEqual([]);
    expect(differences).toHaveLength(KNOWN_GAPS.length);
  });

  it("writes a file's own spelling back only while the store holds what it held when the file was read", async () => {
    const before = await eventCount(app.db);
    const later = await fs.mkdtemp(path.join(os.tmpdir(), 'factlog-export-edited-'));
    const entry = (items: { url: string }[], url: string) => items.find((i) => i.url === url) as Record<string, unknown>;
    try {
      // The snapshot's type (blog) is the store's, the YAML's (web) is written back; so is the YAML's
      // cited_by order, and the tags it lacked (the snapshot's) are not written.
      const sonnet = 'https://www.anthropic.com/news/claude-3-5-sonnet';
      const superalignment = 'https://openai.com/blog/introducing-superalignment';
      expect(entry(await readOut(out, 'resources/ai-labs.yaml'), sonnet).type).toBe('web');
      expect(entry(await readOut(out, 'resources/ai-labs.yaml'), superalignment).tags).toBeUndefined();

      await app.commands.execute({ type: 'UpdateSource', source: sourceIdForUrl(sonnet), set: { type: 'paper' } });
      await app.commands.execute({ type: 'UpdateSource', source: sourceIdForUrl(superalignment), set: { tags: ['alignment'] } });
      await app.commands.execute({ type: 'UpdateEntity', entity: 'value-learning', set: { name: 'Learning Values' } });
      await exportLongtermWiki(app.db, later);
      expect(entry(await readOut(later, 'resources/ai-labs.yaml'), sonnet).type).toBe('paper');
      expect(entry(await readOut(later, 'resources/ai-labs.yaml'), superalignment).tags).toEqual(['alignment']);
      // The things header said "AI Value Learning" where the registry (which the store keeps) says
      // "Value Learning": after a rename both say the new name.
      expect((await readOut(out, 'things/value-learning.yaml')).thing.name).toBe('AI Value Learning');
      expect((await readOut(later, 'things/value-learning.yaml')).thing.name).toBe('Learning Values');
    } finally {
      await fs.rm(later, { recursive: true, force: true });
      await app.commands.execute({
        type: 'UpdateSource',
        source: sourceIdForUrl('https://www.anthropic.com/news/claude-3-5-sonnet'),
        set: { type: 'blog' },
      });
      await app.commands.execute({
        type: 'UpdateSource',
        source: sourceIdForUrl('https://openai.com/blog/introducing-superalignment'),
        unset: ['tags'],
      });
      await app.commands.execute({ type: 'UpdateEntity', entity: 'value-learning', set: { name: 'Value Learning' } });
      expect(await eventCount(app.db)).toBe(before + 6);
    }
  }, 300_000);

  it('exports the store as it was at a past position, and refuses a position past the head', async () => {
    const before = await eventCount(app.db);
    const then = await fs.mkdtemp(path.join(os.tmpdir(), 'factlog-export-then-'));
    const later = await fs.mkdtemp(path.join(os.tmpdir(), 'factlog-export-later-'));
    try {
      await app.commands.execute({ type: 'UpdateEntity', entity: 'anthropic', set: { name: 'Anthropic PBC Inc' } });
      await app.commands.execute({ type: 'RenameEntity', entity: 'claude', newSlug: 'claude-family' });
      expect(await eventCount(app.db)).toBe(before + 2);

      await exportLongtermWiki(app.db, then, { atPosition: before });
      expect(await filesOf(then)).toEqual(await filesOf(out));

      const now = await exportLongtermWiki(app.db, later);
      expect(now.position).toBe(before + 2);
      expect((await readOut(later, 'things/anthropic.yaml')).thing.name).toBe('Anthropic PBC Inc');
      const renamed = (await readOut(later, 'entities/ai-models.yaml')).find((e: { stableId: string }) => e.stableId === 'cMKB5i2WZQ');
      expect(renamed).toMatchObject({ id: 'claude-family', title: 'Claude' });
      // Claude has facts, so its things file carries its aliases, the old slug among them.
      expect((await readOut(later, 'things/claude-family.yaml')).thing.aliases).toContain('claude');
      await expect(fs.access(path.join(later, 'things', 'claude.yaml'))).rejects.toThrow();

      // Exporting into a folder that holds an older export replaces what changed and removes what is gone.
      await fs.cp(out, later, { recursive: true, force: false, errorOnExist: false });
      await fs.writeFile(path.join(later, 'things', 'no-such-entity.yaml'), 'thing: {id: no-such-entity}\n');
      const over = await exportLongtermWiki(app.db, later);
      expect(over.filesRemoved).toEqual(['things/claude.yaml', 'things/no-such-entity.yaml']);

      await expect(exportLongtermWiki(app.db, then, { atPosition: before + 3 })).rejects.toThrow(DomainError);
      await expect(exportLongtermWiki(app.db, then, { atPosition: before + 3 })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    } finally {
      await fs.rm(then, { recursive: true, force: true });
      await fs.rm(later, { recursive: true, force: true });
    }
  }, 300_000);
});
