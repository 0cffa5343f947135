import { readdirSync, readFileSync } from 'node:fs';

/** Linux's USER_HZ, the unit of /proc/<pid>/stat's times, on every architecture Node runs on. */
const TICKS_PER_SECOND = 100;

/**
 * CPU ticks used so far by each PostgreSQL backend connected to `database` on this machine, by pid
 * (from /proc; a backend's title names its database), or undefined where there is no /proc. The
 * benchmarks run the database beside the gateway on the same cores, so what a request costs the
 * database is part of what bounds its rate. Not counted: the server's shared workers (WAL writer,
 * checkpointer), which also serve other databases.
 */
export function databaseCpuTicks(database: string): Map<number, number> | undefined {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  } catch {
    return undefined;
  }
  const ticks = new Map<number, number>();
  for (const pid of pids) {
    let stat: string;
    let title: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      title = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    const close = stat.lastIndexOf(')');
    if (stat.slice(stat.indexOf('(') + 1, close) !== 'postgres') continue;
    // "postgres: 15/main: <user> <database> <host>(<port>) <state>"
    if (!title.split(' ').includes(database)) continue;
    // After "pid (comm) ": state, ppid, …; utime and stime are the 14th and 15th fields of the line.
    const fields = stat.slice(close + 2).split(' ');
    ticks.set(Number(pid), Number(fields[11]) + Number(fields[12]));
  }
  return ticks;
}

/**
 * CPU of this process (the load generator) and of the database over a measured run. The database's
 * is counted per backend, from its ticks at the start (0 for a backend that connected since): a
 * backend that exits during the run takes its seconds with it, which undercounts, never the reverse.
 */
export class CpuWindow {
  private client = process.cpuUsage();
  private database: Map<number, number> | undefined;

  constructor(private readonly databaseName: string) {
    this.database = databaseCpuTicks(databaseName);
  }

  /** Restarts the window (after a warm-up). */
  start(): void {
    this.client = process.cpuUsage();
    this.database = databaseCpuTicks(this.databaseName);
  }

  /** Milliseconds of CPU per operation since `start`, for `operations` operations. */
  perOperation(operations: number): { clientMs: number; databaseMs: number | undefined } {
    const used = process.cpuUsage(this.client);
    const now = databaseCpuTicks(this.databaseName);
    let ticks: number | undefined;
    if (now && this.database) {
      ticks = 0;
      for (const [pid, t] of now) ticks += t - (this.database.get(pid) ?? 0);
    }
    return {
      clientMs: (used.user + used.system) / 1000 / operations,
      databaseMs: ticks === undefined ? undefined : ((ticks / TICKS_PER_SECOND) * 1000) / operations,
    };
  }
}
