// Lint: TypeScript's recommended rules, and the layers of docs/architecture.md as import rules, so that
// an import against the direction of the layers fails CI instead of waiting for a reviewer to see it.
//
//   domain ← store ← projections ← commands ← graphql ← entry points
//   (auth sits beside commands; cli, http, server, app, api-schema, replication, importers,
//   observability and playground are entry points at the edge and may use every layer below them).
//   There are no exceptions: an edge that graphql/ needs is handed in by an entry point
//   (src/graphql/host.ts, src/api-schema.ts), and auth raises its own errors (src/auth/errors.ts).
import tseslint from 'typescript-eslint';

const LAYERS = ['domain', 'store', 'projections', 'auth', 'commands', 'graphql'];
const EDGES = ['importers', 'cli', 'http', 'replication', 'observability', 'playground', 'app', 'api-schema', 'server', 'config', 'seed'];

/** Folders (or top-level modules) each layer must not import. */
const FORBIDDEN = {
  domain: ['store', 'projections', 'auth', 'commands', 'graphql', ...EDGES],
  store: ['projections', 'auth', 'commands', 'graphql', ...EDGES],
  projections: ['auth', 'commands', 'graphql', ...EDGES],
  auth: ['projections', 'commands', 'graphql', ...EDGES],
  commands: ['graphql', ...EDGES],
  graphql: EDGES,
};

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Relative imports only (`../store/x`, `../../graphql`), so that a package such as `@apollo/server` never matches. */
const patternsFor = (layer) =>
  FORBIDDEN[layer].map((name) => ({
    regex: `^(?:\\.\\.?/)+${escape(name)}(?:/|$)`,
    message: `${layer}/ must not import ${name} (docs/architecture.md: imports point down the layers)`,
  }));

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'dist-bench/**',
      'node_modules/**',
      'bench/node_modules/**',
      'examples/**/generated/**',
      'coverage/**',
      'artifacts/**',
      '.ci/**',
    ],
  },
  ...tseslint.configs.recommended,
  {
    linterOptions: { reportUnusedDisableDirectives: 'off' }, // generated client code carries its own directives
    rules: {
      // A `let` that closures read before its one assignment (hooks wired before the job they start).
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    // Tests and benchmarks read GraphQL answers whose shape the query decides: `any` is the honest type there.
    files: ['tests/**', 'bench/**', 'examples/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/*.js'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  ...LAYERS.map((layer) => ({
    files: [`src/${layer}/**/*.ts`],
    rules: { 'no-restricted-imports': ['error', { patterns: patternsFor(layer) }] },
  })),
  {
    // The domain is pure and typed: no `any` there (tests and edges may use it where a library forces it).
    files: ['src/domain/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'error' },
  },
);
