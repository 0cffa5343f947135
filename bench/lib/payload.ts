import { createHash } from 'node:crypto';

/**
 * The data of a `FactAsserted` event as the domain would write it: a fact about an entity, with a typed
 * value, a partial as-of date and one citation: about 330 bytes of JSON, the size of a typical fact.
 * `seq` varies the ids, the value and the source, so that the rows are not all copies of one another.
 */
export function factAssertedData(seq: number): Record<string, unknown> {
  const sourceId = createHash('sha256')
    .update(`source-${seq % 97}`)
    .digest('hex')
    .slice(0, 16);
  return {
    factId: `f_${seq.toString(36).padStart(10, '0')}`,
    entity: 'anthropic',
    property: 'annual-revenue',
    value: { kind: 'number', value: 1_000_000_000 + seq * 1_337, unit: 'USD' },
    asOf: { value: '2025-03', precision: 'month' },
    citations: [
      {
        source: sourceId,
        url: `https://example.com/reports/2025-q1-${seq % 97}`,
        quote: 'Revenue reached a record high.',
        accessed: '2025-04-02',
      },
    ],
  };
}

export function payloadBytes(): number {
  return Buffer.byteLength(JSON.stringify(factAssertedData(0)), 'utf8');
}
