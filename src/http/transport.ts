/**
 * http/transport — every REST call goes through here: `fetch` with a timeout per attempt, the
 * retry policy of ./retry, the key asked from the KeyProvider on every attempt, one refresh on
 * 401 (not counted against maxRetries), one Idempotency-Key per logical POST, and every outcome
 * turned into the SDK's errors. A runtime's own fetch errors never leave this file.
 * Imports: errors, keys, schemas/check, runtime, ./retry, ./api-promise. Never session, stream
 * or client.
 */
import { APIConnectionError, APITimeoutError, APIUserAbortError, AuiError, type Delivered, ResponseValidationError } from '../errors/errors.ts';
import { errorFromStatus } from '../errors/map.ts';
import { headersToObject, redactValue } from '../errors/redact.ts';
import { type KeyProvider, resolveKey } from '../keys/providers.ts';
import { checkResponse } from '../schemas/check.ts';
import type { Log } from '../runtime/logger.ts';
import { isBrowser, userAgent } from '../runtime/platform.ts';
import { APIPromise, type WithResponse } from './api-promise.ts';
import { backoffMs, isRetryableStatus, retryAfterMs, sleep } from './retry.ts';

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
  fetch?: typeof globalThis.fetch;
  keys: KeyProvider;
  log: Log;
}

export interface CallSpec {
  method: 'GET' | 'POST';
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
  const headers: Record<string, string> = { accept: 'application/json', ...config.headers };
  if (!isBrowser()) headers['user-agent'] = userAgent();
  const shared = { ...config, headers };
  return <T>(spec: CallSpec, options: RequestOptions = {}) => new APIPromise<T>(call<T>(shared, spec, options));
}

/** What one attempt ended with: a reply (any status, body read) or the reason there was none. */
type Outcome = { response: Response; text: string } | { failure: 'timeout' | 'abort' | 'network'; error?: unknown };

async function call<T>(config: TransportConfig, spec: CallSpec, options: RequestOptions): Promise<WithResponse<T>> {
  const { signal } = options;
  const maxRetries = options.maxRetries ?? config.maxRetries;
  const timeout = options.timeout ?? config.timeout;
  const headers: Record<string, string> = { ...config.headers, ...options.headers };
  if (spec.method === 'POST') headers['idempotency-key'] ??= globalThis.crypto.randomUUID();
  if (spec.body !== undefined) headers['content-type'] = 'application/json';
  const body = spec.body === undefined ? null : JSON.stringify(spec.body);
  const url = urlOf(config.baseUrl, spec.path, spec.query);

  let refreshed = false;
  let forceRefresh = false;
  for (let attempt = 1, retries = 0; ; attempt++) {
    if (signal?.aborted) throw new APIUserAbortError();
    // Asked on every attempt and kept for this attempt only, so a rotated key takes effect at once
    // and an error body that echoes it can be redacted.
    const key = await resolveKey(config.keys, { forceRefresh, ...(signal ? { signal } : {}) });
    forceRefresh = false;
    config.log('debug', `${spec.method} ${spec.path} (attempt ${attempt})`);
    const outcome = await exchange(config, url, { method: spec.method, headers: { ...headers, 'x-network-api-key': key }, body }, timeout, signal);

    if ('response' in outcome && outcome.response.ok) return parse<T>(outcome.response, outcome.text, spec);
    if ('failure' in outcome && outcome.failure === 'abort') throw new APIUserAbortError();
    if ('response' in outcome && outcome.response.status === 401 && !refreshed) {
      refreshed = forceRefresh = true; // one refresh, at once, outside maxRetries
      continue;
    }

    const { error, retryable, notDelivered } = classify(outcome, spec, timeout, key);
    if (!retryable || retries >= maxRetries || (spec.unsafe && !notDelivered)) {
      // A 4xx means AUI looked at the request and refused it; a timeout or 5xx may have come after it acted.
      if (spec.unsafe) error.delivered = notDelivered || ('response' in outcome && outcome.response.status < 500 && outcome.response.status !== 408) ? false : 'unknown';
      throw error;
    }
    const wait = ('response' in outcome ? retryAfterMs(outcome.response) : undefined) ?? backoffMs(retries);
    retries++;
    config.log('info', `${spec.where}: retry ${retries} in ${Math.round(wait)} ms after ${error.message}`);
    await sleep(wait, signal).catch(() => {
      throw new APIUserAbortError();
    });
  }
}

/** One attempt: the request and the whole reply body under one timeout. */
async function exchange(config: TransportConfig, url: string, init: RequestInit, timeout: number, signal: AbortSignal | undefined): Promise<Outcome> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, Math.min(timeout, 2 ** 31 - 1));
  const onAbort = () => controller.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    // Called as a plain function: a browser's fetch passed unbound throws "Illegal invocation"
    // when called as a method of another object.
    const fetch = config.fetch ?? globalThis.fetch;
    const response = await fetch(url, { ...init, signal: controller.signal });
    return { response, text: await response.text() };
  } catch (error) {
    return timedOut ? { failure: 'timeout' } : signal?.aborted ? { failure: 'abort' } : { failure: 'network', error };
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}

function classify(outcome: Outcome, spec: CallSpec, timeout: number, key: string): { error: AuiError; retryable: boolean; notDelivered: boolean } {
  if ('response' in outcome) {
    const { response, text } = outcome;
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      // Not JSON (a proxy's HTML page, say): keep the text as the body.
    }
    const headers = headersToObject(response.headers);
    const { status } = response;
    return {
      error: errorFromStatus({ status, body: redactValue(body, [key]), headers, requestId: headers['x-request-id'] }),
      retryable: isRetryableStatus(status),
      // The server asked us to come back later: it did not take the request.
      notDelivered: (status === 429 || status === 503) && response.headers.has('retry-after'),
    };
  }
  if (outcome.failure === 'timeout') {
    return { error: new APITimeoutError(`${spec.where}: no reply within ${timeout} ms.`), retryable: !spec.unsafe, notDelivered: false };
  }
  return {
    error: new APIConnectionError(`${spec.where}: connection error: ${describe(outcome.error)}.`),
    retryable: true,
    notDelivered: refusedOrUnresolved(outcome.error),
  };
}

async function parse<T>(response: Response, text: string, spec: CallSpec): Promise<WithResponse<T>> {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    const type = response.headers.get('content-type') ?? 'no content type';
    throw new ResponseValidationError(`${spec.where}: expected a JSON reply, got ${type} (status ${response.status}).`, []);
  }
  const data = checkResponse<T>(spec.schema, body, spec.where);
  const requestId = response.headers.get('x-request-id');
  return requestId ? { data, response, requestId } : { data, response };
}

/**
 * A refused connection or a DNS failure, as Node/undici, Bun and Deno report them: the request
 * never reached the server. Browsers do not say why a fetch failed, so there it stays 'unknown'.
 */
const refusedOrUnresolved = (error: unknown): boolean => /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|Connection ?refused|dns error|failed to lookup/i.test(describe(error));

/** The error's message, its code and its cause's: where each runtime puts the reason. */
function describe(error: unknown): string {
  const { message, code, cause } = (error ?? {}) as { message?: unknown; code?: unknown; cause?: { message?: unknown; code?: unknown } };
  return [message ?? String(error), code, cause?.code, cause?.message].filter((part) => typeof part === 'string' && part).join(' ');
}

function urlOf(base: string, path: string, query: CallSpec['query'] = {}): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined) search.set(name, String(value));
  return `${base}/${path}?${search}`.replace(/\?$/, '');
}
