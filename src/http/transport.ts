/**
 * http/transport — every REST call goes through here: `fetch` with a timeout per attempt, the
 * retry policy of ./retry, the key asked from the KeyProvider on every attempt, one refresh on
 * 401 (not counted against maxRetries), one Idempotency-Key per logical POST, and every outcome
 * turned into the SDK's errors. A runtime's own fetch errors never leave this file.
 * Imports: errors, keys, schemas/check, runtime, ./retry, ./api-promise. Never session, stream
 * or client.
 */
import {
  APIConnectionError,
  APITimeoutError,
  APIUserAbortError,
  AuiError,
  type Delivered,
  ResponseValidationError,
} from '../errors/errors.ts';
import { errorFromStatus } from '../errors/map.ts';
import { headersToObject, redactValue } from '../errors/redact.ts';
import { type KeyProvider, resolveKey } from '../keys/providers.ts';
import { checkResponse } from '../schemas/check.ts';
import type { Log } from '../runtime/logger.ts';
import { isBrowser, userAgent } from '../runtime/platform.ts';
import { APIPromise, type WithResponse } from './api-promise.ts';
import { sleep } from '../runtime/timers.ts';
import { isRetryableStatus, retryDelay } from './retry.ts';

/** Per-call options, the last argument of every REST method. */
export interface RequestOptions {
  signal?: AbortSignal;
  /** ms per attempt; default the client's `timeout` (60 s). */
  timeout?: number;
  /** Retries after the first attempt; default the client's `maxRetries` (2). */
  maxRetries?: number;
  /** Extra headers for this call. */
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
   * (refused, DNS, or 429/503 with Retry-After); otherwise fails with `delivered: 'unknown'`.
   */
  unsafe?: boolean;
}

export type Transport = <T>(spec: CallSpec, options?: RequestOptions) => APIPromise<T>;

export function createTransport(config: TransportConfig): Transport {
  // Browsers get no header of ours beyond what the API needs (DESIGN): no user-agent there.
  const headers: Record<string, string> = { ...config.headers };
  if (!isBrowser()) headers['user-agent'] = userAgent();
  const shared = { ...config, headers };
  return <T>(spec: CallSpec, options: RequestOptions = {}) =>
    new APIPromise<T>(call<T>(shared, spec, options));
}

async function call<T>(
  config: TransportConfig,
  spec: CallSpec,
  options: RequestOptions,
): Promise<WithResponse<T>> {
  const { signal, maxRetries = config.maxRetries, timeout = config.timeout } = options;
  const headers: Record<string, string> = { ...config.headers, ...options.headers };
  // A body makes it a POST (every POST of this API has one), else a GET.
  const body = spec.body === undefined ? null : JSON.stringify(spec.body);
  const method = body === null ? 'GET' : 'POST';
  if (body !== null) {
    // One Idempotency-Key per logical POST, the same on every attempt.
    headers['content-type'] = 'application/json';
    headers['idempotency-key'] ??= globalThis.crypto.randomUUID();
  }
  const url = urlOf(config.baseUrl, spec.path, spec.query);
  // undefined: no 401 yet; true: refresh the key on the next attempt; false: refreshed once already.
  let refresh: boolean | undefined;

  for (let retries = 0; ;) {
    // A signal that is already aborted fires no 'abort' event for the link below.
    if (signal?.aborted) throw new APIUserAbortError();

    // One attempt — the key, the request and the whole reply body — under one timeout.
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => ((timedOut = true), controller.abort()), Math.min(timeout, 2 ** 31 - 1));
    const abort = () => controller.abort();
    signal?.addEventListener('abort', abort);
    let key = '';
    let response: Response | undefined;
    let text = '';
    let error: AuiError;
    let retryable = true;
    let notDelivered = false; // provably never reached AUI: safe to send again
    let reason = '';
    try {
      // Asked on every attempt and kept for this attempt only, so a rotated key takes effect at
      // once and an error body that echoes it can be redacted. The provider sees this attempt's
      // signal: the caller's abort and the timeout both reach a key that is still loading.
      key = await resolveKey(config.keys, { forceRefresh: refresh === true, signal: controller.signal });
      if (refresh) refresh = false;
      config.log('debug', `${method} ${spec.path}`);
      // Called as a plain function: a browser's fetch called as a method of another object
      // throws "Illegal invocation".
      const fetch = config.fetch ?? globalThis.fetch;
      const reply = await fetch(url, {
        method,
        headers: { ...headers, 'x-network-api-key': key },
        body,
        signal: controller.signal,
      });
      text = await reply.text();
      response = reply; // only once the whole body is in: a reply cut off mid-body is a connection error
    } catch (cause) {
      if (signal?.aborted) throw new APIUserAbortError();
      if (cause instanceof AuiError) throw cause; // the key provider's verdict (no key, say): final
      retryable = !timedOut || !spec.unsafe;
      reason = describe(cause);
      notDelivered = !timedOut && REFUSED_OR_UNRESOLVED.test(reason);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', abort);
    }

    const status = response?.status;
    if (response) {
      if (response.ok) return parse<T>(response, text, spec);
      if (status === 401 && refresh === undefined) {
        refresh = true; // one refresh, at once, outside maxRetries
        continue;
      }
      error = errorFromReply(response, text, key);
      retryable = isRetryableStatus(status!);
      // The server asked us to come back later: it did not take the request.
      notDelivered = (status === 429 || status === 503) && response.headers.has('retry-after');
    } else {
      error = timedOut
        ? new APITimeoutError(`${spec.where}: timed out after ${timeout} ms.`)
        : new APIConnectionError(`${spec.where}: connection error: ${reason}.`);
    }
    if (!retryable || retries >= maxRetries || (spec.unsafe && !notDelivered)) {
      // A 4xx means AUI looked at the request and refused it; a timeout or 5xx may have come after it acted.
      if (spec.unsafe)
        error.delivered = notDelivered || (status! < 500 && status !== 408) ? false : 'unknown';
      throw error;
    }
    const wait = retryDelay(response, retries);
    config.log('info', `${spec.where}: retry ${++retries} in ${wait} ms after ${error.message}`);
    await sleep(wait, signal).catch(() => {
      throw new APIUserAbortError();
    });
  }
}

function errorFromReply(response: Response, text: string, key: string): AuiError {
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    // Not JSON (a proxy's HTML page, say): keep the text as the body.
  }
  const headers = headersToObject(response.headers);
  return errorFromStatus({
    status: response.status,
    body: redactValue(body, [key]),
    headers,
    requestId: headers['x-request-id'],
  });
}

function parse<T>(response: Response, text: string, spec: CallSpec): WithResponse<T> {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ResponseValidationError(
      `${spec.where}: expected a JSON reply, got ${response.headers.get('content-type') ?? 'no content type'} (status ${response.status}).`,
      [],
    );
  }
  const data = checkResponse<T>(spec.schema, body, spec.where);
  const requestId = response.headers.get('x-request-id');
  return requestId ? { data, response, requestId } : { data, response };
}

/**
 * A refused connection or a DNS failure, as Node/undici (ECONNREFUSED, ENOTFOUND, EAI_AGAIN),
 * Bun (ConnectionRefused) and Deno ("Connection refused", "dns error", "failed to lookup")
 * report them: the request never reached the server. Browsers do not say why a fetch failed,
 * so there it stays 'unknown'.
 */
const REFUSED_OR_UNRESOLVED = /refused|ENOTFOUND|EAI_AGAIN|dns|lookup/i;

/** The error's message, its code and its cause's: where each runtime puts the reason. */
function describe(error: unknown): string {
  const { message, code, cause } = (error ?? {}) as {
    message?: unknown;
    code?: unknown;
    cause?: { message?: unknown; code?: unknown };
  };
  return [message ?? String(error), code, cause?.code, cause?.message]
    .filter((part) => typeof part === 'string' && part)
    .join(' ');
}

function urlOf(base: string, path: string, query: CallSpec['query'] = {}): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined) search.set(name, String(value));
  return `${base}/${path}?${search}`.replace(/\?$/, '');
}
