/**
 * Synthetic knowledge base generator: the real Longterm Wiki data set's shape (read in place at run
 * time), scaled to N facts, written through the fastest correct path — commands decided by the domain's
 * own decide* functions against state kept in memory, the log written in bulk with the store's own
 * chaining, then every read model built by the store's replay (`replayLog`, what `projections rebuild`
 * runs), which gives the rows the inline projector would (docs/architecture.md, invariant 4). The
 * replay's rate at each scale is itself a figure of the suite; `--projections inline` appends through
 * EventStore.appendMany and the inline projector instead, the way a live store grows.
 */
import { parseArgs } from 'node:util';
import { factlogOver } from '../src/app';
import { decideEntity } from '../src/domain/entity';
import type { Result } from '../src/domain/errors';
import { CURRENT_SCHEMA_VERSION, streamOf, type DomainEvent } from '../src/domain/events';
import { decideFact, evolveFact, type FactEvent, type FactProperty, type FactState } from '../src/domain/fact';
import type { DataType } from '../src/domain/fact-value';
import { sourceIdForUrl } from '../src/domain/ids';
import { decidePage, evolvePage, type PageState } from '../src/domain/page';
import { decideProperty } from '../src/domain/property';
import { decidePublication } from '../src/domain/publication';
import { decideSource } from '../src/domain/source';
import { replayLog } from '../src/projections/rebuild';
import type { FactlogDb } from '../src/projections/tables';
import { openPostgres } from '../src/store/database';
import type { AppendMetadata, StreamWrite } from '../src/store/event-store';
import { migrateToLatest } from '../src/store/migrate';
import {
  benchDatabaseName,
  createDatabase,
  databaseExists,
  dropDatabase,
  parseScale,
  readGeneratedInfo,
  withDatabase,
  writeGeneratedInfo,
  type GeneratedInfo,
} from './lib/bench-db';
import { DEFAULT_DATABASE_URL, UsageError } from './lib/cli';
import { Cleanup, runMain, settleWithin } from './lib/cleanup';
import { DEFAULT_DATASET_DIR, describeShape, measureDataset, type DatasetShape } from './lib/dataset-shape';
import { BulkLogWriter } from './lib/log-writer';
import { prng } from './lib/prng';
import { Progress } from './lib/progress';

/** 2: the log written in bulk and the read models replayed (1: appended with the inline projector). */
export const GENERATOR_VERSION = 2;

const METADATA: AppendMetadata = { actor: 'bench-generator', reason: 'synthetic knowledge base' };
const PROJECTIONS = ['replay', 'inline'] as const;
type Projections = (typeof PROJECTIONS)[number];
/** How the log was written, per path, as the summaries say it. */
const WRITTEN: Record<Projections, string> = { replay: 'written in bulk', inline: 'appended with the inline projections' };

export const USAGE = `Usage: npm run bench:generate -- [options]
       node dist-bench/bench/generate.js [options]

Writes a synthetic knowledge base with the Longterm Wiki data set's shape into its own PostgreSQL
database (factlog_bench_<scale> on the server of DATABASE_URL): commands decided by the domain, the
log written in bulk with the store's chaining, then the read models built by the store's replay (the
code of \`projections rebuild\`, whose rate it reports). Ratios measured from the data set at run time: property
mix, share of temporal facts per property, facts per entity, citations per fact, citing pages per
source, and entities, sources and pages per fact. Every temporal series gets several corrections and
retractions in later batches, so fact_versions is larger than facts.

Options:
  --scale <s>       10k, 100k, 1m or a number of facts (default 10k)
  --batch <n>       events per append or bulk INSERT (default 5000; the store takes at most 10000)
  --projections <p> replay (default): write the log, then replay it into the read models;
                    inline: append through EventStore.appendMany and the inline projector
  --seed <n>        PRNG seed (default 42)
  --dataset <dir>   the Longterm Wiki data set (default ${DEFAULT_DATASET_DIR})
  --fresh           drop and regenerate the database even when a complete one exists
  -h, --help        print this help and exit

Environment:
  DATABASE_URL      server and credentials (default ${DEFAULT_DATABASE_URL}); the database name in it is
                    only used to create and drop the bench database.

Progress (events/s, RSS) goes to stderr; the summary to stdout.
`;

export interface GenerateOptions {
  scale: string;
  facts: number;
  batch: number;
  seed: number;
  dataset: string;
  fresh: boolean;
  projections: Projections;
  adminUrl: string;
}

export function parseGenerateArgs(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): { kind: 'run'; options: GenerateOptions } | { kind: 'help' } {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: false,
      options: {
        scale: { type: 'string' },
        batch: { type: 'string' },
        seed: { type: 'string' },
        dataset: { type: 'string' },
        fresh: { type: 'boolean' },
        projections: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message.split('. ')[0]);
  }
  if (values.help) return { kind: 'help' };
  const scale = parseScale(values.scale ?? '10k');
  const batch = Number(values.batch ?? '5000');
  if (!Number.isInteger(batch) || batch < 1 || batch > 10_000)
    throw new UsageError(`--batch must be 1..10000, got ${JSON.stringify(values.batch)}`);
  const seed = Number(values.seed ?? '42');
  if (!Number.isInteger(seed)) throw new UsageError(`--seed must be an integer, got ${JSON.stringify(values.seed)}`);
  const projections = values.projections ?? 'replay';
  if (!(PROJECTIONS as readonly string[]).includes(projections))
    throw new UsageError(`--projections must be replay or inline, got ${JSON.stringify(values.projections)}`);
  return {
    kind: 'run',
    options: {
      scale: scale.name,
      facts: scale.facts,
      batch,
      seed,
      dataset: values.dataset ?? DEFAULT_DATASET_DIR,
      fresh: values.fresh ?? false,
      projections: projections as Projections,
      adminUrl: env.DATABASE_URL || DEFAULT_DATABASE_URL,
    },
  };
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** A 10-character stable id from a number, deterministic: prefix + base-62 digits. */
function stableIdOf(prefix: string, n: number): string {
  let s = '';
  let x = n;
  for (let i = 0; i < 10 - prefix.length; i++) {
    s = ALNUM[x % 62] + s;
    x = Math.floor(x / 62);
  }
  return prefix + s;
}

const NUMERIC: ReadonlySet<DataType> = new Set(['number', 'range']);

function expect<T>(r: Result<T>, what: string): T {
  if (!r.ok) throw new Error(`generator bug: the domain refused ${what}: ${r.error.message}`);
  return r.value;
}

/** A fact waiting for its later corrections, deprecation or retraction. */
interface Tracked {
  state: FactState;
  version: number;
  property: FactProperty;
}

type FollowUp = { kind: 'correct' | 'retract' | 'deprecate' | 'cite'; factId: string };

export interface GenerateReport {
  events: number;
  facts: number;
  seconds: number;
  counts: Map<string, number>;
  entities: number;
  sources: number;
  pages: number;
  peakRssMb: number;
}

/** Where the generator's batches go: the store's append, or the bulk log writer. */
type Append = (writes: StreamWrite[]) => Promise<void>;

/** The bulk writer's append: the store's chaining, checked against the generator's own versions. */
function appendInBulk(writer: BulkLogWriter): Append {
  return async (writes) => {
    const recordedAt = new Date();
    for (const w of writes) {
      const expected = w.expectedVersion === 'no_stream' ? 0 : w.expectedVersion;
      if (expected !== writer.versionOf(w.stream))
        throw new Error(`generator bug: ${w.stream} expected at ${String(expected)}, is at ${writer.versionOf(w.stream)}`);
      for (const e of w.events)
        await writer.add({
          stream: w.stream,
          type: e.type,
          schemaVersion: e.schemaVersion ?? 1,
          data: e.data,
          metadata: METADATA,
          recordedAt,
        });
    }
  };
}

/** The generation proper, into a migrated, empty store. */
export async function generate(
  append: Append,
  shape: DatasetShape,
  options: { facts: number; batch: number; seed: number; onProgress?: (events: number, facts: number) => void },
): Promise<GenerateReport> {
  const random = prng(options.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
  const counts = new Map<string, number>();
  const started = performance.now();
  let peakRss = process.memoryUsage().rss;

  // ---- the batch being built: events grouped per stream, each stream's expected version ----
  let writes = new Map<string, StreamWrite>();
  let inBatch = 0;
  let appended = 0;
  let factsAsserted = 0;
  const versionBefore = new Map<string, number>();
  const flush = async (): Promise<void> => {
    if (inBatch === 0) return;
    await append([...writes.values()]);
    appended += inBatch;
    writes = new Map();
    inBatch = 0;
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    options.onProgress?.(appended, factsAsserted);
  };
  /** Queues decided events; `version` is the stream's version before them (0: new stream). */
  const push = async (events: readonly DomainEvent[], version: number): Promise<void> => {
    for (const e of events) {
      const stream = streamOf(e);
      let w = writes.get(stream);
      if (!w) {
        w = { stream, expectedVersion: version === 0 ? 'no_stream' : version, events: [] };
        writes.set(stream, w);
      }
      w.events.push({ type: e.type, schemaVersion: CURRENT_SCHEMA_VERSION[e.type], data: e.data as Record<string, unknown> });
      counts.set(e.type, (counts.get(e.type) ?? 0) + 1);
      inBatch += 1;
    }
    if (inBatch >= options.batch) await flush();
  };
  void versionBefore;

  // ---- publications and properties: the real ones ----
  for (const [id, fields] of shape.publications)
    await push(expect(decidePublication({ type: 'RegisterPublication', id, fields }, null), `publication ${id}`), 0);
  const properties = new Map<string, FactProperty>();
  for (const [id, fields] of shape.properties) {
    await push(expect(decideProperty({ type: 'DefineProperty', id, fields }, null), `property ${id}`), 0);
    properties.set(id, { id, dataType: fields.dataType, ...(fields.unit ? { unit: fields.unit } : {}) });
  }
  await flush();

  // ---- entities, sources, pages: counts from the per-fact ratios ----
  const nEntities = Math.max(1, Math.round(options.facts * shape.entitiesPerFact));
  const nSources = Math.max(1, Math.round(options.facts * shape.sourcesPerFact));
  const nPages = Math.max(1, Math.round(options.facts * shape.pagesPerFact));
  const entityIds: string[] = [];
  for (let i = 0; i < nEntities; i++) {
    const sample = shape.entitySamples[i % shape.entitySamples.length];
    const id = stableIdOf('Ex', i);
    const fields = { slug: `${sample.slug}-x${i}`, name: `${sample.name} ${i}`, type: sample.type, numericId: `E${1_000_000 + i}` };
    await push(expect(decideEntity({ type: 'RegisterEntity', id, fields }, null, { slugOwner: null }), `entity ${i}`), 0);
    entityIds.push(id);
  }
  const sourceIds: string[] = [];
  for (let i = 0; i < nSources; i++) {
    const sample = shape.sourceSamples[i % shape.sourceSamples.length];
    const fields = {
      ...sample,
      url: `https://synthetic.example.org/${i}/${encodeURIComponent(new URL(sample.url).hostname)}`,
      stableId: stableIdOf('Sx', i),
    };
    const events = expect(decideSource({ type: 'RegisterSource', fields }, null, { newStableId: stableIdOf('Sx', i) }), `source ${i}`);
    sourceIds.push(sourceIdForUrl(fields.url));
    await push(events, 0);
  }
  const pages: { slug: string; state: PageState | null; version: number }[] = [];
  for (let i = 0; i < nPages; i++) {
    const sample = shape.pageSamples[i % shape.pageSamples.length];
    const slug = `page-x${i}`;
    const fields = { ...sample, numericId: `E${1_000_000 + i}`, ...(i < nEntities ? { entityId: entityIds[i] } : {}) };
    const events = expect(decidePage({ type: 'CreatePage', slug, fields }, null), `page ${i}`);
    let state: PageState | null = null;
    for (const e of events) state = evolvePage(state, e as never);
    pages.push({ slug, state, version: events.length });
    await push(events, 0);
  }
  await flush();
  // Citing pages per source, drawn from the real distribution (one event per page stream per batch).
  for (const sourceId of sourceIds) {
    const n = Math.min(pick(shape.pagesPerSource), pages.length);
    for (let k = 0; k < n; k++) {
      const page = pick(pages);
      const events = expect(
        decidePage({ type: 'CiteSource', slug: page.slug, sourceId }, page.state, { sourceExists: true }),
        'a citation',
      );
      if (events.length === 0) continue;
      const queued = writes.get(`page-${page.slug}`)?.events.length ?? 0;
      await push(events, page.version - queued);
      for (const e of events) page.state = evolvePage(page.state, e as never);
      page.version += events.length;
    }
  }
  await flush();

  // ---- facts: per entity, a count drawn from the real facts-per-entity distribution ----
  const propertyIds = [...shape.propertyMix.keys()].filter((p) => properties.has(p));
  const weights = propertyIds.map((p) => shape.propertyMix.get(p)!);
  const total = weights.reduce((a, b) => a + b, 0);
  const drawProperty = (): string => {
    let r = random() * total;
    for (let i = 0; i < propertyIds.length; i++) {
      r -= weights[i];
      if (r < 0) return propertyIds[i];
    }
    return propertyIds[propertyIds.length - 1];
  };
  const drawValue = (propertyId: string): unknown => {
    const property = properties.get(propertyId)!;
    if (property.dataType === 'ref') return pick(entityIds);
    if (property.dataType === 'refs') return [pick(entityIds), pick(entityIds)].filter((x, i, a) => a.indexOf(x) === i);
    const v = pick(shape.valuesByProperty.get(propertyId)!);
    if (!NUMERIC.has(property.dataType)) return v;
    const scale = (x: unknown) =>
      typeof x === 'number' ? (Number.isInteger(x) ? Math.round(x * (0.5 + random())) : x * (0.5 + random())) : x;
    if (typeof v === 'number') return scale(v);
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const o = v as Record<string, unknown>;
      if (typeof o.low === 'number' && typeof o.high === 'number') {
        const f = 0.5 + random();
        return { ...o, low: o.low * f, high: o.high * f };
      }
      return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, scale(x)]));
    }
    return v;
  };
  const drawCitations = (): { sourceId: string; locator?: string }[] => {
    const n = pick(shape.citationsPerFact);
    const out = new Map<string, { sourceId: string; locator?: string }>();
    for (let k = 0; k < n; k++) {
      const sourceId = pick(sourceIds);
      out.set(sourceId, { sourceId, locator: `p. ${1 + Math.floor(random() * 300)}` });
    }
    return [...out.values()];
  };

  const tracked = new Map<string, Tracked>();
  // Follow-ups run some batches later than their assert, so corrections have later recorded times.
  const later: FollowUp[][] = [];
  let batchNo = 0;
  const schedule = (f: FollowUp) => {
    const at = batchNo + 1 + Math.floor(random() * 3);
    (later[at] ??= []).push(f);
  };
  let factSeq = 0;
  const assertFact = async (entityId: string, propertyId: string, asOf: string | undefined): Promise<string> => {
    const id = `f_x${(factSeq++).toString(36).padStart(8, '0')}`;
    const property = properties.get(propertyId)!;
    const citations = drawCitations();
    const fields = {
      entityId,
      propertyId,
      value: drawValue(propertyId),
      ...(asOf ? { asOf } : {}),
      ...(citations.length ? { citations } : {}),
      ...(random() < 0.1 ? { notes: 'synthetic: from the generator' } : {}),
    };
    const events = expect(decideFact({ type: 'AssertFact', id, fields }, null, { property, entityExists: true }), `fact ${id}`);
    let state: FactState | null = null;
    for (const e of events) state = evolveFact(state, e as FactEvent);
    tracked.set(id, { state: state!, version: events.length, property });
    factsAsserted += 1;
    await push(events, 0);
    return id;
  };
  const runFollowUp = async (f: FollowUp): Promise<void> => {
    const t = tracked.get(f.factId);
    if (!t || t.state.retracted) return;
    let events: FactEvent[];
    if (f.kind === 'correct') {
      const set: Record<string, unknown> = { value: drawValue(t.state.fields.propertyId) };
      if (random() < 0.3) set.notes = `corrected after review ${Math.floor(random() * 1000)}`;
      events = expect(
        decideFact({ type: 'CorrectFact', id: f.factId, set }, t.state, { property: t.property, entityExists: true }),
        'a correction',
      );
    } else if (f.kind === 'retract') {
      events = expect(
        decideFact({ type: 'RetractFact', id: f.factId, reason: 'the source does not say this' }, t.state, {
          property: null,
          entityExists: true,
        }),
        'a retraction',
      );
    } else if (f.kind === 'deprecate') {
      events = expect(
        decideFact({ type: 'DeprecateFact', id: f.factId, reason: 'superseded' }, t.state, { property: null, entityExists: true }),
        'a deprecation',
      );
    } else {
      events = expect(
        decideFact({ type: 'AddFactCitation', id: f.factId, citation: { sourceId: pick(sourceIds), quote: 'corroborated' } }, t.state, {
          property: null,
          entityExists: true,
        }),
        'a citation',
      );
    }
    const queued = writes.get(`fact-${f.factId}`)?.events.length ?? 0;
    await push(events, t.version - queued);
    for (const e of events) t.state = evolveFact(t.state, e)!;
    t.version += events.length;
  };
  const pendingCount = new Map<string, number>();
  const track = (f: FollowUp) => {
    pendingCount.set(f.factId, (pendingCount.get(f.factId) ?? 0) + 1);
    schedule(f);
  };
  /** Runs the follow-ups due, forgetting facts that have none left (memory stays bounded at 1M). */
  const dueFollowUps = async (): Promise<void> => {
    const due = later[batchNo] ?? [];
    later[batchNo] = [];
    for (const f of due) {
      await runFollowUp(f);
      const left = (pendingCount.get(f.factId) ?? 1) - 1;
      if (left <= 0) {
        pendingCount.delete(f.factId);
        tracked.delete(f.factId);
      } else pendingCount.set(f.factId, left);
    }
  };

  let entityCursor = 0;
  let lastBatchAppended = appended;
  while (factsAsserted < options.facts) {
    if (appended !== lastBatchAppended) {
      lastBatchAppended = appended;
      batchNo += 1;
      await dueFollowUps();
    }
    const entityId = entityIds[entityCursor % entityIds.length];
    entityCursor += 1;
    const n = pick(shape.factsPerEntity);
    let made = 0;
    while (made < n && factsAsserted < options.facts) {
      const propertyId = drawProperty();
      const temporal = random() < (shape.temporalByProperty.get(propertyId) ?? 0);
      if (!temporal) {
        const id = await assertFact(entityId, propertyId, undefined);
        if (random() < 0.1) track({ kind: 'correct', factId: id });
        if (!pendingCount.has(id)) tracked.delete(id);
        made += 1;
        continue;
      }
      // A time series: 2–6 points, then several corrections and a retraction or two.
      const points = 2 + Math.floor(random() * 5);
      const year = 2014 + Math.floor(random() * 8);
      const ids: string[] = [];
      for (let k = 0; k < points && factsAsserted < options.facts; k++) {
        const month = 1 + ((k * 6 + Math.floor(random() * 3)) % 12);
        ids.push(await assertFact(entityId, propertyId, `${year + Math.floor((k * 6) / 12)}-${String(month).padStart(2, '0')}`));
        made += 1;
      }
      const corrections = 2 + Math.floor(random() * 3);
      for (let k = 0; k < corrections; k++) track({ kind: random() < 0.15 ? 'cite' : 'correct', factId: pick(ids) });
      if (ids.length > 1) track({ kind: 'retract', factId: ids[ids.length - 1 - Math.floor(random() * (ids.length - 1))] });
      if (random() < 0.3) track({ kind: 'deprecate', factId: pick(ids) });
      if (random() < 0.3 && ids.length > 2) track({ kind: 'retract', factId: pick(ids) });
      for (const id of ids) if (!pendingCount.has(id)) tracked.delete(id);
    }
  }
  // The remaining follow-ups, in batch order.
  while (later.length > batchNo + 1 || pendingCount.size > 0) {
    batchNo += 1;
    await dueFollowUps();
    if (batchNo > later.length + 3) break;
  }
  await flush();
  return {
    events: appended,
    facts: factsAsserted,
    seconds: (performance.now() - started) / 1000,
    counts,
    entities: nEntities,
    sources: nSources,
    pages: nPages,
    peakRssMb: Math.round(peakRss / 1e6),
  };
}

/** How a stored generation went, for a later run that reuses it (the suite prints it among its figures). */
function describeRun(info: GeneratedInfo): string {
  const rate = (seconds: number) => `${Math.round(info.events / Math.max(seconds, 1)).toLocaleString('en-US')} ev/s`;
  const replay =
    info.replaySeconds === undefined ? '' : `, replayed into the read models in ${info.replaySeconds} s (${rate(info.replaySeconds)})`;
  return `then: ${WRITTEN[info.projections ?? 'inline']} in ${info.seconds} s (${rate(info.seconds)})${replay}; generator peak RSS ${info.peakRssMb} MB`;
}

async function main(options: GenerateOptions): Promise<number> {
  const name = benchDatabaseName(options.scale);
  const url = withDatabase(options.adminUrl, name);
  if (await databaseExists(options.adminUrl, name)) {
    const info = await readGeneratedInfo(url);
    if (info && info.generatorVersion === GENERATOR_VERSION && !options.fresh) {
      process.stdout.write(
        `${name} is already complete (${info.facts} facts, ${info.events} events, generated ${info.finishedAt}); --fresh regenerates it\n  ${describeRun(info)}\n`,
      );
      return 0;
    }
    process.stderr.write(`dropping ${name} (${info ? 'regenerating' : 'incomplete'})\n`);
    await dropDatabase(options.adminUrl, name);
  }
  const shape = await measureDataset(options.dataset);
  process.stderr.write(`${describeShape(shape)}\n`);
  await createDatabase(options.adminUrl, name);
  const cleanup = new Cleanup();
  let finished = false;
  // An interrupted generation leaves no half database behind to be mistaken for a complete one.
  cleanup.add(async () => {
    if (!finished) await dropDatabase(options.adminUrl, name);
  });
  const database = openPostgres({ url, maxConnections: 2 });
  cleanup.add(() => settleWithin(database.close(), 3000));
  process.once('SIGINT', () => void cleanup.run().then(() => process.exit(130)));
  try {
    await migrateToLatest(database.db);
    let lastPrint = 0;
    let lastEvents = 0;
    let lastAt = performance.now();
    const t0 = performance.now();
    const generation = {
      facts: options.facts,
      batch: options.batch,
      seed: options.seed,
      onProgress: (events: number, facts: number) => {
        const now = performance.now();
        if (now - lastPrint < 2000) return;
        const rate = ((events - lastEvents) / (now - lastAt)) * 1000;
        process.stderr.write(
          `  ${events} events (${facts}/${options.facts} facts) in ${((now - t0) / 1000).toFixed(0)} s: ${rate.toFixed(0)} ev/s now, ${((events / (now - t0)) * 1000).toFixed(0)} ev/s overall; RSS ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB\n`,
        );
        lastPrint = now;
        lastEvents = events;
        lastAt = now;
      },
    };
    let report: GenerateReport;
    let replaySeconds: number | null = null;
    if (options.projections === 'inline') {
      const app = factlogOver(database);
      report = await generate((writes) => app.store.appendMany(writes, METADATA).then(() => undefined), shape, generation);
    } else {
      const client = await database.pool.connect();
      try {
        await client.query('BEGIN');
        const writer = new BulkLogWriter(client, options.batch);
        report = await generate(appendInBulk(writer), shape, generation);
        await writer.finish();
        await client.query('COMMIT');
      } finally {
        client.release();
      }
      const replaying = new Progress('  replaying the log into the read models', report.events);
      const started = performance.now();
      await (database.db as unknown as FactlogDb)
        .transaction()
        .execute((trx) => replayLog(trx, report.events, { batchSize: options.batch, onProgress: (done) => replaying.update(done) }));
      replaySeconds = (performance.now() - started) / 1000;
      replaying.finish(replaySeconds);
    }
    // A bulk load leaves the GIN indexes' pending lists long (every containment lookup then scans them:
    // 2 ms instead of 0.07 ms per source at 100k) until autovacuum gets round to it; a store that has
    // been live for a while has had that done, so the benchmarks start from there.
    await database.pool.query('VACUUM ANALYZE');
    const { rows } = await database.pool.query<{ versions: string; current: string }>(
      'SELECT (SELECT count(*) FROM fact_versions) AS versions, (SELECT count(*) FROM facts) AS current',
    );
    const info: GeneratedInfo = {
      scale: options.scale,
      facts: report.facts,
      events: report.events,
      factVersions: Number(rows[0].versions),
      currentFacts: Number(rows[0].current),
      seconds: Math.round(report.seconds),
      seed: options.seed,
      generatorVersion: GENERATOR_VERSION,
      finishedAt: new Date().toISOString(),
      peakRssMb: Math.max(report.peakRssMb, Math.round(process.resourceUsage().maxRSS / 1000)),
      projections: options.projections,
      ...(replaySeconds === null ? {} : { replaySeconds: Math.round(replaySeconds) }),
    };
    await writeGeneratedInfo(url, info);
    finished = true;
    const byType = [...report.counts]
      .sort((a, b) => b[1] - a[1])
      .map(([t, n]) => `${t} ${n}`)
      .join(', ');
    process.stdout.write(
      [
        `generated ${name}: ${report.facts} facts, ${report.entities} entities, ${report.sources} sources, ${report.pages} pages`,
        `  ${report.events} events ${WRITTEN[options.projections]} in ${report.seconds.toFixed(1)} s = ${(report.events / report.seconds).toFixed(0)} ev/s (batches of ${options.batch}); peak RSS ${info.peakRssMb} MB`,
        ...(replaySeconds === null
          ? []
          : [`  replayed into the read models in ${replaySeconds.toFixed(1)} s = ${(report.events / replaySeconds).toFixed(0)} ev/s`]),
        `  fact_versions ${info.factVersions} rows, facts ${info.currentFacts} rows`,
        `  by type: ${byType}`,
        '',
      ].join('\n'),
    );
    return 0;
  } finally {
    await cleanup.run();
  }
}

if (require.main === module)
  runMain('bench/generate', parseGenerateArgs, USAGE, (err): err is UsageError => err instanceof UsageError, main);
