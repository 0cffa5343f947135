import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * GraphQL Code Generator (client preset): typed documents for the operations written with `graphql(...)`
 * in examples/typed-client/src, checked against the API's SDL in schema.graphql (`npm run schema` writes it).
 * Run `npm run codegen` after changing an operation or the schema; docs/clients.md explains the workflow.
 */
const config: CodegenConfig = {
  schema: 'schema.graphql',
  documents: ['examples/typed-client/src/**/*.ts', '!examples/typed-client/src/gql/**'],
  ignoreNoDocuments: false,
  generates: {
    'examples/typed-client/src/gql/': {
      preset: 'client',
      presetConfig: {
        // The example masks nothing; fragment masking stays available for apps that want it.
        fragmentMasking: { unmaskFunctionName: 'getFragmentData' },
      },
      config: {
        // Factlog's custom scalars as they travel in JSON (docs/api.md, "Scalars").
        strictScalars: true,
        scalars: {
          DateTime: 'string',
          DateTimeISO: 'string',
          PartialDate: 'string',
          JSON: 'unknown',
        },
        enumsAsTypes: true,
        useTypeImports: true,
        avoidOptionals: false,
      },
    },
  },
};

export default config;
