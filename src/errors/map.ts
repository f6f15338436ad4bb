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
  isRecord,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  ResponseValidationError,
  SessionClosedError,
  TurnInterruptedError,
  UnprocessableEntityError,
} from './errors.ts';

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

/** What a browser may see of an error: its class, status and message — never a body or header. */
export function toErrorEnvelope(error: unknown): ErrorEnvelope {
  if (!(error instanceof AuiError)) return { type: 'APIConnectionError', message: 'The request failed.' };
  const envelope: ErrorEnvelope = { type: error.name, message: error.message };
  if (error instanceof APIError) envelope.status = error.status;
  if (error instanceof UnprocessableEntityError) envelope.issues = error.issues;
  if (error instanceof RateLimitError && error.retryAfterMs !== undefined) envelope.retry_after_ms = error.retryAfterMs;
  if (error instanceof InvalidRequestError || error instanceof ResponseValidationError) envelope.path = error.path;
  if (error instanceof TurnInterruptedError) {
    envelope.task_id = error.task_id;
    envelope.partial_text = error.partialText;
  }
  if (error.delivered !== undefined) envelope.delivered = error.delivered;
  return envelope;
}

/** Rebuilds the error class from an envelope (browser side). Unknown types become `APIError`/`AuiError`. */
export function fromErrorEnvelope(value: unknown): AuiError {
  const envelope = isRecord(value) ? value : {};
  const message = typeof envelope.message === 'string' ? envelope.message : 'The request failed.';
  const status = typeof envelope.status === 'number' ? envelope.status : undefined;
  const path = Array.isArray(envelope.path) ? (envelope.path as Array<string | number>) : [];
  const delivered = envelope.delivered === true || envelope.delivered === false || envelope.delivered === 'unknown' ? envelope.delivered : undefined;
  let error: AuiError;
  switch (envelope.type) {
    case 'APIConnectionError': error = new APIConnectionError(message); break;
    case 'APITimeoutError': error = new APITimeoutError(message); break;
    case 'APIUserAbortError': error = new APIUserAbortError(message); break;
    case 'InvalidRequestError': error = new InvalidRequestError(message, path); break;
    case 'ResponseValidationError': error = new ResponseValidationError(message, path); break;
    case 'SessionClosedError': error = new SessionClosedError(message); break;
    case 'TurnInterruptedError':
      error = new TurnInterruptedError({
        message,
        task_id: typeof envelope.task_id === 'string' ? envelope.task_id : '',
        delivered: delivered ?? 'unknown',
        partialText: typeof envelope.partial_text === 'string' ? envelope.partial_text : '',
      });
      break;
    default:
      if (status === undefined) {
        error = new AuiError(message);
        break;
      }
      error = errorFromStatus({
        status,
        body: { message },
        message,
        ...(Array.isArray(envelope.issues) ? { issues: envelope.issues as Issue[] } : {}),
        ...(typeof envelope.retry_after_ms === 'number' ? { retryAfterMs: envelope.retry_after_ms } : {}),
      } as APIErrorInit);
  }
  if (delivered !== undefined) error.delivered = delivered;
  return error;
}
