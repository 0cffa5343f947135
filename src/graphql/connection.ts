import { ClassType, Field, Int, ObjectType } from 'type-graphql';
import { userError } from './errors';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

@ObjectType()
export class PageInfo {
  @Field()
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

export interface ConnectionShape<T> {
  edges: { cursor: string; node: T }[];
  nodes: T[];
  pageInfo: PageInfo;
  /** Counted only when a client asks for it: counting can cost more than the page. */
  totalCount: PromiseLike<number> | number;
}

/**
 * A promise that does its work only when first awaited. GraphQL awaits a field's value only if the
 * field was selected, so an unselected `totalCount` never runs its COUNT query.
 */
export function lazy<T>(work: () => Promise<T>): PromiseLike<T> {
  let started: Promise<T> | undefined;
  return {
    then(onFulfilled, onRejected) {
      started ??= work();
      return started.then(onFulfilled, onRejected);
    },
  };
}

/** Relay connection types: `Connection(Source)` gives SourceConnection's shape. */
export function Connection<T extends object>(Node: ClassType<T>) {
  @ObjectType(`${Node.name}Edge`)
  class Edge {
    @Field()
    cursor!: string;

    @Field(() => Node)
    node!: T;
  }

  @ObjectType()
  class ConnectionClass {
    @Field(() => [Edge])
    edges!: Edge[];

    @Field(() => [Node])
    nodes!: T[];

    @Field(() => PageInfo)
    pageInfo!: PageInfo;

    @Field(() => Int)
    totalCount!: number;
  }
  return ConnectionClass;
}

/** Checks `first` against the cap: a larger value is an error, never a silent cut (docs/api.md, "Pagination"). */
export function pageSize(first: number | undefined | null): number {
  const n = first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(n) || n < 0 || n > MAX_PAGE_SIZE) {
    throw userError('BAD_USER_INPUT', `first must be from 0 to ${MAX_PAGE_SIZE}, got ${n}`, { field: 'first' });
  }
  return n;
}

const encode = (s: string): string => Buffer.from(s, 'utf8').toString('base64url');

/** Cursors are opaque: `k:<key>` for keyset pages, `o:<offset>` for offset pages. */
export const keyCursor = (key: string): string => encode(`k:${key}`);
export const offsetCursor = (offset: number): string => encode(`o:${offset}`);

export function readCursor(cursor: string | null | undefined, kind: 'k' | 'o'): string | undefined {
  if (cursor == null) return undefined;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!text.startsWith(`${kind}:`))
    throw userError('BAD_USER_INPUT', `after: "${cursor}" is not a cursor of this list`, { field: 'after' });
  return text.slice(2);
}

export function readOffset(cursor: string | null | undefined): number {
  const raw = readCursor(cursor, 'o');
  if (raw === undefined) return 0;
  const n = Number(raw);
  // Safe integers only: a larger offset is no cursor we made, and PostgreSQL's OFFSET (bigint) would refuse it.
  if (!Number.isSafeInteger(n) || n < 0)
    throw userError('BAD_USER_INPUT', `after: "${cursor}" is not a cursor of this list`, { field: 'after' });
  return n + 1;
}

/** A connection over an offset page. */
export function offsetConnection<T>(items: T[], offset: number, hasNextPage: boolean, count: () => Promise<number>): ConnectionShape<T> {
  const edges = items.map((node, i) => ({ cursor: offsetCursor(offset + i), node }));
  return { edges, nodes: items, pageInfo: { hasNextPage, endCursor: edges.at(-1)?.cursor ?? null }, totalCount: lazy(count) };
}

/** A connection over a keyset page. */
export function keyConnection<T>(
  items: T[],
  keyOf: (t: T) => string,
  hasNextPage: boolean,
  count: () => Promise<number>,
): ConnectionShape<T> {
  const edges = items.map((node) => ({ cursor: keyCursor(keyOf(node)), node }));
  return { edges, nodes: items, pageInfo: { hasNextPage, endCursor: edges.at(-1)?.cursor ?? null }, totalCount: lazy(count) };
}

/** Pages an in-memory list (relations already loaded in one batch). */
export function listConnection<T>(all: T[], first: number | undefined | null, after: string | null | undefined): ConnectionShape<T> {
  const size = pageSize(first);
  const offset = readOffset(after);
  const edges = all.slice(offset, offset + size).map((node, i) => ({ cursor: offsetCursor(offset + i), node }));
  return {
    edges,
    nodes: edges.map((e) => e.node),
    pageInfo: { hasNextPage: offset + size < all.length, endCursor: edges.at(-1)?.cursor ?? null },
    totalCount: all.length,
  };
}
