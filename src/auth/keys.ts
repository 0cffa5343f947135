import { createHash, randomBytes } from 'node:crypto';
import type { ColumnType, Kysely } from 'kysely';
import { DomainError } from '../domain/errors';
import type { StoreSchema } from '../store/schema';

export type Role = 'anonymous' | 'editor' | 'admin';
export const KEY_ROLES = ['editor', 'admin'] as const;

/** Who is asking: a key's name becomes the `actor` of every event it appends. */
export interface Principal {
  name: string;
  role: Role;
}

export const ANONYMOUS: Principal = { name: 'anonymous', role: 'anonymous' };

/**
 * Whose idempotency keys a principal's are: each API key has its own (names are unique), and
 * anonymous writers, who cannot be told apart, share one. The prefix keeps a key named "anonymous"
 * apart from them.
 */
export function idempotencyScopeOf(principal: Principal): string {
  return principal.role === 'anonymous' ? 'anonymous' : `key:${principal.name}`;
}

interface ApiKeysTable {
  name: string;
  key_hash: string;
  role: string;
  created_at: ColumnType<Date, never, never>;
  revoked_at: ColumnType<Date | null, never, string>;
}
type KeysDb = Kysely<{ api_keys: ApiKeysTable }>;

const hash = (key: string): string => createHash('sha256').update(key).digest('hex');
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.@-]{0,99}$/;

export interface KeyInfo {
  name: string;
  role: string;
  createdAt: Date;
  revokedAt: Date | null;
}

export class ApiKeys {
  private readonly db: KeysDb;

  constructor(db: Kysely<StoreSchema>) {
    // The keys table is this module's own; the rest of the database is none of its business.
    this.db = db as unknown as KeysDb;
  }

  /** Creates a key and returns its plaintext: the only time it is ever seen. */
  async create(name: string, role: string): Promise<{ name: string; role: string; key: string }> {
    if (!NAME.test(name))
      throw new DomainError('BAD_USER_INPUT', `key name must be 1–100 letters, digits or _.@- , got ${JSON.stringify(name)}`, ['name']);
    if (!(KEY_ROLES as readonly string[]).includes(role))
      throw new DomainError('BAD_USER_INPUT', `role must be editor or admin, got ${JSON.stringify(role)}`, ['role']);
    const existing = await this.db.selectFrom('api_keys').select('name').where('name', '=', name).executeTakeFirst();
    if (existing)
      throw new DomainError('CONFLICT', `a key named "${name}" already exists (revoked keys keep their name, for the audit trail)`, [
        'name',
      ]);
    const key = `flk_${randomBytes(32).toString('base64url')}`;
    await this.db
      .insertInto('api_keys')
      .values({ name, key_hash: hash(key), role })
      .execute();
    return { name, role, key };
  }

  async revoke(name: string): Promise<void> {
    const result = await this.db
      .updateTable('api_keys')
      .set({ revoked_at: new Date().toISOString() })
      .where('name', '=', name)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) throw new DomainError('NOT_FOUND', `no active key named "${name}"`, ['name']);
  }

  async list(): Promise<KeyInfo[]> {
    const rows = await this.db.selectFrom('api_keys').select(['name', 'role', 'created_at', 'revoked_at']).orderBy('name').execute();
    return rows.map((r) => ({ name: r.name, role: r.role, createdAt: r.created_at, revokedAt: r.revoked_at }));
  }

  /** The principal a key stands for, or null for an unknown or revoked key. */
  async authenticate(key: string): Promise<Principal | null> {
    const row = await this.db
      .selectFrom('api_keys')
      .select(['name', 'role'])
      .where('key_hash', '=', hash(key))
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return row ? { name: row.name, role: row.role as Role } : null;
  }
}
