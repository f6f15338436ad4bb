// http/transport — every REST call goes through here, in named steps: prepare the call once
// (URL, headers, one Idempotency-Key per logical POST), then per attempt get the key and make
// one exchange (./attempt), and let ./classify decide: done, refresh the key once after a 401
// (outside maxRetries), wait and retry (./retry), or fail. A runtime's own fetch errors never
// leave the http folder.
// Imports: errors, keys, schemas/check, runtime, ./attempt, ./classify, ./retry, ./api-promise.
// Never session, stream or client.

import { AuiError, ResponseValidationError } from '../errors/errors.ts';
import { errorFromAbort } from '../errors/map.ts';
import { redact } from '../errors/redact.ts';
import type { KeyProvider } from '../keys/providers.ts';
import type { Log } from '../runtime/logger.ts';
import { isBrowser, userAgent } from '../runtime/platform.ts';
import { sleep } from '../runtime/timers.ts';
import { checkResponse } from '../schemas/check.ts';
import { APIPromise, type WithResponse } from './api-promise.ts';
import {
  exchange,
  keyForAttempt,
  notSent,
  type Outcome,
  type PreparedCall,
  startDeadline,
} from './attempt.ts';
import { classify } from './classify.ts';
import { retryWait } from './retry.ts';

/**
 * Per-call options, the last argument of every REST method.
 * @example
 * await aui.tasks.get(id, { timeout: 5_000, maxRetries: 0, signal: AbortSignal.timeout(10_000) });
 */
export interface RequestOptions {
  /**
   * Aborts the call: it rejects with `APIUserAbortError`, or `APITimeoutError` when the signal
   * timed out (`AbortSignal.timeout(ms)`). Also cuts a retry's wait short.
   */
  signal?: AbortSignal;
  /** ms per attempt, the whole reply body included; default the client's `timeout` (60 s). */
  timeout?: number;
  /** Retries after the first attempt; default the client's `maxRetries` (2). */
  maxRetries?: number;
  /** Extra headers for this call, on top of the client's `headers`. */
  headers?: Record<string, string>;
}

export interface TransportConfig {
  baseUrl: string;
  timeout: number;
  maxRetries: number;
  headers: Record<string, string>;
  fetch?: typeof globalThis.fetch | undefined;
  keys: KeyProvider;
  log: Log;
}

export interface CallSpec {
  /** Path under the REST base, already encoded, e.g. `api/v1/external/tasks`. */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  schema: Parameters<typeof checkResponse>[0];
  /** The public method name, for messages: `tasks.create`. */
  where: string;
  /**
   * Not idempotent on the server: retried only when the request provably never reached AUI
   * (refused, DNS, or 429/503 with Retry-After); every failure says `delivered`.
   */
  unsafe?: boolean;
}

export type Transport = <T>(spec: CallSpec, options?: RequestOptions) => APIPromise<T>;

export function createTransport(config: TransportConfig): Transport {
  // Browsers get no header of ours beyond what the API needs: no user-agent there.
  const headers: Record<string, string> = { ...config.headers };
  if (!isBrowser()) headers['user-agent'] = userAgent();
  const shared = { ...config, headers };
  return <T>(spec: CallSpec, options: RequestOptions = {}) =>
    new APIPromise<T>(call<T>(shared, prepare(shared, spec, options), spec));
}

/** The call's options normalised once: what every attempt sends. */
function prepare(config: TransportConfig, spec: CallSpec, options: RequestOptions): PreparedCall {
  const headers: Record<string, string> = { ...config.headers, ...options.headers };
  // A body makes it a POST (every POST of this API has one), else a GET.
  const body = spec.body === undefined ? null : JSON.stringify(spec.body);
  if (body !== null) {
    headers['content-type'] = 'application/json';
    // One Idempotency-Key per logical POST, the same on every attempt.
    headers['idempotency-key'] ??= globalThis.crypto.randomUUID();
  }
  return {
    where: spec.where,
    unsafe: spec.unsafe === true,
    method: body === null ? 'GET' : 'POST',
    url: urlOf(config.baseUrl, spec.path, spec.query),
    path: `/${spec.path}`,
    body,
    headers,
    timeout: options.timeout ?? config.timeout,
    maxRetries: options.maxRetries ?? config.maxRetries,
    signal: options.signal,
  };
}

async function call<T>(
  config: TransportConfig,
  prepared: PreparedCall,
  spec: CallSpec,
): Promise<WithResponse<T>> {
  // Called as a plain function: a browser's fetch called as a method of another object
  // throws "Illegal invocation".
  const fetch = config.fetch ?? globalThis.fetch;
  let retries = 0;
  let refreshKey = false; // ask the provider for a new key on the next attempt (after a 401)
  let keyRefreshed = false; // the one refresh a 401 earns has been used
  for (;;) {
    // A signal that is already aborted fires no 'abort' event for the deadline to follow.
    if (prepared.signal?.aborted)
      throw notSent(errorFromAbort(prepared.signal.reason, prepared.where), prepared);

    const outcome = await attempt(config, fetch, prepared, refreshKey);
    keyRefreshed ||= refreshKey;
    refreshKey = false;

    const verdict = classify(outcome, prepared, {
      mayRefreshKey: !keyRefreshed,
      retriesLeft: retries < prepared.maxRetries,
      keys: config.keys,
      baseUrl: config.baseUrl,
    });
    switch (verdict.next) {
      case 'done':
        return readReply<T>(verdict.response, verdict.text, prepared, spec);
      case 'refresh-key':
        refreshKey = true;
        break;
      case 'retry':
        retries++;
        await waitToRetry(config, prepared, retries, verdict.error, verdict.retryAfterMs);
        break;
      case 'fail':
        throw verdict.error;
    }
  }
}

/** One attempt: this attempt's key, then one exchange, both under one deadline. */
async function attempt(
  config: TransportConfig,
  fetch: typeof globalThis.fetch,
  call: PreparedCall,
  refreshKey: boolean,
): Promise<Outcome> {
  const deadline = startDeadline(call.timeout, call.signal);
  try {
    const key = await keyForAttempt(config.keys, refreshKey, deadline, call);
    config.log('debug', `${call.method} ${call.path}`);
    return await exchange(fetch, call, key, deadline);
  } finally {
    deadline.end();
  }
}

/** Waits before retry number `retry`, logging why; the caller's abort ends the wait and the call. */
async function waitToRetry(
  config: TransportConfig,
  call: PreparedCall,
  retry: number,
  after: AuiError,
  retryAfterMs: number | undefined,
): Promise<void> {
  const wait = retryWait(retryAfterMs, retry - 1);
  config.log('info', `${call.where}: retry ${retry} in ${wait.ms} ms (${wait.from}) after ${after.message}`);
  try {
    await sleep(wait.ms, call.signal);
  } catch {
    // Only a request AUI provably did not take is retried, so nothing was delivered.
    throw notSent(errorFromAbort(call.signal?.reason, call.where), call);
  }
}

/** A 2xx reply → its checked data. It was delivered, so a reply that cannot be read says so. */
function readReply<T>(response: Response, text: string, call: PreparedCall, spec: CallSpec): WithResponse<T> {
  try {
    const data = checkResponse<T>(spec.schema, parseJson(response, text, call), call.where);
    const requestId = response.headers.get('x-request-id');
    return requestId ? { data, response, requestId: redact(requestId) } : { data, response };
  } catch (error) {
    if (call.unsafe && error instanceof AuiError) error.delivered = true;
    throw error;
  }
}

function parseJson(response: Response, text: string, call: PreparedCall): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    const type = response.headers.get('content-type') ?? 'no content type';
    throw new ResponseValidationError(
      `${call.where}: expected a JSON reply, got ${type} (status ${response.status}).`,
      [],
    );
  }
}

function urlOf(base: string, path: string, query: CallSpec['query'] = {}): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined) search.set(name, String(value));
  return `${base}/${path}?${search}`.replace(/\?$/, '');
}
