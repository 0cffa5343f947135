import express from 'express';
import type { ReadinessCheck } from '../observability/readiness';

export interface ProbeOptions {
  readiness: ReadinessCheck;
  /** What `/readyz` names as the database ("postgres" or "pglite"). */
  databaseKind: string;
  /** The rate limit, for /readyz (it asks the database); /healthz costs nothing and is never limited. */
  limited: express.RequestHandler;
  /** True once the gateway is shutting down: it reports unready so balancers drain it first. */
  stopping: () => boolean;
}

/** `/healthz` (liveness) and `/readyz` (readiness), for load balancers and orchestrators. */
export function probeRoutes(options: ProbeOptions): express.Router {
  const router = express.Router();
  // Liveness: the process is up and its event loop turns.
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  // Readiness: the database answers SELECT 1 in time and has every migration; a stopping gateway
  // reports unready so balancers drain it first.
  router.get('/readyz', options.limited, async (_req, res) => {
    if (options.stopping()) {
      res.status(503).json({ status: 'stopping', reason: 'the gateway is shutting down' });
      return;
    }
    const result = await options.readiness.check();
    if (result.ready) res.json({ status: 'ready', database: options.databaseKind, headPosition: String(result.headPosition) });
    else res.status(503).json({ status: result.status, reason: result.reason });
  });
  return router;
}
