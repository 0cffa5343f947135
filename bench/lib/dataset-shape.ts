import path from 'node:path';
import { emptyStoreSnapshot } from '../../src/importers/sync/store-snapshot';
import type { DesiredFact } from '../../src/importers/sync/desired';
import { mapDataset } from '../../src/importers/longterm-wiki/map';
import { readDataset } from '../../src/importers/longterm-wiki/read';
import { Anomalies } from '../../src/importers/sync/vocabulary';
import type { EntityFields } from '../../src/domain/entity';
import type { PageFields } from '../../src/domain/page';
import type { PropertyFields } from '../../src/domain/property';
import type { PublicationFields } from '../../src/domain/publication';
import type { SourceFields } from '../../src/domain/source';

/**
 * The shape of the real Longterm Wiki knowledge base, measured at run time from the files in place
 * (never copied): the generator scales these ratios and samples these records, so a synthetic store
 * has the real property mix, share of temporal facts, facts per entity, citations per fact and
 * pages per source.
 */

export const DEFAULT_DATASET_DIR = path.resolve(__dirname, '..', '..', '..', '..', 'shared', 'datasets', 'longterm-wiki');

export interface DatasetShape {
  dir: string;
  facts: number;
  /** Entities in the registry (with and without facts) per fact. */
  entitiesPerFact: number;
  /** Sources per fact, pages per fact. */
  sourcesPerFact: number;
  pagesPerFact: number;
  /** Facts per entity, one entry per entity that has facts (an empirical distribution to sample). */
  factsPerEntity: number[];
  /** Citations per fact, one entry per fact. */
  citationsPerFact: number[];
  /** Citing pages per source, one entry per source. */
  pagesPerSource: number[];
  /** Share of facts with an asOf (a point in a time series). */
  temporalShare: number;
  /** The same share per property (a property's facts are a series or they are not). */
  temporalByProperty: Map<string, number>;
  /** Facts per property id, and each property's definition. */
  propertyMix: Map<string, number>;
  properties: Map<string, PropertyFields>;
  publications: Map<string, PublicationFields>;
  /** Real values per property (AssertFact input), to draw synthetic values from. */
  valuesByProperty: Map<string, unknown[]>;
  /** Real records to clone, with fresh ids. */
  entitySamples: EntityFields[];
  sourceSamples: Omit<SourceFields, 'stableId'>[];
  pageSamples: PageFields[];
}

export async function measureDataset(dir: string = DEFAULT_DATASET_DIR): Promise<DatasetShape> {
  const anomalies = new Anomalies();
  const raw = await readDataset(dir, anomalies);
  const desired = mapDataset(raw, emptyStoreSnapshot(), anomalies);
  const facts = [...desired.facts.values()];
  if (facts.length === 0) throw new Error(`no facts found in ${dir}: is it the Longterm Wiki data set?`);

  const byEntity = new Map<string, number>();
  for (const f of facts) byEntity.set(f.entityId, (byEntity.get(f.entityId) ?? 0) + 1);
  const propertyMix = new Map<string, number>();
  const valuesByProperty = new Map<string, unknown[]>();
  for (const f of facts) {
    propertyMix.set(f.propertyId, (propertyMix.get(f.propertyId) ?? 0) + 1);
    const list = valuesByProperty.get(f.propertyId) ?? [];
    list.push(f.input.value);
    valuesByProperty.set(f.propertyId, list);
  }
  const pagesBySource = new Map<string, number>();
  for (const id of desired.sources.keys()) pagesBySource.set(id, 0);
  for (const sources of desired.citations.bySlug.values()) {
    for (const id of sources.keys()) pagesBySource.set(id, (pagesBySource.get(id) ?? 0) + 1);
  }
  const citations = (f: DesiredFact) => f.input.sources?.length ?? 0;
  const properties = new Map([...desired.properties].map(([id, p]) => [id, p.fields]));
  return {
    dir,
    facts: facts.length,
    entitiesPerFact: desired.entities.size / facts.length,
    sourcesPerFact: desired.sources.size / facts.length,
    pagesPerFact: desired.pages.size / facts.length,
    factsPerEntity: [...byEntity.values()],
    citationsPerFact: facts.map(citations),
    pagesPerSource: [...pagesBySource.values()],
    temporalShare: facts.filter((f) => f.input.asOf !== undefined).length / facts.length,
    temporalByProperty: new Map(
      [...propertyMix].map(([p, n]) => [p, facts.filter((f) => f.propertyId === p && f.input.asOf !== undefined).length / n]),
    ),
    propertyMix,
    properties,
    publications: new Map([...desired.publications].map(([id, p]) => [id, p.fields])),
    valuesByProperty,
    entitySamples: [...desired.entities.values()].map((e) => e.fields),
    sourceSamples: [...desired.sources.values()]
      .filter((s) => s.managed)
      .map(({ fields }) => {
        const { stableId: _stableId, ...rest } = fields;
        return rest;
      }),
    pageSamples: [...desired.pages.values()].map((p) => p.fields),
  };
}

const mean = (xs: readonly number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

/** One line per ratio, for the generator's report. */
export function describeShape(s: DatasetShape): string {
  const top = [...s.propertyMix]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5)
    .map(([p, n]) => `${p} ${((100 * n) / s.facts).toFixed(0)}%`)
    .join(', ');
  return [
    `data set ${s.dir}: ${s.facts} facts, ${s.propertyMix.size} properties used (${top}, …)`,
    `  temporal facts ${(100 * s.temporalShare).toFixed(0)}%; facts per entity with facts ${mean(s.factsPerEntity).toFixed(2)} (max ${Math.max(...s.factsPerEntity)});` +
      ` citations per fact ${mean(s.citationsPerFact).toFixed(2)}; citing pages per source ${mean(s.pagesPerSource).toFixed(2)}`,
    `  per fact: ${s.entitiesPerFact.toFixed(2)} entities, ${s.sourcesPerFact.toFixed(2)} sources, ${s.pagesPerFact.toFixed(2)} pages`,
  ].join('\n');
}
