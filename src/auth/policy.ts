import { AccessError } from './errors';
import type { Principal, Role } from './keys';

/** What a request without a key may do: nothing, read (the default), or also write (local use). */
export type AnonymousAccess = 'none' | 'read' | 'write';
export type Access = 'read' | 'write' | 'admin';

const RANK: Record<Role, number> = { anonymous: 0, editor: 1, admin: 2 };
const NEEDS: Record<Access, number> = { read: 0, write: 1, admin: 2 };

export function readAnonymousAccess(raw: string | undefined): AnonymousAccess {
  const value = raw ?? 'read';
  if (value !== 'none' && value !== 'read' && value !== 'write') {
    throw new Error(`FACTLOG_ANONYMOUS must be none, read or write, got "${value}"`);
  }
  return value;
}

/** Throws UNAUTHENTICATED (no key where one is needed) or FORBIDDEN (a key without the role). */
export function authorize(principal: Principal, access: Access, anonymous: AnonymousAccess): void {
  if (principal.role === 'anonymous') {
    const allowed = anonymous === 'write' ? access !== 'admin' : anonymous === 'read' ? access === 'read' : false;
    if (!allowed) {
      throw new AccessError(
        'UNAUTHENTICATED',
        `${access === 'read' ? 'reading' : 'this operation'} needs an API key: send "Authorization: Bearer <key>"`,
      );
    }
    return;
  }
  if (RANK[principal.role] < NEEDS[access]) {
    throw new AccessError('FORBIDDEN', `key "${principal.name}" (${principal.role}) may not ${access}`);
  }
}
