/**
 * Progress on stderr so stdout stays clean for the results. On a terminal one line per phase is
 * rewritten in place; elsewhere (CI logs, redirects) only the finished line is printed, once.
 */
export class Progress {
  private lastDraw = 0;
  private readonly live: boolean;

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly out: NodeJS.WriteStream = process.stderr,
  ) {
    this.live = out.isTTY === true;
    this.draw(`${label} … warming up`);
  }

  update(done: number): void {
    const now = Date.now();
    // Redrawing on every transaction would cost more than the transactions in the fast scenarios.
    if (!this.live || (now - this.lastDraw < 100 && done < this.total)) return;
    this.lastDraw = now;
    this.draw(`${this.label} … ${done}/${this.total}`);
  }

  finish(seconds: number): void {
    const line = `${this.label} … ${this.total}/${this.total} in ${seconds.toFixed(2)} s`;
    this.out.write(this.live ? `\r\x1b[K${line}\n` : `${line}\n`);
  }

  /** Leaves the partial line readable when the phase fails or is interrupted. */
  abandon(): void {
    if (this.live) this.out.write('\n');
  }

  private draw(line: string): void {
    if (this.live) this.out.write(`\r\x1b[K${line}`);
  }
}
