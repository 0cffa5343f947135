import { readFileSync } from 'node:fs';
import path from 'node:path';
import { printFactlogSchema } from '../../src/api-schema';

it('schema.graphql is the schema the code builds (run `npm run schema` after changing the API)', () => {
  const checkedIn = readFileSync(path.resolve(__dirname, '../../schema.graphql'), 'utf8');
  expect(checkedIn).toBe(printFactlogSchema());
});

it('keeps every name docs/api.md documents', () => {
  const sdl = printFactlogSchema();
  const names = [
    'source(',
    'sources(',
    'publication(',
    'publications(',
    'page(',
    'pages(',
    'entity(',
    'entities(',
    'property(',
    'properties:',
    'fact(',
    'facts(',
    'events(',
    'changes(',
    'registerPublication(',
    'updatePublication(',
    'registerSource(',
    'updateSource(',
    'captureSourceContent(',
    'createPage(',
    'updatePage(',
    'citeSource(',
    'unciteSource(',
    'registerEntity(',
    'updateEntity(',
    'renameEntity(',
    'defineProperty(',
    'updateProperty(',
    'assertFact(',
    'correctFact(',
    'retractFact(',
    'deprecateFact(',
    'union FactValue = ',
    'scalar PartialDate',
    'scalar DateTime',
    'scalar JSON',
    'type Credibility',
    'type CachedContent',
    'inheritedFrom: Publication',
    'citedBy(',
    'timeline(',
    'value(',
    'asOfLabel: String',
    'displayValue: String!',
  ];
  for (const name of names) expect(sdl).toContain(name);
});
