// runtime/logger — the SDK's only way to print. Every line and every argument passes the
// redactor first, so a key cannot reach a log through an error, a URL or a body.
// Imports: errors/redact (leaf).

import { redact, redactValue } from '../errors/redact.ts';

/**
 * How much the SDK logs (the `logLevel` option): a line prints when its level is this one or a
 * later one in `debug` < `info` < `warn` < `error`; `'off'` prints nothing. Default `'warn'`.
 * `debug` shows every request line, `info` every retry and reconnect.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'off';

/**
 * Where the SDK's log lines go (the `logger` option): anything console-shaped, e.g. `console`
 * (the default), a pino or winston logger. Every line and argument is redacted first.
 * @example
 * new AuiClient({ logger: pino(), logLevel: 'info' });
 */
export interface Logger {
  /** Every request line (`logLevel: 'debug'`). */
  debug(message: string, ...rest: unknown[]): void;
  /** Retries, reconnects and key refreshes. */
  info(message: string, ...rest: unknown[]): void;
  /** Something the app should look at: a failing turn counter, a lost socket. */
  warn(message: string, ...rest: unknown[]): void;
  /** A failure the SDK could not handle on its own. */
  error(message: string, ...rest: unknown[]): void;
}

// Most to least verbose: a line prints when its level is at or after the configured one.
// client/options validates `logLevel` against this list.
export const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'off'];

/** The SDK's internal log function: one level, one line, already filtered and redacted. */
export type Log = (level: Exclude<LogLevel, 'off'>, message: string, ...rest: unknown[]) => void;

/** A Log that prints to `logger` (default `console`) the lines at `level` or above, redacted. */
export function createLog(logger: Logger | undefined, level: LogLevel = 'warn'): Log {
  const sink = logger ?? console; // every runtime we support has one
  const threshold = LEVELS.indexOf(level);
  return (lineLevel, message, ...rest) => {
    if (LEVELS.indexOf(lineLevel) < threshold) return;
    sink[lineLevel](
      `[aui-messaging] ${redact(message)}`,
      ...rest.map((item) =>
        redactValue(item instanceof Error ? { name: item.name, message: item.message } : item),
      ),
    );
  };
}
