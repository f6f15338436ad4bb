// http/attempt — one attempt of a REST call, in two steps under one deadline: get the key from
// the KeyProvider, then one exchange (fetch and read the whole body). The key step throws its
// failures, which are final (nothing was sent); the exchange never throws: it returns what
// happened — a reply, a timeout, an abort, or a network failure with its reason — and
// ./classify decides what that means.
// Imports: errors, keys, runtime, shared. Never session, stream or client.

import { APITimeoutError, AuiError } from '../errors/errors.ts';
import { errorFromAbort } from '../errors/map.ts';
import { type KeyProvider, resolveKey } from '../keys/providers.ts';
import { keySourceOf } from '../keys/source.ts';
import { followAbort } from '../shared/abort.ts';

/** What every attempt of one call sends, normalised once by the transport. */
export interface PreparedCall {
  /** The public method name, for messages: `tasks.create`. */
  where: string;
  /** Not idempotent on the server (`messages.send`): see CallSpec.unsafe. */
  unsafe: boolean;
  method: 'GET' | 'POST';
  url: string;
  /** `/api/v1/external/…`: the path under the REST base, without the query, for messages. */
  path: string;
  body: string | null;
  headers: Record<string, string>;
  timeout: number;
  maxRetries: number;
  /** The caller's signal. */
  signal: AbortSignal | undefined;
}

/** One attempt's deadline: `signal` aborts when the caller aborts or when `timeout` ms have passed. */
export interface Deadline {
  readonly signal: AbortSignal;
  /** True once the timeout (not the caller) aborted `signal`. */
  readonly timedOut: boolean;
  /** Stops the timer and stops following the caller's signal. */
  end(): void;
}

// setTimeout fires at once for delays beyond a signed 32-bit int.
const LONGEST_TIMER = 2 ** 31 - 1;

export function startDeadline(timeout: number, caller: AbortSignal | undefined): Deadline {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(
    () => {
      timedOut = true;
      controller.abort();
    },
    Math.min(timeout, LONGEST_TIMER),
  );
  const stopFollowing = followAbort(caller, () => controller.abort());
  return {
    signal: controller.signal,
    get timedOut() {
      return timedOut;
    },
    end() {
      clearTimeout(timer);
      stopFollowing();
    },
  };
}

/** A failure that happened before anything was sent: `messages.send` knows it was not delivered. */
export function notSent<E extends AuiError>(error: E, call: PreparedCall): E {
  if (call.unsafe) error.delivered = false;
  return error;
}

/**
 * Step 1: this attempt's key, asked under the attempt's deadline (a provider that ignores the
 * signal is not waited for). Every failure is final and `delivered: false`: the caller's abort,
 * the deadline, a provider's own AuiError (no key, say), or anything else it threw.
 */
export async function keyForAttempt(
  keys: KeyProvider,
  forceRefresh: boolean,
  deadline: Deadline,
  call: PreparedCall,
): Promise<string> {
  try {
    return await untilAborted(resolveKey(keys, { forceRefresh, signal: deadline.signal }), deadline.signal);
  } catch (cause) {
    throw notSent(keyFailure(cause, keys, deadline, call), call);
  }
}

function keyFailure(cause: unknown, keys: KeyProvider, deadline: Deadline, call: PreparedCall): AuiError {
  if (call.signal?.aborted) return errorFromAbort(call.signal.reason, call.where);
  const source = keySourceOf(keys);
  if (deadline.timedOut) {
    return new APITimeoutError(`${call.where}: no API key from ${source} within ${call.timeout} ms.`);
  }
  if (cause instanceof AuiError) return cause;
  return new AuiError(`${call.where}: ${source} failed to give a key: ${reasonOf(cause)}.`);
}

/** `work`, or a rejection as soon as `signal` aborts (the value does not matter: callers read the state). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const stopFollowing = followAbort(signal, () => reject(new Error('aborted')));
    work.then(resolve, reject).finally(stopFollowing);
  });
}

/** What one exchange came to. `status` is the reply's, when its headers had arrived before the failure. */
export type Outcome =
  | { kind: 'reply'; response: Response; text: string }
  | { kind: 'timeout'; status: number | undefined }
  | { kind: 'aborted'; reason: unknown; status: number | undefined }
  | { kind: 'network'; reason: string; status: number | undefined };

/**
 * Step 2: one request and its whole body. Only `fetch` and the body read run here, so a failure
 * is the network's (or the deadline's, or the caller's abort) — never the SDK's own code.
 */
export async function exchange(
  fetch: typeof globalThis.fetch,
  call: PreparedCall,
  key: string,
  deadline: Deadline,
): Promise<Outcome> {
  let response: Response | undefined;
  try {
    response = await fetch(call.url, {
      method: call.method,
      headers: { ...call.headers, 'x-network-api-key': key },
      body: call.body,
      signal: deadline.signal,
    });
    // Only a reply whose whole body came is a reply: one cut off mid-body is a network failure.
    return { kind: 'reply', response, text: await response.text() };
  } catch (cause) {
    const status = response?.status;
    if (call.signal?.aborted) return { kind: 'aborted', reason: call.signal.reason, status };
    if (deadline.timedOut) return { kind: 'timeout', status };
    return { kind: 'network', reason: reasonOf(cause), status };
  }
}

/**
 * Why something failed, from where each runtime puts it: the message, its code, its cause's —
 * each said once (undici's `fetch failed` has the code in its cause's message too):
 * `fetch failed: connect ECONNREFUSED 127.0.0.1:59999`.
 */
function reasonOf(error: unknown): string {
  const { message, code, cause } = (error ?? {}) as {
    message?: unknown;
    code?: unknown;
    cause?: { message?: unknown; code?: unknown };
  };
  const parts = [message ?? String(error), code, cause?.code, cause?.message].filter(
    (part): part is string => typeof part === 'string' && part !== '',
  );
  const saidElsewhere = (part: string, index: number) =>
    parts.some((other, otherIndex) => otherIndex !== index && other.includes(part) && other !== part);
  const distinct = [...new Set(parts)].filter((part) => !saidElsewhere(part, parts.indexOf(part)));
  return distinct.join(': ') || 'no reason given';
}
