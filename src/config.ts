/** Everything Factlog reads from its environment, in one place (the README lists the same). */
import { readAnonymousAccess, type AnonymousAccess } from './auth/policy';

export interface Config {
  databaseUrl?: string;
  dataDir: string;
  port: number;
  host: string;
  /** What requests without an API key may do. */
  anonymous: AnonymousAccess;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = env.PORT ? Number(env.PORT) : 4000;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`PORT must be an integer from 0 to 65535, got "${env.PORT}"`);
  }
  return {
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: env.FACTLOG_DATA_DIR || './.factlog-data',
    port,
    host: env.HOST || '0.0.0.0',
    anonymous: readAnonymousAccess(env.FACTLOG_ANONYMOUS || undefined),
  };
}
