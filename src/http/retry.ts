/**
 * http/retry — the HTTP retry policy in one screen: which failures a later attempt can fix, how
 * long to wait (exponential backoff with full jitter, or the server's Retry-After, capped), and
 * an abortable wait. Pure policy: no fetch, no keys, no errors of its own.
 * Imports: errors (parseRetryAfter).
 */
import { parseRetryAfter } from '../errors/errors.ts';

const FIRST_DELAY = 500;
const MAX_DELAY = 8_000;
const MAX_RETRY_AFTER = 60_000;

/** 408, 409, 429 and every 5xx: the statuses a later attempt can fix. */
export const isRetryableStatus = (status: number): boolean => status === 408 || status === 409 || status === 429 || status >= 500;

/** The server's Retry-After in ms (seconds or an HTTP date), capped at 60 s; undefined without one. */
export function retryAfterMs(response: Response | undefined): number | undefined {
  const ms = parseRetryAfter(response?.headers.get('retry-after'));
  return ms === undefined ? ms : Math.min(ms, MAX_RETRY_AFTER);
}

/** Full jitter: a random wait between 0 and the exponential step, so clients that failed together do not return together. */
export const backoffMs = (retry: number): number => Math.random() * Math.min(MAX_DELAY, FIRST_DELAY * 2 ** retry);

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
