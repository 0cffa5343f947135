// The one SWC configuration for running Factlog's TypeScript in tests: jest's transform and the
// child-process loader (tests/scale/swc-register.js) both use it. type-graphql needs the decorator
// metadata SWC emits (type-stripping loaders such as tsx emit none).
module.exports = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};
