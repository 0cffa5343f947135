import { createHash } from 'node:crypto';
import { importLongtermWiki, type ImportReport } from '../../src/importers/longterm-wiki';
import { createTestGateway, type TestGateway } from '../support/gateway';
import { DATA_DIR, dataFiles, eventCount, readDataYaml } from './longterm-wiki-support';

/**
 * Nothing the Longterm Wiki's files hold is dropped (issue 17, parts 2, 5 and 7): the whole data set is
 * imported once, and every key with no typed field arrives in its item's `attributes`, verbatim,
 * readable through GraphQL; pages, sources and properties carry their typed fields; `attributes` is
 * patched key by key and read at any position.
 */

let g: TestGateway;
let first: ImportReport;

beforeAll(async () => {
  g = await createTestGateway();
  first = await importLongtermWiki(g.app, DATA_DIR, { actor: 'test', reason: 'attributes test' });
}, 900_000);
afterAll(() => g?.dispose());

/** The registry entry of an entity, as the file has it. */
function registryEntry(slug: string): Record<string, unknown> {
  for (const f of dataFiles('entities')) {
    const hit = (readDataYaml(`entities/${f}`) as Record<string, unknown>[]).find((e) => e.id === slug);
    if (hit) return hit;
  }
  throw new Error(`no registry entry ${slug}`);
}

it('drops no key: unmapped is empty', () => {
  expect(first.completed).toBe(true);
  // Every key is typed (records are a kind of their own) or kept in attributes.
  expect(first.unmapped).toEqual({});
  expect(first.untyped).toMatchObject({ 'entities.contextWindow': 45, 'entities.orgType': 223, 'entities.severity': 63 });
  // Keys read elsewhere (ids, citations) are not attributes; typed page, source and property keys neither.
  const kept = Object.keys(first.untyped);
  for (const key of ['entities.id', 'entities.stableId', 'resources.id', 'resources.cited_by', 'pages.slug', 'pages.path'])
    expect(kept).not.toContain(key);
  expect(kept.every((k) => k.startsWith('entities.'))).toBe(true);
});

it('an ai-model’s untyped keys arrive in attributes, verbatim, through GraphQL', async () => {
  const file = registryEntry('claude-3-opus');
  const typed = [
    'id',
    'stableId',
    'numericId',
    'type',
    'title',
    'description',
    'tags',
    'website',
    'lastUpdated',
    'summaryPage',
    'sources',
    'customFields',
    'relatedEntries',
  ];
  const want = Object.fromEntries(Object.entries(file).filter(([k]) => !typed.includes(k)));
  expect(want).toMatchObject({ contextWindow: 200000, releaseDate: '2024-03-04', openWeight: false });
  const res = await g.gql(`{ entity(id: "claude-3-opus") { id name attributes } }`);
  expect(res.errors).toBeUndefined();
  expect(res.data!.entity).toEqual({ id: 'Ko9DCNV87A', name: 'Claude 3 Opus', attributes: want });
});

it('pages, sources and properties carry their typed fields', async () => {
  const pageFile = (readDataYaml('pages.yaml') as Record<string, unknown>[]).find((p) => p.slug === 'agentic-ai')!;
  const page = await g.gql(`{ page(slug: "agentic-ai") {
    path lastEdited updateFrequency readerImportance researchImportance tacticalValue subcategory clusters ratings attributes } }`);
  expect(page.errors).toBeUndefined();
  expect(page.data!.page).toEqual({
    path: pageFile.path,
    lastEdited: pageFile.lastEdited,
    updateFrequency: pageFile.update_frequency,
    readerImportance: pageFile.readerImportance,
    researchImportance: pageFile.researchImportance,
    tacticalValue: pageFile.tacticalValue,
    subcategory: pageFile.subcategory,
    clusters: pageFile.clusters,
    ratings: pageFile.ratings,
    attributes: null,
  });
  expect(page.data!.page).toMatchObject({ updateFrequency: 21, readerImportance: 72.5, subcategory: 'agentic' });

  const resource = (readDataYaml('resources/papers.yaml') as Record<string, unknown>[]).find((r) => r.fetched_at && r.local_filename)!;
  const id = createHash('sha256')
    .update(resource.url as string)
    .digest('hex')
    .slice(0, 16);
  const source = await g.gql(`{ source(id: "${id}") { fetchedAt localFilename attributes } }`);
  expect(source.errors).toBeUndefined();
  // The YAML writes the instant without a zone; it is UTC, as the snapshot's copy of it says.
  const got = source.data!.source as { fetchedAt: unknown };
  expect({ ...got, fetchedAt: new Date(got.fetchedAt as string).toISOString() }).toEqual({
    fetchedAt: `${(resource.fetched_at as string).replace(' ', 'T')}.000Z`,
    localFilename: resource.local_filename,
    attributes: null,
  });

  const property = await g.gql(`{ employs: property(id: "employer-of") { computed inverseName inverseId display { divisor } }
    employed: property(id: "employed-by") { computed inverseName } }`);
  expect(property.errors).toBeUndefined();
  expect(property.data).toEqual({
    employs: { computed: true, inverseName: 'Employed By', inverseId: 'employed-by', display: null },
    employed: { computed: false, inverseName: 'Employs' },
  });
});

it('the flagship source is cited by the page its snapshot names', async () => {
  // The YAML's cited_by names two pages that do not exist; the snapshot's names "anthropic", which does.
  const cites = await g.app.db.selectFrom('page_citations').select('page_slug').where('source_id', '=', '7512ddb574f82249').execute();
  expect(cites.map((c) => c.page_slug)).toEqual(['anthropic']);
});

it('appends nothing when run again', async () => {
  const before = await eventCount(g.app.db);
  const again = await importLongtermWiki(g.app, DATA_DIR, { actor: 'test', reason: 'no-op re-run' });
  expect(again.eventsAppended).toBe(0);
  expect(await eventCount(g.app.db)).toBe(before);
}, 300_000);

it('updateEntity patches one attribute: a one-key event, read back at the new and the old position', async () => {
  const before = await g.gql(`{ entity(id: "claude-3-opus") { attributes } }`);
  const old = (before.data!.entity as { attributes: Record<string, unknown> }).attributes;
  const head = await g.gql(`{ events(first: 1, stream: "entity-Ko9DCNV87A") { totalCount } }`);
  expect(head.errors).toBeUndefined();

  const update = await g.gql(`mutation($input: UpdateEntityInput!) { updateEntity(input: $input) { position entity { attributes } } }`, {
    input: {
      id: 'claude-3-opus',
      set: { attributes: { contextWindow: 1000000, developer: old.developer } },
      unset: ['attributes.safetyLevel'],
    },
  });
  expect(update.errors).toBeUndefined();
  const { position, entity } = update.data!.updateEntity as { position: string; entity: { attributes: Record<string, unknown> } };
  const { safetyLevel: _gone, ...rest } = old;
  expect(entity.attributes).toEqual({ ...rest, contextWindow: 1000000 });

  // The event names exactly the key that changed (developer was set to what it was) and the one removed.
  const events = await g.gql(`{ events(stream: "entity-Ko9DCNV87A", types: ["EntityUpdated"], first: 10) { nodes { position data } } }`);
  const last = (events.data!.events as { nodes: { position: string; data: unknown }[] }).nodes.at(-1)!;
  expect(last).toEqual({
    position,
    data: { id: 'Ko9DCNV87A', set: { attributes: { contextWindow: 1000000 } }, unset: ['attributes.safetyLevel'] },
  });

  const at = async (p: string) => {
    const res = await g.gql(`{ entity(id: "claude-3-opus", atPosition: "${p}") { attributes } }`);
    expect(res.errors).toBeUndefined();
    return (res.data!.entity as { attributes: unknown }).attributes;
  };
  expect(await at(position)).toEqual({ ...rest, contextWindow: 1000000 });
  expect(await at(String(BigInt(position) - 1n))).toEqual(old);

  // A key that is not there, or a name that is no field, is a clear error and changes nothing.
  const bad = await g.gql(`mutation { updateEntity(input: { id: "claude-3-opus", unset: ["color.x"] }) { position } }`);
  expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
  expect((await g.gql(`{ entity(id: "claude-3-opus") { attributes } }`)).data!.entity).toEqual({ attributes: await at(position) });
});
