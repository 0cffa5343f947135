import { AsyncLocalStorage } from 'node:async_hooks';
import type { DatabaseConnection, Driver } from 'kysely';

/**
 * A cap on the SQL statements one request may run. Cost estimates bound the objects a query can
 * resolve, but not the statements: 20,000 aliases of a cheap root field are 20,000 statements, which
 * hold the pool (PGlite's one connection) for seconds while every other client waits. The budget
 * travels with the request through AsyncLocalStorage, so resolvers, DataLoader batches and the store
 * are charged without passing anything along; work outside a request (probes, the leader, CLIs) has
 * no budget.
 */
export class StatementLimitError extends Error {
  constructor(readonly limit: number) {
    super(`this request needed more than ${limit} SQL statements (FACTLOG_MAX_STATEMENTS); ask for fewer fields, aliases or pages at once`);
    this.name = 'StatementLimitError';
  }
}

interface Budget {
  readonly limit: number;
  /** Statements run or reserved so far. */
  used: number;
  /** Connections acquired whose first statement was charged at acquisition (see budgetedDriver). */
  reserved: number;
}

const current = new AsyncLocalStorage<Budget>();

/** Runs `work` with at most `limit` statements; 0 means no limit. */
export function withStatementBudget<T>(limit: number, work: () => T): T {
  return limit > 0 ? current.run({ limit, used: 0, reserved: 0 }, work) : work();
}

/**
 * Runs `work` charged to no request: for statements shared by many requests (HeadReader's head read),
 * which must not fail all of them because the one that happened to start it is over its cap.
 */
export function outsideStatementBudget<T>(work: () => T): T {
  return current.exit(work);
}

function charge(budget: Budget): void {
  if (budget.used >= budget.limit) throw new StatementLimitError(budget.limit);
  budget.used += 1;
}

const budgeted = new WeakSet<DatabaseConnection>();
const ROLLBACK = /^\s*rollback\b/i;

/**
 * Charges the budget of the request that runs each statement. A connection is charged when it is
 * acquired, before it is waited for: 20,000 resolvers queue for the pool at once, before any of them
 * has run a statement, and past the cap they must fail there rather than each take the pool in turn.
 * That charge pays for the connection's first statement; more statements on it (a transaction's)
 * are charged one by one.
 */
export function budgetedDriver(inner: Driver): Driver {
  const acquireConnection = inner.acquireConnection.bind(inner);
  inner.acquireConnection = async () => {
    const budget = current.getStore();
    if (budget) {
      charge(budget);
      budget.reserved += 1;
    }
    const connection = await acquireConnection();
    if (!budgeted.has(connection)) {
      budgeted.add(connection);
      // Kysely's drivers hand out one connection object per pooled client, for ever: wrapped once here.
      const executeQuery = connection.executeQuery.bind(connection);
      connection.executeQuery = async (query) => {
        const b = current.getStore();
        if (b && b.reserved > 0) b.reserved -= 1;
        // A rollback is never refused: it is how a transaction cut off by the cap undoes itself, and
        // a failed one would leave the connection (PGlite's only one) inside the transaction.
        else if (b && !ROLLBACK.test(query.sql)) charge(b);
        return executeQuery(query);
      };
    }
    return connection;
  };
  return inner;
}
