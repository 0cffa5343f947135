import { resolveBasis, type Basis } from '../projections/queries/basis';
import type { FactlogDb } from '../projections/tables';
import { outsideStatementBudget } from '../store/statement-budget';

/**
 * The log head for many requests at once. A request waits for the next head read that *starts* after
 * it arrived (never for one already in flight), so it sees every write committed before it came in,
 * exactly as with a read of its own; but under load one statement answers all the requests that
 * arrived while the previous one was out, instead of one statement each.
 */
export class HeadReader {
  private queue: { resolve: (b: Basis) => void; reject: (e: unknown) => void }[] = [];
  private inFlight = false;

  constructor(private readonly db: FactlogDb) {}

  read(): Promise<Basis> {
    return new Promise<Basis>((resolve, reject) => {
      this.queue.push({ resolve, reject });
      if (!this.inFlight) this.flush();
    });
  }

  private flush(): void {
    const waiting = this.queue;
    this.queue = [];
    this.inFlight = true;
    // Shared by every waiting request, so charged to none of them (src/store/statement-budget.ts).
    outsideStatementBudget(() => resolveBasis(this.db))
      .then(
        (basis) => waiting.forEach((w) => w.resolve(basis)),
        (err: unknown) => waiting.forEach((w) => w.reject(err)),
      )
      .finally(() => {
        this.inFlight = false;
        if (this.queue.length) this.flush();
      });
  }
}

const headReaders = new WeakMap<FactlogDb, HeadReader>();

/** The log head as a request that arrives now must see it, read together with concurrent requests (HeadReader). */
export function readHead(db: FactlogDb): Promise<Basis> {
  let reader = headReaders.get(db);
  if (!reader) headReaders.set(db, (reader = new HeadReader(db)));
  return reader.read();
}
