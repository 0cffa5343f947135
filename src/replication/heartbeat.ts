import type { Election } from './leader-election';

/** Channel of the leader's heartbeat: `{"gateway": …, "position": "…", "recordedAt": …, "at": …}`. */
export const HEARTBEAT_CHANNEL = 'factlog_heartbeat';

export interface Heartbeat {
  gateway: string;
  position: string;
  recordedAt: string | null;
  at: string;
}

/**
 * The log-head heartbeat, Factlog's once-only job: while this gateway leads, it announces the log head
 * every `intervalMs` on `factlog_heartbeat`, from the leader's own session. Exactly one gateway sends it
 * whatever the number running, so a monitor (or a load balancer's check) that LISTENs sees one steady
 * beat, who leads, and how far the log has gone; a gap longer than the election's retry interval plus
 * `intervalMs` means no gateway leads. It also exercises the hand-over: the tests watch it move.
 */
export class HeartbeatJob {
  private timer: NodeJS.Timeout | null = null;
  private beating: Promise<void> | null = null;
  /** Heartbeats sent by this process (tests, health). */
  sent = 0;

  constructor(
    private readonly election: Pick<Election, 'query'>,
    private readonly gateway: string,
    private readonly intervalMs: number,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  /** Called when elected: beats at once, then every interval. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.beat(), this.intervalMs);
    this.timer.unref();
    void this.beat();
  }

  /** Called when demoted or stopping; waits for a beat in flight. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.beating;
  }

  private beat(): Promise<void> {
    this.beating ??= this.election
      .query(
        `SELECT pg_notify($1, json_build_object('gateway', $2::text, 'position', position::text,
           'recordedAt', recorded_at, 'at', clock_timestamp())::text) FROM log_head`,
        [HEARTBEAT_CHANNEL, this.gateway],
      )
      .then(() => {
        this.sent += 1;
      })
      .catch((err) => this.onError(err))
      .finally(() => {
        this.beating = null;
      });
    return this.beating;
  }
}
