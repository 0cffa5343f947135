import { AccessError } from '../auth/errors';
import { ANONYMOUS, ApiKeys, type Principal } from '../auth/keys';
import { authorize, type Access, type AnonymousAccess } from '../auth/policy';
import type { CommandHandler } from '../commands/handler';
import { resolveBasis, type Basis } from '../projections/queries/basis';
import type { FactlogDb } from '../projections/tables';
import type { Database, DatabaseKind } from '../store/database';
import { toGraphQLError } from './errors';
import { readHead } from './head-reader';
import type { GatewayHost } from './host';
import { Loaders } from './loaders';
import { parsePosition, validInstant, type PinArgs, type Pins } from './pins';

/** What every resolver can reach; one per request. */
export interface GraphQLContext {
  /** Where this request reads: the primary, or the replica its reads were routed to (`readFrom`). */
  db: FactlogDb;
  /** Where it writes: commands always go to the primary. */
  commands: CommandHandler;
  /** API keys, on the primary (admin only; src/graphql/resolvers/keys.ts). */
  keys: ApiKeys;
  /** What the gateway runs on, as `health` reports it. */
  databaseKind: DatabaseKind;
  /** The request's "now": one instant, so every default-valid-time read in it agrees. */
  now: Date;
  /**
   * Per-request state that resolvers change. A holder object, because Apollo hands resolvers a
   * shallow copy of the context: a field set on the copy would not be seen by the plugins.
   */
  request: {
    basis?: Basis;
    /** Set when the request reads from a replica (src/replication/read-routing.ts); absent: the primary. */
    read?: { node: string; db: FactlogDb };
  };
  loaders: Loaders;
  pins(args: PinArgs, parent?: Pins): Promise<Pins>;
  /**
   * Called by mutations: later reads in the request see the new head, `head` when the command says
   * what its commit left (CommandResult.head), which saves reading it again.
   */
  invalidate(head?: { position: number; recordedAt: string }): void;
  principal: Principal;
  /** Throws UNAUTHENTICATED or FORBIDDEN unless the principal may do this. */
  authorize(access: Access): void;
  /** Read replicas, leader election and live updates, when the server runs them (src/graphql/host.ts). */
  replication?: GatewayHost;
}

/** What a request's context is made from: the application (src/app.ts) and the server's settings. */
export interface ContextDeps {
  database: Database;
  db: FactlogDb;
  commands: CommandHandler;
  /** What a request without a key may do (FACTLOG_ANONYMOUS). */
  anonymous?: AnonymousAccess;
  replication?: GatewayHost;
}

export function createContext(deps: ContextDeps, principal: Principal = ANONYMOUS): GraphQLContext {
  const now = new Date();
  const anonymous = deps.anonymous ?? 'read';
  const refuseUnless = (access: Access) => {
    try {
      authorize(principal, access, anonymous);
    } catch (err) {
      // The policy's own error, answered as GraphQL answers a refusal: 401 or 403 (src/graphql/errors.ts).
      throw err instanceof AccessError ? toGraphQLError(err) : err;
    }
  };
  refuseUnless('read');
  let bases = new Map<string, Promise<Basis>>();
  const request: GraphQLContext['request'] = {};
  const context: GraphQLContext = {
    db: deps.db,
    commands: deps.commands,
    keys: new ApiKeys(deps.database.db),
    databaseKind: deps.database.kind,
    replication: deps.replication,
    now,
    request,
    // Loaders are keyed by log position, and what the log says at a position never changes, so
    // their caches stay valid for the whole request, across mutations too.
    loaders: new Loaders(deps.db),
    async pins(args, parent) {
      const ownTime = args.knownAt != null || args.atPosition != null;
      let basis: Basis;
      if (!ownTime && parent) basis = parent.basis;
      else {
        const position = args.atPosition != null ? parsePosition(args.atPosition) : undefined;
        const key = position !== undefined ? `p${position}` : args.knownAt ? `t${args.knownAt.toISOString()}` : 'head';
        if (!bases.has(key)) {
          const db = request.read?.db ?? deps.db;
          bases.set(key, key === 'head' ? readHead(db) : resolveBasis(db, { knownAt: args.knownAt ?? undefined, atPosition: position }));
        }
        basis = await bases.get(key)!;
      }
      request.basis ??= basis;
      const asOf = args.asOf !== undefined && args.asOf !== null ? args.asOf : (parent?.asOf ?? null);
      return { basis, asOf, validAt: validInstant(asOf, now) };
    },
    invalidate(head) {
      bases = new Map();
      // A replica may not have applied the primary's new head yet: one that reads there reads its own.
      if (head && !request.read) bases.set('head', Promise.resolve({ position: head.position, recordedAt: new Date(head.recordedAt) }));
      request.basis = undefined;
    },
    principal,
    authorize: refuseUnless,
  };
  return context;
}

/**
 * Sends a request's reads to another database (a read replica). Called on the request's own context
 * before any resolver runs; the command handler (writes) stays on the primary.
 */
export function readFrom(context: GraphQLContext, target: { node: string; db: FactlogDb }): void {
  context.db = target.db;
  context.loaders = new Loaders(target.db);
  context.request.read = { node: target.node, db: target.db };
}
