// server/limits — the proxy's limits and their defaults: body bytes, text length, and turns per
// user per minute through a pluggable `TurnCounter` (in memory by default, ./windows). A shared
// counter is a network call, so it gets a deadline, and what happens when it fails or is slow
// is the operator's choice (`counterFailure`): the proxy itself never goes down with its store.
// Imports: errors/, runtime/logger, ./errors, ./windows, ./types (type). Never keys, mock or browser.

import { InvalidRequestError } from '../errors/errors.ts';
import { createLog } from '../runtime/logger.ts';
import { Refusal } from './errors.ts';
import type { AuiHandlerLimits, TurnCount, TurnCounter, TurnRule, TurnWindow } from './types.ts';
import { memoryCounter } from './windows.ts';

const TURN_WINDOW_MS = 60_000;
const DEFAULT_COUNTER_TIMEOUT_MS = 1_000;
const FAILURE_LOG_INTERVAL_MS = 60_000;

export interface ResolvedLimits {
  maxBodyBytes: number;
  maxTextLength: number;
  turnsPerMinute: number | undefined;
  window: TurnWindow;
  counter: TurnCounter;
  counterFailure: 'open' | 'closed';
  counterTimeoutMs: number;
  /** Logs a counter failure, at most once a minute per handler. */
  reportCounterFailure: (error: unknown) => void;
}

/** The limits with their defaults; throws `InvalidRequestError` (at handler creation) for a bad option. */
export function resolveLimits(limits: AuiHandlerLimits = {}): ResolvedLimits {
  const { turnsPerMinute, window = 'fixed', counterFailure = 'open' } = limits;
  const counterTimeoutMs = limits.counterTimeoutMs ?? DEFAULT_COUNTER_TIMEOUT_MS;
  if (turnsPerMinute !== undefined && !(Number.isInteger(turnsPerMinute) && turnsPerMinute >= 0))
    throw invalid('`limits.turnsPerMinute` must be a whole number, 0 or more.', 'turnsPerMinute');
  if (window !== 'fixed' && window !== 'sliding')
    throw invalid("`limits.window` must be 'fixed' or 'sliding'.", 'window');
  if (counterFailure !== 'open' && counterFailure !== 'closed')
    throw invalid("`limits.counterFailure` must be 'open' or 'closed'.", 'counterFailure');
  if (!(Number.isFinite(counterTimeoutMs) && counterTimeoutMs > 0))
    throw invalid('`limits.counterTimeoutMs` must be a number of milliseconds above 0.', 'counterTimeoutMs');
  if (limits.counter !== undefined && typeof limits.counter.hit !== 'function')
    throw invalid('`limits.counter` must have a `hit(key, windowMs, rule)` method.', 'counter');
  return {
    maxBodyBytes: limits.maxBodyBytes ?? 64 * 1024,
    maxTextLength: limits.maxTextLength ?? 16_000,
    turnsPerMinute,
    window,
    counter: limits.counter ?? memoryCounter(),
    counterFailure,
    counterTimeoutMs,
    reportCounterFailure: failureReporter(counterFailure),
  };
}

const invalid = (message: string, field: string) =>
  new InvalidRequestError(`createAuiHandler: ${message}`, ['limits', field]);

/**
 * 429 with `retry-after` once the user's turns in the window pass the limit; 503 when the
 * counter failed and `counterFailure` is `'closed'`.
 */
export async function checkTurnRate(limits: ResolvedLimits, userId: string): Promise<void> {
  if (limits.turnsPerMinute === undefined) return;
  const rule: TurnRule = { limit: limits.turnsPerMinute, window: limits.window };
  const counted = await countOrFail(limits, `aui-turns:${userId}`, rule);
  if (counted === 'let through' || counted.count <= rule.limit) return;
  // A counter that cannot tell its window's edge gets the honest upper bound: a full window.
  const retryAfterMs = Math.max(0, Math.ceil(counted.retryAfterMs ?? TURN_WINDOW_MS));
  throw new Refusal(
    429,
    `More than ${rule.limit} messages a minute; try again later.`,
    { retry_after_ms: retryAfterMs },
    { 'retry-after': String(Math.max(1, Math.ceil(retryAfterMs / 1000))) },
  );
}

/** The counter's answer, or what `counterFailure` says to do when it has none in time. */
async function countOrFail(
  limits: ResolvedLimits,
  key: string,
  rule: TurnRule,
): Promise<TurnCount | 'let through'> {
  try {
    const answer = await withDeadline(limits.counter.hit(key, TURN_WINDOW_MS, rule), limits.counterTimeoutMs);
    return readAnswer(answer);
  } catch (error) {
    limits.reportCounterFailure(error);
    if (limits.counterFailure === 'open') return 'let through';
    throw new Refusal(503, 'The message limit could not be checked; try again shortly.', {
      type: 'InternalServerError',
    });
  }
}

/** A counter's answer as a `TurnCount`; the first shape of `TurnCounter` returned a bare count. */
function readAnswer(answer: unknown): TurnCount {
  if (typeof answer === 'number' && !Number.isNaN(answer)) return { count: answer };
  const { count, retryAfterMs } = (answer ?? {}) as Partial<TurnCount>;
  if (typeof count !== 'number' || Number.isNaN(count))
    throw new TypeError('the counter returned neither a count nor { count, retryAfterMs }.');
  if (typeof retryAfterMs === 'number' && Number.isFinite(retryAfterMs)) return { count, retryAfterMs };
  return { count };
}

const isThenable = <T>(value: T | PromiseLike<T>): value is PromiseLike<T> =>
  typeof (value as { then?: unknown } | null)?.then === 'function';

class CounterTimeoutError extends Error {
  override name = 'CounterTimeoutError';
}

/**
 * Waits for a counter that answers asynchronously, but no longer than `ms` — a deadline for the
 * store, not for this process: a busy event loop (a burst of requests) can run the deadline's
 * timer before it reads a reply that arrived in time, so the timer gives pending I/O one more
 * turn of the loop before it gives up.
 */
async function withDeadline<T>(answer: T | PromiseLike<T>, ms: number): Promise<T> {
  if (!isThenable(answer)) return answer;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    const giveUp = () => reject(new CounterTimeoutError(`no answer within ${ms} ms`));
    timer = setTimeout(() => {
      timer = setTimeout(giveUp, 0);
    }, ms);
  });
  try {
    return await Promise.race([answer, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

// A store that is down fails every turn: one line a minute tells the operator without flooding.
const log = createLog(undefined, 'warn');

function failureReporter(policy: 'open' | 'closed'): (error: unknown) => void {
  const consequence =
    policy === 'open'
      ? "turns are let through unlimited (limits.counterFailure: 'open')"
      : "turns are refused with 503 (limits.counterFailure: 'closed')";
  let lastLoggedAt: number | undefined;
  return (error) => {
    const now = Date.now();
    if (lastLoggedAt !== undefined && now - lastLoggedAt < FAILURE_LOG_INTERVAL_MS) return;
    lastLoggedAt = now;
    log(
      'warn',
      `createAuiHandler: the turn counter failed (${failureText(error)}); ${consequence}. ` +
        'Logged at most once a minute while it lasts.',
    );
  };
}

function failureText(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
