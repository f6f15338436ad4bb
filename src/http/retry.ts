/**
 * http/retry — the HTTP retry policy in one screen: which failures a later attempt can fix, how
 * long to wait (exponential backoff with full jitter, or the server's Retry-After, capped).
 * Pure policy: no fetch, no keys, no errors of its own.
 * Imports: errors (parseRetryAfter), runtime/timers.
 */
import { parseRetryAfter } from '../errors/errors.ts';
import { jitter } from '../runtime/timers.ts';

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

/** Full jitter, from 500 ms doubling to 8 s. */
export const backoffMs = (retry: number): number => jitter(retry, FIRST_DELAY, MAX_DELAY);
