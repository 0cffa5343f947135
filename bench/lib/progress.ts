/**
 * Progress on stderr so stdout stays clean for the results. On a terminal one line per phase is
 * rewritten in place; elsewhere (CI logs, redirects) a line is printed every few seconds and when
 * the phase is done, so a slow phase still shows signs of life without flooding the log.
 */
export class Progress {
  private lastDraw = Date.now();
  private readonly live: boolean;
  private readonly interval: number;

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly out: NodeJS.WriteStream = process.stderr,
  ) {
    this.live = out.isTTY === true;
    this.interval = this.live ? 100 : 5000;
    if (this.live) this.out.write(`\r\x1b[K${label} … warming up`);
  }

  update(done: number): void {
    const now = Date.now();
    // Redrawing on every transaction would cost more than the transactions in the fast scenarios.
    if (now - this.lastDraw < this.interval || done >= this.total) return;
    this.lastDraw = now;
    const line = `${this.label} … ${done}/${this.total}`;
    this.out.write(this.live ? `\r\x1b[K${line}` : `${line}\n`);
  }

  finish(seconds: number): void {
    const line = `${this.label} … ${this.total}/${this.total} in ${seconds.toFixed(2)} s`;
    this.out.write(this.live ? `\r\x1b[K${line}\n` : `${line}\n`);
  }

  /** Leaves the partial line readable when the phase fails or is interrupted. */
  abandon(): void {
    if (this.live) this.out.write('\n');
  }
}
