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
export const isRetryableStatus = (status: number): boolean =>
  status === 408 || status === 409 || status === 429 || status >= 500;

/**
 * How long to wait before retry number `retry` + 1: the server's Retry-After (seconds or an HTTP
 * date) capped at 60 s when it sent one, else full jitter from 500 ms doubling to 8 s.
 */
export function retryDelay(response: Response | undefined, retry: number): number {
  const asked = parseRetryAfter(response?.headers.get('retry-after'));
  return asked === undefined ? jitter(retry, FIRST_DELAY, MAX_DELAY) : Math.min(asked, MAX_RETRY_AFTER);
}
