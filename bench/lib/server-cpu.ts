import { readdirSync, readFileSync } from 'node:fs';

/** Linux's USER_HZ, the unit of /proc/<pid>/stat's times, on every architecture Node runs on. */
const TICKS_PER_SECOND = 100;

/**
 * CPU seconds used so far by the PostgreSQL backends connected to `database` on this machine (from
 * /proc; a backend's title names its database), or undefined where there is no /proc. The benchmarks
 * run the database beside the gateway on the same cores, so what a request costs the database is part
 * of what bounds its rate. Not counted: the server's shared workers (WAL writer, checkpointer), which
 * also serve other databases; and a backend that exits between two readings takes its seconds with
 * it, so readings are taken while the pools hold their connections.
 */
export function databaseCpuSeconds(database: string): number | undefined {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  } catch {
    return undefined;
  }
  let ticks = 0;
  for (const pid of pids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    const close = stat.lastIndexOf(')');
    if (stat.slice(stat.indexOf('(') + 1, close) !== 'postgres') continue;
    let title: string;
    try {
      title = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    // "postgres: 15/main: <user> <database> <host>(<port>) <state>"
    if (!title.split(' ').includes(database)) continue;
    // After "pid (comm) ": state, ppid, …; utime and stime are the 14th and 15th fields of the line.
    const fields = stat.slice(close + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks / TICKS_PER_SECOND;
}

/** CPU of this process (the load generator) and of the database over a measured run. */
export class CpuWindow {
  private client = process.cpuUsage();
  private database: number | undefined;

  constructor(private readonly databaseName: string) {
    this.database = databaseCpuSeconds(databaseName);
  }

  /** Restarts the window (after a warm-up). */
  start(): void {
    this.client = process.cpuUsage();
    this.database = databaseCpuSeconds(this.databaseName);
  }

  /** Milliseconds of CPU per operation since `start`, for `operations` operations. */
  perOperation(operations: number): { clientMs: number; databaseMs: number | undefined } {
    const used = process.cpuUsage(this.client);
    const database = databaseCpuSeconds(this.databaseName);
    return {
      clientMs: (used.user + used.system) / 1000 / operations,
      databaseMs: database !== undefined && this.database !== undefined ? ((database - this.database) * 1000) / operations : undefined,
    };
  }
}
