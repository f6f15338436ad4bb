/**
 * http/transport — every REST call goes through here: one configured ky instance (timeout per
 * attempt, retries with exponential backoff and full jitter, Retry-After), the key asked from
 * the KeyProvider on every attempt, one refresh on 401, one Idempotency-Key per logical POST,
 * and ky's outcomes turned into the SDK's errors. ky's own errors never leave this file: they
 * carry the request and its headers.
 * Imports: ky, errors, keys, schemas/check, runtime. Never session, stream or client.
 */
import ky, { HTTPError, TimeoutError, type Options as KyOptions } from 'ky';
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

// 408, 409, 429 and every 5xx: the failures a later attempt can fix.
const RETRY_STATUSES = [408, 409, 429, ...Array.from({ length: 100 }, (_, i) => 500 + i)];
const FIRST_RETRY_DELAY = 500;
const MAX_RETRY_DELAY = 8_000;
const MAX_RETRY_AFTER = 60_000;

export type Transport = <T>(spec: CallSpec, options?: RequestOptions) => APIPromise<T>;

export function createTransport(config: TransportConfig): Transport {
  const defaultHeaders: Record<string, string> = { accept: 'application/json', ...config.headers };
  if (!isBrowser()) defaultHeaders['user-agent'] = userAgent();
  const userFetch = config.fetch;
  const client = ky.create({
    prefixUrl: config.baseUrl,
    headers: defaultHeaders,
    // ky calls `options.fetch(…)` as a method; a browser's fetch passed unbound would then throw
    // "Illegal invocation", so the user's fetch is always called as a plain function.
    ...(userFetch ? { fetch: (input: string | URL | Request, init?: RequestInit) => userFetch(input, init) } : {}),
  });

  return <T>(spec: CallSpec, options: RequestOptions = {}) => new APIPromise<T>(call<T>(client, config, spec, options));
}

async function call<T>(client: typeof ky, config: TransportConfig, spec: CallSpec, options: RequestOptions): Promise<WithResponse<T>> {
  const maxRetries = options.maxRetries ?? config.maxRetries;
  const timeout = options.timeout ?? config.timeout;
  const signal = options.signal;
  // What the hooks share for this one logical call.
  const state = { refreshed: false, forceRefresh: false, skipBackoff: false, attempts: 0, key: '' };
  const headers: Record<string, string> = { ...options.headers };
  if (spec.method === 'POST') headers['idempotency-key'] ??= globalThis.crypto.randomUUID();

  const kyOptions: KyOptions = {
    method: spec.method,
    timeout,
    headers,
    ...(signal ? { signal } : {}),
    ...(spec.query ? { searchParams: definedOnly(spec.query) } : {}),
    ...(spec.body !== undefined ? { json: spec.body } : {}),
    retry: {
      // One extra slot for the 401 refresh, which does not count against maxRetries.
      limit: maxRetries + 1,
      methods: ['get', 'post'],
      statusCodes: RETRY_STATUSES,
      afterStatusCodes: RETRY_STATUSES,
      maxRetryAfter: MAX_RETRY_AFTER,
      backoffLimit: MAX_RETRY_DELAY,
      jitter: true,
      retryOnTimeout: !spec.unsafe,
      delay: (attempt) => (state.skipBackoff ? 0 : FIRST_RETRY_DELAY * 2 ** (attempt - 1 - (state.refreshed ? 1 : 0))),
      shouldRetry: ({ error, retryCount }) => {
        if (signal?.aborted || isAbort(error) || error instanceof AuiError) return false;
        if (error instanceof HTTPError && error.response.status === 401) {
          if (state.refreshed) return false;
          state.refreshed = state.forceRefresh = state.skipBackoff = true;
          return true;
        }
        if (retryCount - (state.refreshed ? 1 : 0) > maxRetries) return false;
        if (spec.unsafe && !provablyNotDelivered(error)) return false;
        return undefined; // ky decides: status list, Retry-After, connection errors, timeouts
      },
    },
    hooks: {
      beforeRequest: [
        async (request) => {
          state.attempts++;
          const key = await resolveKey(config.keys, { forceRefresh: state.forceRefresh, ...(signal ? { signal } : {}) });
          state.forceRefresh = state.skipBackoff = false;
          state.key = key; // kept for this call only, so an error body that echoes it can be redacted
          request.headers.set('x-network-api-key', key);
          config.log('debug', `${spec.method} ${spec.path} (attempt ${state.attempts})`);
        },
      ],
      beforeRetry: [
        ({ error, retryCount }) => {
          config.log('info', `${spec.where}: retry ${retryCount} after ${describe(error)}`);
        },
      ],
    },
  };

  let response: Response;
  try {
    response = await client(spec.path, kyOptions);
  } catch (error) {
    throw await toAuiError(error, spec, timeout, signal, state.key);
  }

  const requestId = response.headers.get('x-request-id') ?? undefined;
  const text = await response.text().catch(() => {
    throw new APIConnectionError(`${spec.where}: the connection closed while reading the reply.`);
  });
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    const type = response.headers.get('content-type') ?? 'no content type';
    throw new ResponseValidationError(`${spec.where}: expected a JSON reply, got ${type} (status ${response.status}).`, []);
  }
  const data = checkResponse<T>(spec.schema, body, spec.where);
  return requestId ? { data, response, requestId } : { data, response };
}

async function toAuiError(error: unknown, spec: CallSpec, timeout: number, signal: AbortSignal | undefined, key: string): Promise<AuiError> {
  if (error instanceof AuiError) return error;
  if (signal?.aborted || isAbort(error)) return new APIUserAbortError();
  let result: AuiError;
  let delivered: Delivered = 'unknown';
  if (error instanceof HTTPError) {
    const { response } = error;
    const text = await response.text().catch(() => '');
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      // Not JSON (a proxy's HTML page, say): keep the text as the body.
    }
    const headers = headersToObject(response.headers);
    body = redactValue(body, [key]);
    result = errorFromStatus({ status: response.status, body, headers, requestId: headers['x-request-id'] });
    // A 4xx means AUI looked at the request and refused it; 5xx may have happened after it acted.
    if (response.status < 500 && response.status !== 408) delivered = false;
  } else if (error instanceof TimeoutError) {
    result = new APITimeoutError(`${spec.where}: no reply within ${timeout} ms.`);
  } else {
    if (provablyNotDelivered(error)) delivered = false;
    result = new APIConnectionError(`${spec.where}: connection error: ${describe(error)}.`);
  }
  if (spec.unsafe) result.delivered = delivered;
  return result;
}

/** A failure that proves the request never reached the server, or that the server asked us to come back. */
function provablyNotDelivered(error: unknown): boolean {
  if (error instanceof HTTPError) {
    const { status } = error.response;
    return (status === 429 || status === 503) && error.response.headers.has('retry-after');
  }
  if (error instanceof TimeoutError) return false;
  // Refused connections and DNS failures, as Node/undici, Bun and Deno report them. Browsers
  // do not say why a fetch failed, so there a connection error stays 'unknown'.
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  const text = `${String((error as { code?: unknown })?.code ?? '')} ${String(cause?.code ?? '')} ${String(cause?.message ?? '')} ${String((error as Error)?.message ?? '')}`;
  return /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ConnectionRefused|Connection refused|dns error|failed to lookup/i.test(text);
}

function isAbort(error: unknown): boolean {
  return (error as { name?: unknown } | undefined)?.name === 'AbortError';
}

function describe(error: unknown): string {
  if (error instanceof HTTPError) return `status ${error.response.status}`;
  if (error instanceof TimeoutError) return 'a timeout';
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause;
  const code = typeof cause?.code === 'string' ? ` (${cause.code})` : '';
  return `${(error as Error)?.message ?? String(error)}${code}`;
}

function definedOnly(query: NonNullable<CallSpec['query']>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(query)) if (value !== undefined) out[name] = String(value);
  return out;
}
