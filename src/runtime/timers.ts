// runtime/timers — the two waits the SDK makes: an abortable sleep, and exponential backoff with
// full jitter (a random wait in [0, min(max, base·2^attempt)], so clients that failed together
// do not come back together). Used by HTTP retries, reconnects and recovery polling.
// A leaf: imports only ./globals.

import { runtimeGlobals } from './globals.ts';

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      // The signal's own reason, as fetch rejects with it (a DOMException, or what the caller gave).
      if (signal?.aborted) reject(signal.reason as Error);
      else resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done);
    if (signal?.aborted) done();
  });
}

/** A random wait in [0, min(max, base·2^attempt)] ms, rounded: attempt 0 waits up to `base`. */
export const jitter = (attempt: number, base: number, max: number): number =>
  Math.round(Math.random() * Math.min(max, base * 2 ** attempt));

/**
 * Whether the runtime's `setImmediate` can be called: unknown until the first call. Next.js's
 * Edge sandbox defines `setImmediate` as a stub that throws "A Node.js API is used" when called,
 * so `typeof` alone cannot tell.
 */
let setImmediateWorks: boolean | undefined;

/**
 * Runs `fn` in a later task than the current one, after the I/O already waiting is handled:
 * `setImmediate` where the runtime has a working one (Node, Bun: no 1 ms timer clamp), else
 * `setTimeout(fn, 0)`.
 */
export function nextTask(fn: () => void): void {
  const { setImmediate } = runtimeGlobals;
  if (typeof setImmediate === 'function' && setImmediateWorks !== false) {
    try {
      setImmediate(fn);
      setImmediateWorks = true;
      return;
    } catch {
      setImmediateWorks = false;
    }
  }
  setTimeout(fn, 0);
}
