import express from 'express';
import { GraphQLError } from 'graphql';
import { AccessError } from '../auth/errors';
import type { MetricsAccess } from '../config';
import type { GatewayMetrics } from '../observability/metrics';
import { recordOf } from '../observability/request';
import { authenticateRequest, type Authenticate } from './authenticate';
import { sendError } from './errors';

export interface MetricsRouteOptions {
  metrics: GatewayMetrics;
  /** Who may read it: everyone (public), admin keys only, or no one (off). */
  access: MetricsAccess;
  authenticate: Authenticate;
  limited: express.RequestHandler;
}

/** `GET /metrics` in Prometheus's text format. */
export function metricsRoute(options: MetricsRouteOptions): express.Router {
  const router = express.Router();
  router.get('/metrics', options.limited, async (req, res) => {
    if (options.access === 'off') return sendError(res, 'NOT_FOUND', 'metrics are switched off (FACTLOG_METRICS=off)');
    if (options.access === 'admin') {
      try {
        const principal = await authenticateRequest(options.authenticate, req);
        const record = recordOf(res);
        if (record) record.principal = principal.name;
        if (principal.role !== 'admin') {
          return principal.role === 'anonymous'
            ? sendError(res, 'UNAUTHENTICATED', 'metrics need an admin key: send "Authorization: Bearer <key>"')
            : sendError(res, 'FORBIDDEN', `key "${principal.name}" (${principal.role}) may not read metrics`);
        }
      } catch (err) {
        if (err instanceof AccessError) return sendError(res, err.code, err.message);
        if (err instanceof GraphQLError && err.extensions.code === 'SERVICE_UNAVAILABLE')
          return sendError(res, 'SERVICE_UNAVAILABLE', err.message);
        throw err;
      }
    }
    const { contentType, body } = await options.metrics.render();
    res.setHeader('content-type', contentType);
    res.send(body);
  });
  return router;
}
