import { openFactlog, type Factlog } from '../app';
import { readConfig, type Config } from '../config';

/**
 * The store as a command other than `serve` opens it: without the per-statement timeout
 * (FACTLOG_STATEMENT_TIMEOUT_MS), which guards a served request. A command's own statements are bulk
 * work whose time grows with the store (an index built again after a replay, a table's checksum, an
 * import's ANALYZE): at 100k facts `projections rebuild` ran past the 15 s default and was cancelled.
 */
export function openForCommand(config: Config = readConfig()): Promise<Factlog> {
  return openFactlog({ ...config, statementTimeoutMs: 0 });
}
