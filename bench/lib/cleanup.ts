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

/**
 * A benchmark's entry point: parse (usage errors exit 2, --help exits 0), run, and turn anything
 * unexpected into exit 1 with the benchmark's name in front.
 */
export function runMain<O>(
  name: string,
  parse: (argv: readonly string[], env: NodeJS.ProcessEnv) => { kind: 'run'; options: O } | { kind: 'help' },
  usage: string,
  isUsageError: (err: unknown) => err is Error,
  benchmark: (options: O) => Promise<number>,
): void {
  const main = async (): Promise<number> => {
    try {
      const parsed = parse(process.argv.slice(2), process.env);
      if (parsed.kind === 'help') {
        process.stdout.write(usage);
        return 0;
      }
      return await benchmark(parsed.options);
    } catch (err) {
      if (!isUsageError(err)) throw err;
      process.stderr.write(`${name}: ${err.message}\nRun with --help to see the options.\n`);
      return 2;
    }
  };
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`${name}: ${describeError(err)}\n`);
      process.exitCode = 1;
    },
  );
}
