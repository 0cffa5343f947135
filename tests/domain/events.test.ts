import { decideEntity } from '../../src/domain/entity';
import {
  CURRENT_SCHEMA_VERSION,
  DOMAIN_EVENT_TYPES,
  kindOfEvent,
  STREAM_PREFIX,
  streamName,
  streamOf,
  UnknownEventError,
  upcast,
  type DomainEvent,
  type DomainEventType,
} from '../../src/domain/events';
import { decideFact } from '../../src/domain/fact';
import { decidePage } from '../../src/domain/page';
import { decideProperty } from '../../src/domain/property';
import { decidePublication } from '../../src/domain/publication';
import { decideSource } from '../../src/domain/source';
import { expectOk } from './domain-test-helpers';

const SRC_A = '7512ddb574f82249';
const SRC_B = '683aef834ac1612a';
const ENTITY = 'mK9pX3rQ7n';
const FACT = 'f_BnkEWenniQ';

/** One sample of every event type, keyed by type, with the stream it must land in. */
const SAMPLES: Record<DomainEventType, [DomainEvent, string]> = {
  PublicationRegistered: [{ type: 'PublicationRegistered', data: { id: 'anthropic', name: 'Anthropic' } }, 'publication-anthropic'],
  PublicationUpdated: [
    { type: 'PublicationUpdated', data: { id: 'anthropic', set: { credibility: 4 }, unset: [] } },
    'publication-anthropic',
  ],
  SourceRegistered: [
    {
      type: 'SourceRegistered',
      data: { id: SRC_A, url: 'https://www.anthropic.com/news/activating-asl3-protections', stableId: 'kX7pQ2rT9w' },
    },
    `source-${SRC_A}`,
  ],
  SourceUpdated: [{ type: 'SourceUpdated', data: { id: SRC_A, set: { title: 'T' }, unset: [] } }, `source-${SRC_A}`],
  SourceContentCaptured: [
    { type: 'SourceContentCaptured', data: { id: SRC_A, text: 'x', length: 1, contentHash: 'h' } },
    `source-${SRC_A}`,
  ],
  SourceMergedInto: [{ type: 'SourceMergedInto', data: { id: SRC_A, into: SRC_B } }, `source-${SRC_A}`],
  SourceMergedFrom: [{ type: 'SourceMergedFrom', data: { id: SRC_B, from: SRC_A } }, `source-${SRC_B}`],
  PageCreated: [{ type: 'PageCreated', data: { slug: 'anthropic', title: 'Anthropic' } }, 'page-anthropic'],
  PageUpdated: [{ type: 'PageUpdated', data: { slug: 'anthropic', set: { quality: 80 }, unset: [] } }, 'page-anthropic'],
  SourceCited: [{ type: 'SourceCited', data: { slug: 'anthropic', sourceId: SRC_A } }, 'page-anthropic'],
  SourceUncited: [{ type: 'SourceUncited', data: { slug: 'anthropic', sourceId: SRC_A } }, 'page-anthropic'],
  EntityRegistered: [
    { type: 'EntityRegistered', data: { id: ENTITY, slug: 'anthropic', name: 'Anthropic', type: 'organization' } },
    `entity-${ENTITY}`,
  ],
  EntityUpdated: [{ type: 'EntityUpdated', data: { id: ENTITY, set: { name: 'A' }, unset: [] } }, `entity-${ENTITY}`],
  EntityRenamed: [{ type: 'EntityRenamed', data: { id: ENTITY, from: 'anthropic', to: 'anthropic-pbc' } }, `entity-${ENTITY}`],
  EntityRelated: [
    { type: 'EntityRelated', data: { id: ENTITY, entityId: 'Zq4Wv8Ty2u', type: 'ai-model', relationship: 'composed-of' } },
    `entity-${ENTITY}`,
  ],
  EntityUnrelated: [
    { type: 'EntityUnrelated', data: { id: ENTITY, entityId: 'Zq4Wv8Ty2u', relationship: 'composed-of' } },
    `entity-${ENTITY}`,
  ],
  PropertyDefined: [{ type: 'PropertyDefined', data: { id: 'revenue', name: 'Revenue', dataType: 'number' } }, 'property-revenue'],
  PropertyUpdated: [{ type: 'PropertyUpdated', data: { id: 'revenue', set: { unit: 'USD' }, unset: [] } }, 'property-revenue'],
  FactAsserted: [
    { type: 'FactAsserted', data: { id: FACT, entityId: ENTITY, propertyId: 'revenue', value: { kind: 'number', value: 1 } } },
    `fact-${FACT}`,
  ],
  FactCorrected: [{ type: 'FactCorrected', data: { id: FACT, set: { notes: 'n' }, unset: [] } }, `fact-${FACT}`],
  FactRetracted: [{ type: 'FactRetracted', data: { id: FACT, reason: 'r' } }, `fact-${FACT}`],
  FactDeprecated: [{ type: 'FactDeprecated', data: { id: FACT } }, `fact-${FACT}`],
  FactCitationAdded: [{ type: 'FactCitationAdded', data: { id: FACT, citation: { sourceId: SRC_A } } }, `fact-${FACT}`],
  FactCitationRemoved: [{ type: 'FactCitationRemoved', data: { id: FACT, sourceId: SRC_A } }, `fact-${FACT}`],
  RecordSchemaRegistered: [
    {
      type: 'RecordSchemaRegistered',
      data: { id: 'grant', name: 'Grant', collectionName: 'grants', endpoints: {}, fields: { name: { type: 'text' } } },
    },
    'recordschema-grant',
  ],
  RecordSchemaUpdated: [{ type: 'RecordSchemaUpdated', data: { id: 'grant', set: { name: 'G' }, unset: [] } }, 'recordschema-grant'],
  RecordCreated: [
    {
      type: 'RecordCreated',
      data: { id: `${ENTITY}:grants:g1`, entityId: ENTITY, collection: 'grants', key: 'g1', schemaId: 'grant', fields: { name: 'G1' } },
    },
    `record-${ENTITY}:grants:g1`,
  ],
  RecordUpdated: [
    { type: 'RecordUpdated', data: { id: `${ENTITY}:grants:g1`, set: { name: 'G2' }, unset: [] } },
    `record-${ENTITY}:grants:g1`,
  ],
  RecordRemoved: [{ type: 'RecordRemoved', data: { id: `${ENTITY}:grants:g1` } }, `record-${ENTITY}:grants:g1`],
  EntityTypeRegistered: [
    { type: 'EntityTypeRegistered', data: { id: 'organization', name: 'Organization', required: [], recommended: ['revenue'] } },
    'entitytype-organization',
  ],
  EntityTypeUpdated: [
    { type: 'EntityTypeUpdated', data: { id: 'organization', set: { name: 'Org' }, unset: [] } },
    'entitytype-organization',
  ],
  EvidenceRecorded: [
    {
      type: 'EvidenceRecorded',
      data: { id: `fact:${FACT}`, sourceId: SRC_A, verdict: 'confirmed', confidence: 0.9, checkedBy: 'alice' },
    },
    `verification-fact:${FACT}`,
  ],
  EvidenceWithdrawn: [{ type: 'EvidenceWithdrawn', data: { id: `fact:${FACT}`, sourceId: SRC_A } }, `verification-fact:${FACT}`],
};

describe('event catalogue', () => {
  it('knows exactly the 33 event types the kinds produce', () => {
    expect([...DOMAIN_EVENT_TYPES].sort()).toEqual(Object.keys(SAMPLES).sort());
    expect(DOMAIN_EVENT_TYPES).toHaveLength(33);
  });

  it('maps each type to the kind named by its stream prefix', () => {
    for (const type of DOMAIN_EVENT_TYPES) {
      const [, stream] = SAMPLES[type];
      expect(stream.startsWith(STREAM_PREFIX[kindOfEvent(type)])).toBe(true);
    }
    expect(kindOfEvent('SourceCited')).toBe('page');
    expect(kindOfEvent('SourceMergedFrom')).toBe('source');
  });

  it('writes every type at schema version 1 today', () => {
    expect(Object.values(CURRENT_SCHEMA_VERSION)).toEqual(DOMAIN_EVENT_TYPES.map(() => 1));
  });

  it('names streams by prefix and id', () => {
    expect(streamName('source', SRC_A)).toBe(`source-${SRC_A}`);
    expect(streamName('page', 'anthropic')).toBe('page-anthropic');
    expect(STREAM_PREFIX).toEqual({
      publication: 'publication-',
      source: 'source-',
      page: 'page-',
      entity: 'entity-',
      property: 'property-',
      fact: 'fact-',
      recordSchema: 'recordschema-',
      record: 'record-',
      entityType: 'entitytype-',
      verification: 'verification-',
    });
  });
});

describe('streamOf', () => {
  it.each(Object.entries(SAMPLES))('%s goes to its stream', (_type, [event, stream]) => {
    expect(streamOf(event)).toBe(stream);
  });

  it('puts a page citation in the page stream (by slug), not the source stream', () => {
    expect(streamOf({ type: 'SourceCited', data: { slug: 'deceptive-alignment', sourceId: SRC_A } })).toBe('page-deceptive-alignment');
  });

  it('puts an entity registration in the entity stream by id, although its data also has a slug', () => {
    const event: DomainEvent = {
      type: 'EntityRegistered',
      data: { id: ENTITY, slug: 'anthropic', name: 'Anthropic', type: 'organization' },
    };
    expect(streamOf(event)).toBe(`entity-${ENTITY}`);
    expect(streamOf({ type: 'EntityUpdated', data: { id: ENTITY, set: { name: 'A' }, unset: [] } })).toBe(streamOf(event));
  });

  it('routes the events the deciders produce', () => {
    const streams = [
      ...expectOk(decidePublication({ type: 'RegisterPublication', id: 'arxiv', fields: { name: 'arXiv' } }, null)),
      ...expectOk(
        decideSource({ type: 'RegisterSource', fields: { url: 'https://www.anthropic.com/news/activating-asl3-protections' } }, null, {
          newStableId: 'kX7pQ2rT9w',
        }),
      ),
      ...expectOk(
        decideSource(
          { type: 'MergeSources', from: SRC_A, into: SRC_B },
          { id: SRC_A, fields: { url: 'https://x.org', stableId: 'kX7pQ2rT9w' }, content: null, mergedInto: null, mergedFrom: [] },
        ),
      ),
      ...expectOk(decidePage({ type: 'CreatePage', slug: 'anthropic', fields: { title: 'Anthropic' } }, null)),
      ...expectOk(
        decidePage(
          { type: 'CiteSource', slug: 'anthropic', sourceId: SRC_A },
          { slug: 'anthropic', fields: { title: 'A' }, citations: [] },
        ),
      ),
      ...expectOk(
        decideEntity({ type: 'RegisterEntity', id: ENTITY, fields: { slug: 'anthropic', name: 'Anthropic', type: 'organization' } }, null),
      ),
      ...expectOk(decideProperty({ type: 'DefineProperty', id: 'revenue', fields: { name: 'Revenue', dataType: 'number' } }, null)),
      ...expectOk(
        decideFact({ type: 'AssertFact', id: FACT, fields: { entityId: ENTITY, propertyId: 'revenue', value: 1 } }, null, {
          property: { id: 'revenue', dataType: 'number' },
          entityExists: true,
        }),
      ),
    ].map(streamOf);
    expect(streams).toEqual([
      'publication-arxiv',
      `source-${SRC_A}`,
      `source-${SRC_A}`,
      `source-${SRC_B}`,
      'page-anthropic',
      'page-anthropic',
      `entity-${ENTITY}`,
      'property-revenue',
      `fact-${FACT}`,
    ]);
  });
});

describe('upcast', () => {
  it.each(Object.entries(SAMPLES))('accepts %s at the current version and returns it unchanged', (type, [event]) => {
    const data = event.data as Record<string, unknown>;
    expect(upcast(type, CURRENT_SCHEMA_VERSION[type as DomainEventType], data)).toEqual(event);
  });

  it.each([['SourceDeleted'], ['sourceRegistered'], [''], ['constructor'], ['__proto__'], ['toString']])(
    'rejects the unknown type %j',
    (type) => {
      expect(() => upcast(type, 1, { id: 'x' })).toThrow(UnknownEventError);
      expect(() => upcast(type, 1, { id: 'x' })).toThrow(`unknown event type "${type}"`);
    },
  );

  it.each([[0], [2], [99], [-1], [1.5]])('rejects the unknown schema version %d', (version) => {
    expect(() => upcast('FactAsserted', version, { id: FACT })).toThrow(UnknownEventError);
    expect(() => upcast('FactAsserted', version, { id: FACT })).toThrow(
      `event type "FactAsserted" has no upcaster from schema version ${version} to 1`,
    );
  });

  it.each([[{}], [{ id: '' }], [{ id: 42 }], [{ slug: null }]])('rejects data without an id: %j', (data) => {
    expect(() => upcast('SourceUpdated', 1, data as Record<string, unknown>)).toThrow('event "SourceUpdated" has no id in its data');
  });

  it('looks for the id where the stream takes it from: slug for pages, id for the rest', () => {
    expect(() => upcast('PageCreated', 1, { id: 'anthropic', title: 'A' })).toThrow('event "PageCreated" has no id in its data');
    expect(() => upcast('EntityRegistered', 1, { slug: 'anthropic', name: 'A', type: 'organization' })).toThrow(
      'event "EntityRegistered" has no id in its data',
    );
  });

  it('throws an Error subclass so callers can tell it from a domain error', () => {
    let caught: unknown;
    try {
      upcast('Nope', 1, { id: 'x' });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(Error);
    expect(caught).toBeInstanceOf(UnknownEventError);
  });
});
