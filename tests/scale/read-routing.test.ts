import { Kind, parse, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import { requestedMinPosition } from '../../src/replication/read-routing';

// Which log position a replica must have applied before it may answer a query (no database needed).

function positionOf(query: string, pins: boolean, variables: Record<string, unknown> = {}, header?: string) {
  const document = parse(query);
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  const fragments = Object.fromEntries(
    document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]),
  );
  return requestedMinPosition(operation, fragments, variables, header, pins);
}

it('counts atPosition pins anywhere in the document, through fragments, when a replica may answer', () => {
  const query = `query($p: String) { health { headPosition } entity(id: "a", minPosition: "3") { ...F } }
    fragment F on Entity { value(property: "x", atPosition: $p) { id } timeline(property: "x", atPosition: "7") { id } }`;
  expect(positionOf(query, true, { p: '12' })).toBe(12);
  expect(positionOf(query, true, { p: '5' })).toBe(7);
  // A malformed pin is its resolver's to refuse; routing skips it.
  expect(positionOf(query, true, { p: 'x' })).toBe(7);
});

it('reads only minPosition and the header when no replica can answer', () => {
  const query = '{ entity(id: "a", minPosition: "3") { value(property: "x", atPosition: "9") { id } } }';
  expect(positionOf(query, false)).toBe(3);
  expect(positionOf(query, false, {}, ' 11 ')).toBe(11);
  expect(() => positionOf(query, false, {}, 'soon')).toThrow(/X-Factlog-Min-Position must be a log position/);
});

it('walks each fragment once, so fan-out costs the document size', () => {
  const levels = 30;
  const fragments = Array.from(
    { length: levels },
    (_, i) =>
      `fragment F${i} on Entity { ${i + 1 < levels ? `...F${i + 1} ...F${i + 1}` : 'value(property: "x", atPosition: "4") { id }'} }`,
  ).join('\n');
  expect(positionOf(`{ entity(id: "a") { ...F0 } }\n${fragments}`, true)).toBe(4);
});
