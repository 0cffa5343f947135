// Lets a child process run Factlog's TypeScript sources directly (`node -r tests/scale/swc-register.js
// src/cli.ts serve`), compiled by SWC with the settings jest uses (tests/support/swc-options.js): type-graphql needs the
// decorator metadata that SWC emits and type-stripping loaders do not. Test gateways only.
const fs = require('node:fs');
const { transformSync } = require('@swc/core');

const options = require('../support/swc-options');

require.extensions['.ts'] = function compileTypeScript(module, filename) {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), { ...options, filename });
  module._compile(code, filename);
};
