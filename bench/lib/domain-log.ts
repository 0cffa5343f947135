import { createHash } from 'node:crypto';
import type pg from 'pg';
import { sourceIdForUrl } from '../../src/domain/ids';
import { BulkLogWriter } from './log-writer';
import { prng } from './prng';

/**
 * A synthetic but well-formed Factlog log for the replay benchmark: publications, properties, a few
 * thousand entities, sources (a third with cached text) and pages, then mostly FactAsserted /
 * FactCorrected over those entities with some citations added, deprecations and retractions, and about
 * one event in a hundred of editorial work on the rest (entities updated and renamed, pages updated,
 * sources cited and uncited, tags edited, and now and then two sources merged). Every event has the
 * data shape the domain writes, so the projections do their real work on replay (merges included),
 * and the log is written with a correct hash chain, stream versions and log head, so `verifyLog`
 * accepts it.
 */

export interface DomainLogShape {
  events: number;
  entities: number;
  sources: number;
  /** PRNG seed: the same seed gives the same log. */
  seed: number;
  /** Share of the events after the setup that are editorial work rather than fact events (default 0.01). */
  editorialShare?: number;
  /** Two sources are merged about once per this many events (default 20,000). */
  mergeEvery?: number;
}

/** An event before the writer places it in the log. */
interface Pending {
  stream: string;
  type: string;
  data: Record<string, unknown>;
}

const PROPERTIES = [
  {
    id: 'revenue',
    name: 'Annual revenue',
    dataType: 'number',
    unit: 'USD',
    category: 'financial',
    temporal: true,
    appliesTo: ['organization'],
    display: { divisor: 1e9, prefix: '$', suffix: 'B' },
  },
  { id: 'headcount', name: 'Employees', dataType: 'number', category: 'organization', temporal: true, appliesTo: ['organization'] },
  { id: 'safety-level', name: 'AI Safety Level', dataType: 'text', category: 'safety', temporal: true, appliesTo: ['organization'] },
] as const;
const PUBLICATION = 'bench-press';
const METADATA = [
  { actor: 'importer', reason: 'sync from the Longterm Wiki files', correlationId: 'bench-import' },
  { actor: 'alice', reason: 'checked against the annual report' },
  { actor: 'bob', reason: 'typo in the value' },
];

const pad = (n: number, width: number) => String(n).padStart(width, '0');
const entityId = (i: number) => `Bn${pad(i, 8)}`;
const sourceUrl = (i: number) => `https://reports.example.org/${2020 + (i % 6)}/report-${i}`;

interface LiveFact {
  id: string;
  property: (typeof PROPERTIES)[number];
  deprecated: boolean;
  citations: number;
}

/** The events of the log in order; counts by type are kept for the report. */
export function* domainEvents(shape: DomainLogShape, counts: Map<string, number>): Generator<Pending> {
  const random = prng(shape.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
  let emitted = 0;
  const emit = (stream: string, type: string, data: Record<string, unknown>): Pending => {
    emitted += 1;
    counts.set(type, (counts.get(type) ?? 0) + 1);
    return { stream, type, data };
  };
  const setup = function* (): Generator<Pending> {
    yield emit(`publication-${PUBLICATION}`, 'PublicationRegistered', {
      id: PUBLICATION,
      name: 'Bench Press',
      domains: ['reports.example.org'],
      credibility: 3,
    });
    for (const p of PROPERTIES) yield emit(`property-${p.id}`, 'PropertyDefined', { ...p });
    for (let i = 0; i < shape.sources; i++) {
      const url = sourceUrl(i);
      const id = sourceIdForUrl(url);
      yield emit(`source-${id}`, 'SourceRegistered', {
        id,
        url,
        stableId: `Sr${pad(i, 8)}`,
        title: `Annual report ${i}`,
        type: 'report',
        publicationId: PUBLICATION,
        publishedDate: `${2020 + (i % 6)}-0${1 + (i % 9)}`,
      });
      if (i % 3 === 0) {
        const text = `Annual report ${i}. `.repeat(60);
        yield emit(`source-${id}`, 'SourceContentCaptured', {
          id,
          text,
          length: text.length,
          contentHash: createHash('sha256').update(text).digest('hex'),
          fetchedAt: '2026-01-15T10:00:00.000Z',
          httpStatus: 200,
          contentType: 'text/html',
        });
      }
    }
    for (let i = 0; i < shape.entities; i++) {
      yield emit(`entity-${entityId(i)}`, 'EntityRegistered', {
        id: entityId(i),
        slug: `org-${i}`,
        name: `Organization ${i}`,
        type: 'organization',
        numericId: `E${10_000 + i}`,
        aliases: [`Org ${i}`],
      });
      if (i % 10 === 0) {
        const slug = `org-${i}`;
        yield emit(`page-${slug}`, 'PageCreated', {
          slug,
          title: `Organization ${i}`,
          numericId: `E${10_000 + i}`,
          quality: 50 + (i % 50),
          entityId: entityId(i),
        });
        yield emit(`page-${slug}`, 'SourceCited', { slug, sourceId: sourceIdForUrl(sourceUrl(i % shape.sources)) });
      }
    }
  };
  for (const e of setup()) {
    if (emitted >= shape.events) return;
    yield e;
  }

  // Sources still taking citations: a source merged away leaves this list (facts that cite it keep it).
  const sourceIds = Array.from({ length: shape.sources }, (_, i) => sourceIdForUrl(sourceUrl(i)));
  const slugs = Array.from({ length: shape.entities }, (_, i) => `org-${i}`);
  const renames = new Array<number>(shape.entities).fill(0);
  const pages = Array.from({ length: Math.ceil(shape.entities / 10) }, (_, j) => ({
    slug: `org-${j * 10}`,
    cites: new Set([sourceIdForUrl(sourceUrl((j * 10) % shape.sources))]),
  }));
  // About one merge per `mergeEvery` events, as long as two sources are left to merge.
  const mergeEvery = shape.mergeEvery ?? 20_000;
  const editorialShare = shape.editorialShare ?? 0.01;
  let nextMerge = mergeEvery;
  const editorial = function* (): Generator<Pending> {
    if (emitted >= nextMerge && sourceIds.length > 2 && emitted + 2 <= shape.events) {
      nextMerge += mergeEvery;
      const from = sourceIds.splice(Math.floor(random() * sourceIds.length), 1)[0];
      const into = pick(sourceIds);
      yield emit(`source-${from}`, 'SourceMergedInto', { id: from, into });
      yield emit(`source-${into}`, 'SourceMergedFrom', { id: into, from });
      return;
    }
    const r = random();
    const e = Math.floor(random() * shape.entities);
    const id = entityId(e);
    if (r < 0.3) {
      yield emit(`entity-${id}`, 'EntityUpdated', {
        id,
        set: { name: `Organization ${e} (rev. ${Math.floor(random() * 100)})` },
        unset: [],
      });
    } else if (r < 0.4) {
      const to = `org-${e}-v${++renames[e]}`;
      yield emit(`entity-${id}`, 'EntityRenamed', { id, from: slugs[e], to });
      slugs[e] = to;
    } else if (r < 0.55 && pages.length > 0) {
      const page = pick(pages);
      yield emit(`page-${page.slug}`, 'PageUpdated', { slug: page.slug, set: { quality: Math.round(random() * 1000) / 10 }, unset: [] });
    } else if (r < 0.85 && pages.length > 0) {
      const page = pick(pages);
      const sourceId = pick(sourceIds);
      if (page.cites.has(sourceId)) {
        page.cites.delete(sourceId);
        yield emit(`page-${page.slug}`, 'SourceUncited', { slug: page.slug, sourceId });
      } else {
        page.cites.add(sourceId);
        yield emit(`page-${page.slug}`, 'SourceCited', { slug: page.slug, sourceId });
      }
    } else {
      const sourceId = pick(sourceIds);
      yield emit(`source-${sourceId}`, 'SourceUpdated', {
        id: sourceId,
        set: { tags: ['annual-report', `checked-${Math.floor(random() * 10)}`] },
        unset: [],
      });
    }
  };
  const live: LiveFact[] = [];
  let factSeq = 0;
  const valueOf = (property: LiveFact['property']): Record<string, unknown> => {
    switch (property.id) {
      case 'revenue':
        return { kind: 'number', value: Math.round(random() * 50_000) * 1_000_000, unit: 'USD' };
      case 'headcount':
        return { kind: 'number', value: 10 + Math.floor(random() * 20_000) };
      default:
        return {
          kind: 'text',
          value: `ASL-${2 + Math.floor(random() * 3)} (${pick(['all models', 'frontier models', 'Opus-tier', 'provisional'])})`,
        };
    }
  };
  const asOf = () => `${2019 + Math.floor(random() * 7)}-${pad(1 + Math.floor(random() * 12), 2)}`;
  while (emitted < shape.events) {
    const r = random();
    if (live.length >= shape.entities && r >= 1 - editorialShare) {
      yield* editorial();
      continue;
    }
    if (live.length < shape.entities || r < 0.3) {
      const property = pick(PROPERTIES);
      const id = `f_${factSeq.toString(36).padStart(10, '0')}`;
      factSeq += 1;
      const data: Record<string, unknown> = {
        id,
        entityId: entityId(Math.floor(random() * shape.entities)),
        propertyId: property.id,
        value: valueOf(property),
        asOf: asOf(),
        citations: [{ sourceId: pick(sourceIds), quote: 'as stated in the report', locator: `p. ${1 + Math.floor(random() * 200)}` }],
      };
      if (random() < 0.2) data.notes = 'Figure from the company’s own filing';
      live.push({ id, property, deprecated: false, citations: 1 });
      yield emit(`fact-${id}`, 'FactAsserted', data);
      continue;
    }
    const i = Math.floor(random() * live.length);
    const f = live[i];
    const r2 = random();
    if (r2 < 0.85) {
      const set: Record<string, unknown> = { value: valueOf(f.property) };
      if (random() < 0.1) set.asOf = asOf();
      yield emit(`fact-${f.id}`, 'FactCorrected', { id: f.id, set, unset: [] });
    } else if (r2 < 0.93 && f.citations < 5) {
      f.citations += 1;
      yield emit(`fact-${f.id}`, 'FactCitationAdded', {
        id: f.id,
        citation: { sourceId: pick(sourceIds), quote: `corroborated (${f.citations})` },
      });
    } else if (r2 < 0.97 && !f.deprecated) {
      f.deprecated = true;
      yield emit(`fact-${f.id}`, 'FactDeprecated', { id: f.id, reason: 'superseded by a newer figure' });
    } else {
      // Retracted facts take no more events: swap-remove from the live set.
      live[i] = live[live.length - 1];
      live.pop();
      yield emit(`fact-${f.id}`, 'FactRetracted', { id: f.id, reason: 'the source does not say this' });
    }
  }
}

export interface WriteReport {
  events: number;
  streams: number;
  seconds: number;
  counts: Map<string, number>;
}

/**
 * Writes the log into an empty, migrated store in multi-row INSERTs (from unnest, `batch` rows each),
 * hashing the next batch while the previous one is inserted; then the streams table and the log head.
 * Recorded times go up by a millisecond every few events and end just before now.
 */
export async function writeDomainLog(
  pool: pg.Pool,
  shape: DomainLogShape,
  options: { batch: number; onProgress?: (done: number) => void },
): Promise<WriteReport> {
  const started = performance.now();
  const counts = new Map<string, number>();
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const writer = new BulkLogWriter(client, options.batch);
    const base = Date.now() - Math.ceil(shape.events / 4) - 1000;
    for (const e of domainEvents(shape, counts)) {
      const position = writer.events + 1;
      await writer.add({
        ...e,
        schemaVersion: 1,
        metadata: METADATA[position % 7 === 0 ? 1 + (position % 2) : 0],
        recordedAt: new Date(base + Math.floor(position / 4)),
      });
      if (position % options.batch === 0) options.onProgress?.(position);
    }
    await writer.finish();
    await client.query('COMMIT');
    await client.query('ANALYZE events');
    options.onProgress?.(writer.events);
    return { events: writer.events, streams: writer.streams, seconds: (performance.now() - started) / 1000, counts };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
