import { ApiKeys } from '../auth/keys';
import { UsageError, type Command } from './command';
import { openForCommand } from './open';

export const keysCommand: Command = {
  name: 'keys',
  summary: 'create, revoke and list API keys',
  help: `
Usage: factlog keys create --name NAME --role editor|admin
       factlog keys revoke NAME
       factlog keys list [--json]

API keys are sent as "Authorization: Bearer <key>". An editor may run mutations; an admin may do
everything. The key's name is recorded as the actor of every event it appends. Only a hash of the key
is stored: the key itself is printed once, by create.

Environment:
  DATABASE_URL, FACTLOG_DATA_DIR   as for serve
`,
  options: { name: { type: 'string' }, role: { type: 'string' }, json: { type: 'boolean' } },
  allowPositionals: true,
  async run(values, positionals) {
    const [action, arg] = positionals;
    if (!['create', 'revoke', 'list'].includes(action ?? ''))
      throw new UsageError('keys needs an action: create, revoke or list\nRun "factlog keys --help" for usage.');
    if (action === 'create' && (typeof values.name !== 'string' || typeof values.role !== 'string'))
      throw new UsageError('keys create needs --name and --role');
    if (action === 'revoke' && !arg) throw new UsageError('keys revoke needs the key name');
    const app = await openForCommand();
    try {
      const keys = new ApiKeys(app.database.db);
      if (action === 'create') {
        const created = await keys.create(String(values.name), String(values.role));
        process.stdout.write(
          values.json
            ? `${JSON.stringify(created)}\n`
            : `created ${created.role} key "${created.name}" (shown only now):\n${created.key}\n`,
        );
      } else if (action === 'revoke') {
        await keys.revoke(arg);
        process.stdout.write(`revoked "${arg}"\n`);
      } else {
        const all = await keys.list();
        if (values.json) process.stdout.write(`${JSON.stringify(all)}\n`);
        else
          for (const k of all)
            process.stdout.write(
              `${k.name}\t${k.role}\t${k.createdAt.toISOString()}\t${k.revokedAt ? `revoked ${k.revokedAt.toISOString()}` : 'active'}\n`,
            );
      }
      return 0;
    } finally {
      await app.close();
    }
  },
};
