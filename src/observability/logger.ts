import os from 'node:os';
import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger };

export interface LoggerOptions {
  /** pino's level: trace, debug, info (default), warn, error, fatal or silent. */
  level?: string;
  /** Where the JSON lines go (default: stdout). Tests pass a collector. */
  destination?: DestinationStream;
}

/**
 * Factlog's logger: one JSON object per line on stdout, as log collectors expect from a container.
 * Levels are written as names ("info"), not pino's numbers, so a human grepping the output reads them.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: 'factlog', pid: process.pid, hostname: os.hostname() },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      // Belt and braces: no code path should ever hand a key to the logger, but if one does, it is masked.
      redact: { paths: ['authorization', 'req.headers.authorization', 'headers.authorization', 'key'], censor: '[redacted]' },
    },
    // Synchronous writes: a line logged just before the process exits (shutdown, a fatal error) is not lost.
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

/** A logger that writes nothing: the default for servers started by tests and libraries. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
