// http/classify — what an attempt's outcome means: done, refresh the key (a first 401), retry,
// or fail — and, for `messages.send`, whether the message reached AUI. The rules in one place:
//
// - retried: 408, 409, 429, 5xx, timeouts and network failures, while retries are left;
// - a call that is not idempotent (`unsafe`) only when the request provably was not taken:
//   refused / unresolved (nothing reached AUI), or 429/503 with a readable Retry-After;
// - `delivered`: true once a 2xx status came (even if its body then failed), false when AUI
//   refused (4xx) or never got it, `'unknown'` after a 408, a 5xx, a timeout or a cut.
//
// Also builds the error a reply becomes, with its hints (the key's source on a 401, baseUrl on a
// route 404). Imports: errors, keys/source, shared, ./attempt, ./retry.

import { APIConnectionError, APITimeoutError, type AuiError, type Delivered } from '../errors/errors.ts';
import { errorFromAbort, errorFromStatus } from '../errors/map.ts';
import { headersToObject } from '../errors/redact.ts';
import { authenticationHint } from '../keys/source.ts';
import { isRecord } from '../shared/values.ts';
import { shownUrl } from '../shared/urls.ts';
import type { Outcome, PreparedCall } from './attempt.ts';
import { isRetryableStatus, parseRetryAfter } from './retry.ts';

/** What the transport does next. */
export type Verdict =
  | { next: 'done'; response: Response; text: string }
  | { next: 'refresh-key' }
  | { next: 'retry'; error: AuiError; retryAfterMs: number | undefined }
  | { next: 'fail'; error: AuiError };

/** Where the call stands: what a failure may still use. */
export interface CallState {
  /** The one key refresh a 401 earns has not been used yet. */
  mayRefreshKey: boolean;
  retriesLeft: boolean;
  /** The client's KeyProvider and REST base, for the hints of a 401 or a 404. */
  keys: object;
  baseUrl: string;
}

/** An outcome judged: its error and what the rules above make of it. */
interface Judged {
  error: AuiError;
  retryable: boolean;
  /** Provably not taken by AUI: safe to send again even when not idempotent. */
  resendable: boolean;
  delivered: Delivered;
  retryAfterMs?: number | undefined;
}

export function classify(outcome: Outcome, call: PreparedCall, state: CallState): Verdict {
  if (outcome.kind === 'reply') {
    const { response, text } = outcome;
    if (response.ok) return { next: 'done', response, text };
    if (response.status === 401 && state.mayRefreshKey) return { next: 'refresh-key' };
  }
  const judged = judge(outcome, call, state);
  const mayRetry = judged.retryable && state.retriesLeft && (!call.unsafe || judged.resendable);
  if (mayRetry) return { next: 'retry', error: judged.error, retryAfterMs: judged.retryAfterMs };
  if (call.unsafe) judged.error.delivered = judged.delivered;
  return { next: 'fail', error: judged.error };
}

function judge(outcome: Outcome, call: PreparedCall, state: CallState): Judged {
  switch (outcome.kind) {
    case 'reply':
      return judgeReply(outcome.response, outcome.text, call, state);
    case 'timeout':
      return {
        error: new APITimeoutError(timeoutMessage(call, outcome.status)),
        retryable: true,
        resendable: false,
        delivered: deliveredAfter(outcome.status),
      };
    case 'aborted':
      return {
        error: errorFromAbort(outcome.reason, call.where),
        retryable: false,
        resendable: false,
        delivered: deliveredAfter(outcome.status),
      };
    case 'network': {
      // With no status, a refused connection or an unknown host never reached AUI.
      const neverReached = outcome.status === undefined && REFUSED_OR_UNRESOLVED.test(outcome.reason);
      return {
        error: new APIConnectionError(networkMessage(call, outcome.reason, outcome.status)),
        retryable: true,
        resendable: neverReached,
        delivered: neverReached ? false : deliveredAfter(outcome.status),
      };
    }
  }
}

function judgeReply(response: Response, text: string, call: PreparedCall, state: CallState): Judged {
  const { status } = response;
  const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
  // The server asked us to come back later: it did not take the request.
  const resendable = (status === 429 || status === 503) && retryAfterMs !== undefined;
  return {
    error: errorFromReply(response, text, call, state, retryAfterMs),
    retryable: isRetryableStatus(status),
    resendable,
    delivered: resendable ? false : deliveredAfter(status),
    retryAfterMs,
  };
}

/** `delivered` once `status` is known: 2xx true; 408 and 5xx unknown (AUI may have acted first); other 4xx false. */
function deliveredAfter(status: number | undefined): Delivered {
  if (status === undefined || status === 408 || status >= 500) return 'unknown';
  return status >= 200 && status < 300;
}

function timeoutMessage(call: PreparedCall, status: number | undefined): string {
  const base = `${call.where}: timed out after ${call.timeout} ms`;
  if (status === undefined) return `${base}.`;
  return `${base}, reading the body of a ${status} reply.`;
}

function networkMessage(call: PreparedCall, reason: string, status: number | undefined): string {
  if (status === undefined) return `${call.where}: connection error: ${reason}.`;
  return `${call.where}: the connection broke while reading the body of a ${status} reply: ${reason}.`;
}

/**
 * A refused connection or a DNS failure, as Node/undici (ECONNREFUSED, ENOTFOUND, EAI_AGAIN),
 * Bun (ConnectionRefused) and Deno ("Connection refused", "dns error", "failed to lookup")
 * report them: the request never reached the server. Browsers do not say why a fetch failed,
 * so there it stays 'unknown'.
 */
const REFUSED_OR_UNRESOLVED = /refused|ENOTFOUND|EAI_AGAIN|dns|lookup/i;

/** An error status → its error class, the body parsed when it is JSON, with a hint where one helps. */
function errorFromReply(
  response: Response,
  text: string,
  call: PreparedCall,
  state: CallState,
  retryAfterMs: number | undefined,
): AuiError {
  const body = parsedOrText(text);
  const headers = headersToObject(response.headers);
  return errorFromStatus({
    status: response.status,
    body,
    headers,
    requestId: headers['x-request-id'],
    retryAfterMs,
    hint: hintFor(response.status, body, call, state),
  });
}

function parsedOrText(text: string): unknown {
  if (!text) return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text; // not JSON (a proxy's HTML page, say): keep the text as the body
  }
}

function hintFor(status: number, body: unknown, call: PreparedCall, state: CallState): string | undefined {
  if (status === 401) return authenticationHint(state.keys, state.baseUrl);
  if (status === 404 && isRouteMissing(body)) {
    return `no route ${call.method} ${call.path} at ${shownUrl(state.baseUrl)}: is \`baseUrl\` (or \`region\`) right?`;
  }
  return undefined;
}

/**
 * A 404 about the URL, not about a task or message: the API's own answer for an unknown path
 * (`{"detail": "Not Found"}`, where a missing task says "Task not found"), or a body that is
 * not JSON at all (another server's page: the base URL points somewhere else).
 */
function isRouteMissing(body: unknown): boolean {
  if (typeof body === 'string') return true;
  return isRecord(body) && body.detail === 'Not Found';
}
