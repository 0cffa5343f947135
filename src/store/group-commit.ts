import { outsideStatementBudget } from './statement-budget';

/** What one member of a group got: its own answer, or its own error. */
export type Outcome<R> = { ok: true; value: R } | { ok: false; error: unknown };

interface Waiting<T, R> {
  item: T;
  weight: number;
  resolve: (value: R) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: work submitted while a group is in flight waits, and when that group ends the next
 * one takes everything that waited (up to `maxWeight`, and at least one item whatever its weight).
 * A lone writer therefore never waits for company, and writers that arrive together share one
 * transaction, one lock and one commit. `run` answers each item of a group on its own, so one
 * member's refusal is never its neighbours'; if `run` itself throws, every member gets that error.
 *
 * The group runs charged to no request's statement budget (statement-budget.ts): it serves many
 * requests, and the one that happened to start it must not pay for, or fail, the others.
 */
export class GroupCommit<T, R> {
  private readonly waiting: Waiting<T, R>[] = [];
  private running = false;

  constructor(
    private readonly run: (items: T[]) => Promise<Outcome<R>[]>,
    private readonly maxWeight: number,
  ) {}

  submit(item: T, weight: number): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.waiting.push({ item, weight, resolve, reject });
      if (!this.running) void outsideStatementBudget(() => this.drain());
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.waiting.length > 0) {
        const group = this.take();
        let outcomes: Outcome<R>[];
        try {
          outcomes = await this.run(group.map((w) => w.item));
        } catch (error) {
          outcomes = group.map(() => ({ ok: false, error }));
        }
        group.forEach((w, i) => {
          const outcome = outcomes[i];
          if (outcome.ok) w.resolve(outcome.value);
          else w.reject(outcome.error);
        });
      }
    } finally {
      this.running = false;
    }
  }

  /** The next group: the oldest waiting items, in arrival order, as many as fit in maxWeight. */
  private take(): Waiting<T, R>[] {
    let weight = this.waiting[0].weight;
    let n = 1;
    while (n < this.waiting.length && weight + this.waiting[n].weight <= this.maxWeight) weight += this.waiting[n++].weight;
    return this.waiting.splice(0, n);
  }
}
