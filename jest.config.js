/** Jest runs the TypeScript sources through SWC, which (unlike tsx) emits the decorator metadata type-graphql needs. */
const swc = require('./tests/support/swc-options');

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
