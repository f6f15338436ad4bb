// errors/map — the one place a status, a body or an error envelope becomes an error class.
// HTTP responses, WebSocket error frames and the proxy's SSE/JSON envelope all come through
// here, so a 422 is the same `UnprocessableEntityError` whichever way it arrived.
// Leaf module: imports only this folder and shared/values.

import { isRecord } from '../shared/values.ts';
import type { Issue } from './body.ts';
import {
  APIConnectionError,
  APIError,
  type APIErrorInit,
  APITimeoutError,
  APIUserAbortError,
  AuiError,
  AuthenticationError,
  BadRequestError,
  type Delivered,
  InternalServerError,
  InvalidRequestError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  ResponseValidationError,
  SessionClosedError,
  TurnInterruptedError,
  UnprocessableEntityError,
} from './errors.ts';

/** What `errorFromStatus` takes: the init of every status class, 422's issues and 429's wait included. */
export interface StatusErrorInit extends APIErrorInit {
  issues?: Issue[] | undefined;
  retryAfterMs?: number | undefined;
}

/** The class for a status: 400/401/403/404/422/429/5xx get their own, the rest are `APIError`. */
export function errorFromStatus(init: StatusErrorInit): APIError {
  const { status } = init;
  if (status === 400) return new BadRequestError(init);
  if (status === 401) return new AuthenticationError(init);
  if (status === 403) return new PermissionDeniedError(init);
  if (status === 404) return new NotFoundError(init);
  if (status === 422) return new UnprocessableEntityError(init);
  if (status === 429) return new RateLimitError(init);
  if (status >= 500) return new InternalServerError(init);
  return new APIError(init);
}

/**
 * A WebSocket error frame (`status_code`, `description`, `message`, `extra_data`) → its class.
 * Takes any JSON value and never throws: a `status_code` that is not an error status reads as
 * 500, and the frame is bounded and redacted like a REST body.
 */
export function errorFromFrame(frame: unknown): APIError {
  const code = isRecord(frame) ? frame.status_code : undefined;
  const isErrorStatus = typeof code === 'number' && Number.isInteger(code) && code >= 400 && code <= 599;
  return errorFromStatus({ status: isErrorStatus ? code : 500, body: frame });
}

/** The wire envelope of the SSE `error` event and the proxy's JSON errors. */
export interface ErrorEnvelope {
  type: string;
  status?: number;
  message: string;
  issues?: Issue[];
  retry_after_ms?: number;
  delivered?: Delivered;
  task_id?: string;
  partial_text?: string;
  path?: Array<string | number>;
}

/** Error fields that cross the wire, and their names there. Never `body` or `headers`. */
const ENVELOPE_FIELDS = {
  status: 'status',
  issues: 'issues',
  retryAfterMs: 'retry_after_ms',
  path: 'path',
  task_id: 'task_id',
  partialText: 'partial_text',
  delivered: 'delivered',
} as const satisfies Record<string, keyof ErrorEnvelope>;

/** What a browser may see of an error: its class, status and message — never a body or header. */
export function toErrorEnvelope(error: unknown): ErrorEnvelope {
  if (!(error instanceof AuiError)) return { type: 'APIConnectionError', message: 'The request failed.' };
  const envelope: Record<string, unknown> = { type: error.name, message: error.message };
  const fields = error as unknown as Record<string, unknown>;
  for (const [field, wire] of Object.entries(ENVELOPE_FIELDS)) {
    if (fields[field] !== undefined) envelope[wire] = fields[field];
  }
  return envelope as unknown as ErrorEnvelope;
}

/** The classes an envelope names without a status; all take (message, path?). */
const BY_TYPE: Record<string, new (message: string, path?: Array<string | number>) => AuiError> = {
  APIConnectionError,
  APITimeoutError,
  APIUserAbortError,
  InvalidRequestError,
  ResponseValidationError,
  SessionClosedError,
};

const DELIVERED_VALUES: readonly unknown[] = [true, false, 'unknown'];

/** Rebuilds the error class from an envelope (browser side). Unknown types become `APIError`/`AuiError`. */
export function fromErrorEnvelope(value: unknown): AuiError {
  const envelope = isRecord(value) ? value : {};
  const error = errorOfEnvelope(envelope);
  if (DELIVERED_VALUES.includes(envelope.delivered)) error.delivered = envelope.delivered as Delivered;
  return error;
}

/** The class an envelope names, without `delivered` (set by the caller for every class alike). */
function errorOfEnvelope(envelope: Record<string, unknown>): AuiError {
  const { type, status, issues, retry_after_ms, path } = envelope;
  const message = text(envelope.message) || 'The request failed.';
  if (type === 'TurnInterruptedError') {
    return new TurnInterruptedError({
      message,
      task_id: text(envelope.task_id),
      delivered: 'unknown',
      partialText: text(envelope.partial_text),
    });
  }
  const ByType = typeof type === 'string' && Object.hasOwn(BY_TYPE, type) ? BY_TYPE[type] : undefined;
  if (ByType) return new ByType(message, Array.isArray(path) ? (path as Array<string | number>) : []);
  if (typeof status === 'number') {
    return errorFromStatus({
      status,
      body: { message },
      message,
      issues: Array.isArray(issues) ? (issues as Issue[]) : undefined,
      retryAfterMs: typeof retry_after_ms === 'number' ? retry_after_ms : undefined,
    });
  }
  return new AuiError(message);
}

function text(field: unknown): string {
  return typeof field === 'string' ? field : '';
}

/**
 * The error for an aborted signal: `APITimeoutError` when its reason is a `TimeoutError` (as
 * `AbortSignal.timeout(ms)` sets it), else `APIUserAbortError`. `where` names the call.
 */
export function errorFromAbort(reason: unknown, where: string): APIUserAbortError | APITimeoutError {
  const isTimeout = (reason as { name?: unknown } | null | undefined)?.name === 'TimeoutError';
  if (isTimeout) return new APITimeoutError(`${where}: the signal timed out.`);
  return new APIUserAbortError(`${where}: aborted.`);
}
