import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Database } from '../store/database';
import type { EventStore } from '../store/event-store';
import { withTimeout } from './readiness';
import type { FinishedRequest } from './request';

export interface MetricsSources {
  primary: Database;
  store: EventStore;
  /** Streaming replicas this gateway reads from (DATABASE_READ_URL). */
  replicas?: readonly Database[];
  /** Whether this gateway currently leads (runs the once-only jobs). */
  isLeader?: () => boolean;
  /** How long a scrape waits for each database (ms). */
  timeoutMs?: number;
}

/** Client-chosen operation names become label values; past this many distinct ones, the rest count as "(other)". */
const MAX_OPERATION_NAMES = 200;
const GRAPHQL_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,99}$/;
/** Codes that mean the gateway (or its database) failed, not the client. */
const SERVER_CODES = new Set(['INTERNAL_SERVER_ERROR', 'SERVICE_UNAVAILABLE']);
const ROUTES = new Set(['/graphql', '/healthz', '/readyz', '/metrics']);

/**
 * One gateway's Prometheus metrics, in a registry of its own: prom-client's global registry would mix
 * (and refuse to re-register) the metrics of several gateways started in one process, as tests do.
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly operations = new Set<string>();
  private readonly graphqlRequests: Counter<'operation' | 'type' | 'outcome'>;
  private readonly graphqlDuration: Histogram<'operation' | 'type' | 'outcome'>;
  private readonly graphqlErrors: Counter<'code'>;
  private readonly httpRequests: Counter<'route' | 'status'>;
  private readonly headPosition: Gauge;
  private readonly projectionLag: Gauge<'node'>;
  private readonly databaseUp: Gauge<'node'>;
  private readonly pool: Gauge<'node' | 'state'>;
  private readonly poolMax: Gauge<'node'>;
  private readonly leader: Gauge;
  private refreshing: Promise<void> | null = null;

  constructor(private readonly sources: MetricsSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.graphqlRequests = new Counter({
      name: 'factlog_graphql_requests_total',
      help: 'GraphQL requests by operation name, operation type and outcome (success, client_error, server_error).',
      labelNames: ['operation', 'type', 'outcome'],
      registers,
    });
    this.graphqlDuration = new Histogram({
      name: 'factlog_graphql_request_duration_seconds',
      help: 'Time from receiving a GraphQL request to sending its response.',
      labelNames: ['operation', 'type', 'outcome'],
      registers,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    });
    this.graphqlErrors = new Counter({
      name: 'factlog_graphql_errors_total',
      help: 'Errors in GraphQL responses, by code.',
      labelNames: ['code'],
      registers,
    });
    this.httpRequests = new Counter({
      name: 'factlog_http_requests_total',
      help: 'HTTP requests by route (/graphql, /healthz, /readyz, /metrics or other) and status code.',
      labelNames: ['route', 'status'],
      registers,
    });
    this.headPosition = new Gauge({
      name: 'factlog_log_head_position',
      help: 'Position of the last event in the log (the primary).',
      registers,
    });
    this.projectionLag = new Gauge({
      name: 'factlog_projection_lag_events',
      help: "Events in the log that a node's read models do not reflect yet: 0 on the primary (projections are written in the append transaction); head minus applied position on a read replica.",
      labelNames: ['node'],
      registers,
    });
    this.databaseUp = new Gauge({
      name: 'factlog_database_up',
      help: '1 when the node answered the last scrape in time, else 0.',
      labelNames: ['node'],
      registers,
    });
    this.pool = new Gauge({
      name: 'factlog_db_pool_connections',
      help: 'Connection pool of each node: total (open), idle, and waiting (callers queued for a connection).',
      labelNames: ['node', 'state'],
      registers,
    });
    this.poolMax = new Gauge({
      name: 'factlog_db_pool_max',
      help: 'Largest number of connections the pool opens (PGlite: 1).',
      labelNames: ['node'],
      registers,
    });
    this.leader = new Gauge({ name: 'factlog_leader', help: '1 while this gateway holds the leader lock.', registers });
  }

  /** Counts one finished HTTP request (and, on /graphql, its GraphQL operation). */
  observe(finished: FinishedRequest): void {
    const { record, path, status, durationMs } = finished;
    const route = ROUTES.has(path) ? path : 'other';
    this.httpRequests.inc({ route, status: String(status) });
    // A GET /graphql that got the playground page ran no GraphQL.
    if (path !== '/graphql' || (record.operationType === undefined && record.errorCodes.size === 0 && finished.method === 'GET')) return;
    const codes = [...record.errorCodes];
    for (const code of codes) this.graphqlErrors.inc({ code });
    const outcome =
      status >= 500 || codes.some((c) => SERVER_CODES.has(c))
        ? 'server_error'
        : codes.length > 0 || status >= 400
          ? 'client_error'
          : 'success';
    const labels = { operation: this.operationLabel(record.operation), type: record.operationType ?? 'unknown', outcome };
    this.graphqlRequests.inc(labels);
    this.graphqlDuration.observe(labels, durationMs / 1000);
  }

  private operationLabel(name: string | undefined): string {
    if (name === undefined || name === '') return '(anonymous)';
    if (!GRAPHQL_NAME.test(name)) return '(invalid)';
    if (this.operations.has(name)) return name;
    if (this.operations.size >= MAX_OPERATION_NAMES) return '(other)';
    this.operations.add(name);
    return name;
  }

  /** The exposition text; database gauges are read fresh (concurrent scrapes share one round of reads). */
  async render(): Promise<{ contentType: string; body: string }> {
    this.refreshing ??= this.refresh().finally(() => {
      this.refreshing = null;
    });
    await this.refreshing;
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  private async refresh(): Promise<void> {
    const { primary, store, replicas = [], isLeader, timeoutMs = 1000 } = this.sources;
    this.leader.set(isLeader?.() ? 1 : 0);
    this.poolGauges('primary', primary);
    let head: number | undefined;
    try {
      head = (await withTimeout(store.head(), timeoutMs, 'no answer')).position;
      this.headPosition.set(head);
      this.databaseUp.set({ node: 'primary' }, 1);
      // The read models are written in the append transaction, so the primary never lags its own log.
      this.projectionLag.set({ node: 'primary' }, 0);
    } catch {
      this.databaseUp.set({ node: 'primary' }, 0);
    }
    await Promise.all(
      replicas.map(async (replica) => {
        const node = replicaNode(replica);
        this.poolGauges(node, replica);
        try {
          const { rows } = await withTimeout(
            replica.pool.query<{ position: number }>('SELECT position FROM log_head'),
            timeoutMs,
            'no answer',
          );
          this.databaseUp.set({ node }, 1);
          const applied = Number(rows[0]?.position ?? 0);
          if (head !== undefined) this.projectionLag.set({ node }, Math.max(0, head - applied));
        } catch {
          this.databaseUp.set({ node }, 0);
        }
      }),
    );
  }

  private poolGauges(node: string, database: Database): void {
    const { pool } = database;
    this.pool.set({ node, state: 'total' }, pool.totalCount);
    this.pool.set({ node, state: 'idle' }, pool.idleCount);
    this.pool.set({ node, state: 'waiting' }, pool.waitingCount);
    this.poolMax.set({ node }, pool.options.max ?? 10);
  }
}

/** A replica's label: its host, port and database, never credentials. */
function replicaNode(database: Database): string {
  return `replica ${database.description.replace(/^PostgreSQL /, '')}`;
}
