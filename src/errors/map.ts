/**
 * errors/map — the one place a status, a body or an error envelope becomes an error class.
 * HTTP responses, WebSocket error frames and the proxy's SSE/JSON envelope all come through
 * here, so a 422 is the same `UnprocessableEntityError` whichever way it arrived.
 * Leaf module: imports only this folder.
 */
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
  type Issue,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  ResponseValidationError,
  SessionClosedError,
  TurnInterruptedError,
  UnprocessableEntityError,
} from './errors.ts';
import { isRecord } from '../shared/values.ts';

/** The class for a status: 400/401/403/404/422/429/5xx get their own, the rest are `APIError`. */
export function errorFromStatus(init: APIErrorInit): APIError {
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

/** A WebSocket error frame (`status_code`, `description`, `message`, `extra_data`) → its class. */
export function errorFromFrame(frame: Record<string, unknown>): APIError {
  const status = typeof frame.status_code === 'number' ? frame.status_code : 500;
  return errorFromStatus({ status, body: frame });
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

// Error fields that cross the wire, and their names there. Never `body` or `headers`.
const ENVELOPE_FIELDS = [
  ['status'],
  ['issues'],
  ['retryAfterMs', 'retry_after_ms'],
  ['path'],
  ['task_id'],
  ['partialText', 'partial_text'],
  ['delivered'],
] as const;

/** What a browser may see of an error: its class, status and message — never a body or header. */
export function toErrorEnvelope(error: unknown): ErrorEnvelope {
  if (!(error instanceof AuiError)) return { type: 'APIConnectionError', message: 'The request failed.' };
  const envelope: Record<string, unknown> = { type: error.name, message: error.message };
  for (const [field, wire = field] of ENVELOPE_FIELDS) {
    const value = (error as unknown as Record<string, unknown>)[field];
    if (value !== undefined) envelope[wire] = value;
  }
  return envelope as unknown as ErrorEnvelope;
}

// The classes an envelope names without a status; all take (message, path?).
const BY_TYPE: Record<string, new (message: string, path?: Array<string | number>) => AuiError> = {
  APIConnectionError,
  APITimeoutError,
  APIUserAbortError,
  InvalidRequestError,
  ResponseValidationError,
  SessionClosedError,
};

/** Rebuilds the error class from an envelope (browser side). Unknown types become `APIError`/`AuiError`. */
export function fromErrorEnvelope(value: unknown): AuiError {
  const envelope = isRecord(value) ? value : {};
  const { type, status, issues, retry_after_ms } = envelope;
  const text = (field: unknown) => (typeof field === 'string' ? field : '');
  const message = text(envelope.message) || 'The request failed.';
  // `delivered` is set below, for every class alike.
  const error =
    type === 'TurnInterruptedError'
      ? new TurnInterruptedError({
          message,
          task_id: text(envelope.task_id),
          delivered: 'unknown',
          partialText: text(envelope.partial_text),
        })
      : Object.hasOwn(BY_TYPE, text(type))
        ? new BY_TYPE[type as string]!(message, Array.isArray(envelope.path) ? envelope.path : [])
        : typeof status === 'number'
          ? errorFromStatus({
              status,
              body: { message },
              message,
              issues: Array.isArray(issues) ? issues : undefined,
              retryAfterMs: typeof retry_after_ms === 'number' ? retry_after_ms : undefined,
            } as APIErrorInit)
          : new AuiError(message);
  if ([true, false, 'unknown'].includes(envelope.delivered as Delivered))
    error.delivered = envelope.delivered as Delivered;
  return error;
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
