import { promises as fs } from 'node:fs';
import { printFactlogSchema } from '../api-schema';
import type { Command } from './command';

export const schemaCommand: Command = {
  name: 'schema',
  summary: 'print the GraphQL schema (SDL) generated from the code',
  help: `
Usage: factlog schema [--out FILE]

Prints the schema the gateway serves, as SDL. \`npm run schema\` writes it to schema.graphql, which
is checked in so clients and code generators can read it without starting a server.

Options:
  --out FILE   write to FILE instead of standard output
`,
  options: { out: { type: 'string' } },
  async run(values) {
    const sdl = printFactlogSchema();
    if (typeof values.out === 'string') {
      await fs.writeFile(values.out, sdl);
      process.stderr.write(`wrote ${values.out}\n`);
    } else process.stdout.write(sdl);
    return 0;
  },
};
