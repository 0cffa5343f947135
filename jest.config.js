/** Jest runs the TypeScript sources through SWC, which (unlike tsx) emits the decorator metadata type-graphql needs. */
const swc = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', swc] },
  testTimeout: 120000,
  // type-graphql's decorators need the metadata API before any schema module loads.
  setupFiles: ['reflect-metadata'],
  maxWorkers: 2,
};
