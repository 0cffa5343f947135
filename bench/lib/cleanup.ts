/**
 * Teardown steps that must run exactly once, whether the run ends normally, fails, or is interrupted
 * (all three may race: a SIGINT aborts the workers, whose failure then reaches the normal error path).
 */
export class Cleanup {
  private readonly steps: (() => Promise<void>)[] = [];
  private running: Promise<void> | undefined;

  /** Steps run in reverse order of registration, like nested `finally` blocks. */
  add(step: () => Promise<void>): void {
    this.steps.push(step);
  }

  run(): Promise<void> {
    this.running ??= this.runSteps();
    return this.running;
  }

  private async runSteps(): Promise<void> {
    for (const step of [...this.steps].reverse()) {
      // One failed step (say, a pool that will not close) must not keep the schema from being dropped.
      await step().catch((err: unknown) => process.stderr.write(`cleanup: ${describeError(err)}\n`));
    }
  }
}

export function describeError(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Resolves when `promise` settles or after `ms`, whichever is first; for teardown that must not hang. */
export async function settleWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  await Promise.race([promise.then(() => undefined), timeout]);
  clearTimeout(timer);
}
