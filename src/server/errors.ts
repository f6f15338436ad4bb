// server/errors — what a browser may learn when something fails. The proxy's own refusals
// (400, 401, 403, 404, 405, 413, 415, 429) are written here, and every upstream failure is
// rewritten into a public error: a class name, a status, a message chosen here (upstream's own
// words only for 400 moderation messages and 422 validation issues), `retry_after_ms` and
// `delivered`. Upstream bodies, headers, request ids, stacks and the key never pass.
// Imports: errors/, runtime/logger. Never keys, mock or browser.

import {
  APIConnectionError,
  APIError,
  APITimeoutError,
  APIUserAbortError,
  AuiError,
  ResponseValidationError,
  TurnInterruptedError,
} from '../errors/errors.ts';
import { type ErrorEnvelope, toErrorEnvelope } from '../errors/map.ts';
import { createLog } from '../runtime/logger.ts';

/** A refusal or failure as the browser will see it. */
export interface PublicError {
  status: number;
  envelope: ErrorEnvelope;
  headers?: Record<string, string> | undefined;
}

/** Thrown inside the pipeline to answer with a refusal; never leaves the handler. */
export class Refusal extends Error implements PublicError {
  readonly envelope: ErrorEnvelope;
  constructor(
    readonly status: number,
    message: string,
    extra: Partial<ErrorEnvelope> = {},
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    // The class the browser rebuilds: fromErrorEnvelope maps a status to its class, so only
    // 400 (bad input, no status class of its own in the SDK) needs a type of its own.
    this.envelope = { type: TYPES[status] ?? 'APIError', status, message, ...extra };
  }
}

const TYPES: Record<number, string> = {
  401: 'AuthenticationError',
  403: 'PermissionDeniedError',
  404: 'NotFoundError',
  429: 'RateLimitError',
};

/** Bad input from the browser: an `InvalidRequestError` there, with the field's path. */
export function badInput(message: string, field: string): Refusal {
  return new Refusal(400, message, { type: 'InvalidRequestError', path: [field] });
}

export const notFound = (): Refusal => new Refusal(404, 'Not found.');

// Only the app's own bugs (a throwing authorize/transform) and a rejected key are worth a log
// line on the server: the browser gets a bland 500/502, so the operator needs the real reason.
const log = createLog(undefined, 'warn');

/** Any error thrown while serving a request → what the browser may see of it. */
export function publicError(error: unknown): PublicError {
  if (error instanceof Refusal) return error;
  const out = rewriteForBrowser(error);
  if (error instanceof AuiError && error.delivered !== undefined) out.envelope.delivered = error.delivered;
  return out;
}

/** The status, class and wording the browser gets for a failure that is not a refusal. */
function rewriteForBrowser(error: unknown): PublicError {
  const fail = (status: number, type: string, message: string): PublicError => ({
    status,
    envelope: { type, status, message },
  });
  if (!(error instanceof AuiError)) {
    log('error', 'createAuiHandler: the request failed in app code (authorize, transform or apiKey).', error);
    return fail(500, 'InternalServerError', 'The server failed to handle the request.');
  }
  if (error instanceof APIUserAbortError)
    return { status: 499, envelope: { type: 'APIUserAbortError', message: 'The request was aborted.' } };
  // The SDK's own wording (task id, delivered, partial text): nothing from upstream in it.
  if (error instanceof TurnInterruptedError) return { status: 502, envelope: toErrorEnvelope(error) };
  if (error instanceof APITimeoutError)
    return { status: 504, envelope: { type: 'APITimeoutError', message: 'AUI did not answer in time.' } };
  if (error instanceof APIConnectionError)
    return { status: 502, envelope: { type: 'APIConnectionError', message: 'AUI could not be reached.' } };
  if (error instanceof ResponseValidationError) {
    return {
      status: 502,
      envelope: { type: 'ResponseValidationError', message: 'AUI sent a reply that could not be read.' },
    };
  }
  if (!(error instanceof APIError)) {
    // InvalidRequestError from the client: a transform that produced bad params, or no key.
    log('error', `createAuiHandler: ${error.name}: ${error.message}`);
    return fail(500, 'InternalServerError', 'The server failed to handle the request.');
  }
  const { status } = error;
  if (status === 400 || status === 422) return { status, envelope: toErrorEnvelope(error) }; // moderation text, validation issues
  if (status === 404) return fail(404, 'NotFoundError', 'Not found.');
  if (status === 429) {
    const envelope = toErrorEnvelope(error);
    envelope.message = 'AUI is rate limiting requests; try again later.';
    const seconds =
      envelope.retry_after_ms === undefined ? undefined : Math.ceil(envelope.retry_after_ms / 1000);
    return seconds === undefined
      ? { status, envelope }
      : { status, envelope, headers: { 'retry-after': String(seconds) } };
  }
  // A 401/403 from AUI is the proxy's key, not the browser's login: never a 401 the app would
  // read as "sign in again".
  if (status === 401 || status === 403) {
    log('error', `createAuiHandler: AUI rejected the network API key (${status}).`);
    return fail(502, 'InternalServerError', 'AUI refused the server’s credentials.');
  }
  return fail(502, 'InternalServerError', 'AUI failed to handle the request.');
}
