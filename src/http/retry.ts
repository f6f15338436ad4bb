// http/retry — the HTTP retry policy in one screen: which failures a later attempt can fix, how
// long to wait (exponential backoff with full jitter, or the server's Retry-After, capped), and
// how a Retry-After header is read. Pure policy: no fetch, no keys, no errors of its own.
// Imports: runtime/timers.

import { jitter } from '../runtime/timers.ts';

const FIRST_DELAY = 500;
const MAX_DELAY = 8_000;
const MAX_RETRY_AFTER = 60_000;

/** 408, 409, 429 and every 5xx: the statuses a later attempt can fix. */
export const isRetryableStatus = (status: number): boolean =>
  status === 408 || status === 409 || status === 429 || status >= 500;

// delay-seconds (RFC 9110 §10.2.3): digits; a fraction is accepted too (servers send "0.5").
const SECONDS = /^\d+(?:\.\d+)?$/;
// The three HTTP-date forms (RFC 9110 §5.6.7), which a recipient must all accept:
// IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT", RFC 850 "Sunday, 06-Nov-94 08:49:37 GMT",
// and asctime "Sun Nov  6 08:49:37 1994" (always GMT, though it does not say so).
const IMF_OR_RFC850_DATE = /^[a-z]{3,9}, \d{2}[ -][a-z]{3}[ -]\d{2,4} \d{2}:\d{2}:\d{2} GMT$/i;
const ASCTIME_DATE = /^[a-z]{3} [a-z]{3} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}$/i;

/**
 * Retry-After → ms from now (0 for a date in the past). `undefined` when absent or not a
 * number of seconds or an HTTP date: garbage such as `"2, 5"` is no hint, not a date in 2001.
 */
export function parseRetryAfter(value: string | null | undefined): number | undefined {
  const text = value?.trim() ?? '';
  let ms: number;
  if (SECONDS.test(text)) ms = Number(text) * 1000;
  else if (IMF_OR_RFC850_DATE.test(text)) ms = Date.parse(text) - Date.now();
  else if (ASCTIME_DATE.test(text)) ms = Date.parse(`${text} GMT`) - Date.now();
  else return undefined;
  return Number.isFinite(ms) ? Math.max(0, Math.round(ms)) : undefined;
}

/** A wait before a retry, and where its length came from (for the retry's log line). */
export interface RetryWait {
  ms: number;
  from: 'Retry-After' | 'backoff';
}

/**
 * How long to wait before retry number `retry` + 1: the server's Retry-After capped at 60 s
 * when it sent a readable one, else full jitter from 500 ms doubling to 8 s.
 */
export function retryWait(retryAfterMs: number | undefined, retry: number): RetryWait {
  if (retryAfterMs !== undefined) return { ms: Math.min(retryAfterMs, MAX_RETRY_AFTER), from: 'Retry-After' };
  return { ms: jitter(retry, FIRST_DELAY, MAX_DELAY), from: 'backoff' };
}
