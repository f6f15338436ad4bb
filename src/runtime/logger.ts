/**
 * runtime/logger — the SDK's only way to print. Every line and every argument passes the
 * redactor first, so a key cannot reach a log through an error, a URL or a body.
 * Imports: errors/redact (leaf).
 */
import { redact, redactValue } from '../errors/redact.ts';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'off';

/** Anything console-shaped. */
export interface Logger {
  debug(message: string, ...rest: unknown[]): void;
  info(message: string, ...rest: unknown[]): void;
  warn(message: string, ...rest: unknown[]): void;
  error(message: string, ...rest: unknown[]): void;
}

// Most to least verbose: a line prints when its level is at or after the configured one.
// client/options validates `logLevel` against this list.
export const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'off'];

export type Log = (level: Exclude<LogLevel, 'off'>, message: string, ...rest: unknown[]) => void;

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
