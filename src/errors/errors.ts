// errors/errors — the error classes users catch. Small classes, one per thing that can go wrong.
// Branded with Symbol.for so `instanceof` holds across entries (web/Node builds, CJS/ESM, two
// copies of the package). Messages are redacted at construction; no class ever holds a library
// error (a fetch failure, a WebSocket event) as `cause`, because those carry the request headers.
// Leaf module: imports only this folder and shared/values.

import { isRecord } from '../shared/values.ts';
import { type Issue, issuesLine, issuesOf, summarise } from './body.ts';
import { redact, redactValue } from './redact.ts';

const KINDS = Symbol.for('aui-messaging.error.kinds');

/**
 * Where a message stands after a failure: `false` — it never reached AUI, safe to send again;
 * `true` — AUI received it; `'unknown'` — it may have: read `tasks.messages(task_id)` before
 * sending it again.
 */
export type Delivered = boolean | 'unknown';

/**
 * The base of every error the SDK throws: `catch (e) { if (e instanceof AuiError) … }`.
 * `instanceof` works across the package's entries and copies. The message never holds the key.
 */
// Fields are `declare`d and set only when there is a value: an error has no own `requestId`,
// `delivered`, … holding `undefined`, and the build emits no class-field definitions.
export class AuiError extends Error {
  /** Stable class name, kept through minification; used for branding and the SSE envelope. */
  static readonly kind: string = 'AuiError';
  /**
   * For `messages.send` and streamed turns: did the message reach AUI? Unset on other calls.
   * @see Delivered
   */
  declare delivered?: Delivered;

  /** An error with `message`, redacted: an API key in it is replaced before anything can read it. */
  constructor(message: string) {
    super(redact(message));
    // The kinds of the class and its ancestors (a subclass that keeps its parent's kind repeats it: harmless).
    // Every class here inherits at least AuiError's kind, so kinds[0] is always set.
    const kinds: string[] = [];
    for (
      let ctor = new.target as unknown as { kind?: string } | null;
      ctor?.kind;
      ctor = Object.getPrototypeOf(ctor) as { kind?: string } | null
    )
      kinds.push(ctor.kind);
    Object.defineProperties(this, {
      [KINDS]: { value: kinds },
      name: { value: kinds[0], writable: true, configurable: true },
    });
  }

  /** `instanceof` by the class's brand, so it holds across the package's entries, builds and copies. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    const kinds = (value as { [KINDS]?: unknown } | null | undefined)?.[KINDS];
    // Unbranded values fall back to the ordinary prototype check (Error's, with `this` kept).
    return Array.isArray(kinds) ? kinds.includes(this.kind) : super[Symbol.hasInstance](value);
  }

  /** The error's own fields, `name` and `message`, redacted: what `JSON.stringify(error)` writes. */
  toJSON(): Record<string, unknown> {
    return { ...redactValue({ ...this } as Record<string, unknown>), name: this.name, message: this.message };
  }
}

/** What an `APIError` is built from: the reply's status and body, and what the SDK knows about the call. */
export interface APIErrorInit {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  requestId?: string | undefined;
  /** Replaces the message built from the status and the body. */
  message?: string | undefined;
  /** A sentence on what to check, appended to the message after " — " (e.g. where the key came from). */
  hint?: string | undefined;
}

/**
 * The server answered with an error status (REST), or sent an error frame (WebSocket). Thrown
 * after retries ran out, or at once for a status no retry can fix. Its subclasses name the
 * common statuses. The message reads `"<status> <what the server said>"`.
 */
export class APIError extends AuiError {
  static override readonly kind: string = 'APIError';
  /** The HTTP status, or an error frame's `status_code`. */
  declare readonly status: number;
  /** The server's body (parsed JSON, or the text when it was not JSON), redacted; levels deeper than 32 become a marker. */
  declare readonly body: unknown;
  /** The reply's headers, lower-cased, secrets removed; `{}` for a WebSocket error. */
  declare readonly headers: Record<string, string>;
  /** The server's `x-request-id`, when it sent one: quote it to AUI support. */
  declare readonly requestId?: string;

  constructor(init: APIErrorInit) {
    // Bounded and redacted before anything reads it: a hostile body cannot overflow the stack.
    const body = redactValue(init.body);
    const message = init.message ?? `${init.status} ${summarise(body)}`;
    super(init.hint ? `${message} — ${init.hint}` : message);
    this.status = init.status;
    this.body = body;
    this.headers = init.headers ?? {};
    if (init.requestId) this.requestId = init.requestId;
  }
}

/**
 * 400: AUI refused the request for an application reason, such as content moderation. The
 * message reads `"400 <description>: <message>"`. `extra_data` varies by error (for moderation:
 * `moderation_category`, `flagged_text`).
 */
export class BadRequestError extends APIError {
  static override readonly kind: string = 'BadRequestError';
  /** The server's short title of the error, e.g. `"Content moderation triggered"`. */
  declare readonly description?: string;
  /** Details that vary by error. */
  declare readonly extra_data?: Record<string, unknown>;

  // Both fields come from `this.body`, which is already redacted.
  constructor(init: APIErrorInit) {
    super(init);
    const { description, extra_data } = isRecord(this.body) ? this.body : {};
    if (typeof description === 'string') this.description = description;
    if (isRecord(extra_data)) this.extra_data = extra_data;
  }
}

/**
 * 401: the key was rejected, and rejected again after one refresh (`forceRefresh: true`), over
 * REST or on the socket. The message says where the key came from and what to check.
 */
export class AuthenticationError extends APIError {
  static override readonly kind: string = 'AuthenticationError';
}

/** 403: the key is valid but may not do this (another network's task or agent, say). */
export class PermissionDeniedError extends APIError {
  static override readonly kind: string = 'PermissionDeniedError';
}

/**
 * 404: an unknown task or message — or, when the message says "no route", a URL that is not the
 * API's: check `baseUrl` or `region`.
 */
export class NotFoundError extends APIError {
  static override readonly kind: string = 'NotFoundError';
}

/** 422: the request failed the server's validation; `issues` is the same list whatever the body. */
export class UnprocessableEntityError extends APIError {
  static override readonly kind: string = 'UnprocessableEntityError';
  /** Each problem with its `path` (e.g. `['body', 'user_id']`); `[]` when the body listed none. */
  declare readonly issues: Issue[];

  constructor(init: APIErrorInit & { issues?: Issue[] | undefined }) {
    const body = redactValue(init.body);
    const issues = init.issues ? redactValue(init.issues) : issuesOf(body);
    // With no issues to list, APIError's own summary of the body is the message.
    const listed = issues.length ? `422 ${issuesLine(issues)}` : undefined;
    super({ ...init, body, message: init.message ?? listed });
    this.issues = issues;
  }
}

/**
 * 429: rate limited, after the retries (which wait as `Retry-After` asks, at most 60 s each).
 * `retryAfterMs` is how long the server asked to wait, when it said so in a form that can be read.
 */
export class RateLimitError extends APIError {
  static override readonly kind: string = 'RateLimitError';
  /** The server's `Retry-After`, in ms; absent when it sent none or one that was not a number or a date. */
  declare readonly retryAfterMs?: number;

  constructor(init: APIErrorInit & { retryAfterMs?: number | undefined }) {
    super(init);
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
  }
}

/** 5xx: AUI failed, after the retries. For `messages.send`, `delivered` is `'unknown'`. */
export class InternalServerError extends APIError {
  static override readonly kind: string = 'InternalServerError';
}

/**
 * No answer from AUI: the connection was refused or reset, the host name did not resolve, or
 * the retries or reconnects ran out. The message names the call and the cause, never the key.
 */
export class APIConnectionError extends AuiError {
  static override readonly kind: string = 'APIConnectionError';
}

/**
 * No whole reply within `timeout` (per attempt, body included), or the caller's
 * `AbortSignal.timeout(…)` fired. A kind of `APIConnectionError`.
 */
export class APITimeoutError extends APIConnectionError {
  static override readonly kind: string = 'APITimeoutError';
}

/** The caller aborted (a `signal`, `stream.abort()`, `break`). Never reported as unhandled. */
export class APIUserAbortError extends AuiError {
  static override readonly kind: string = 'APIUserAbortError';
  constructor(message = 'The request was aborted.') {
    super(message);
  }
}

/** Bad input or options, or no key: caught before any network call. `path` names the field. */
export class InvalidRequestError extends AuiError {
  static override readonly kind: string = 'InvalidRequestError';
  /** The field at fault, e.g. `['params', 'user_id']` or `['apiKey']`. */
  declare readonly path: Array<string | number>;
  constructor(message: string, path: Array<string | number> = []) {
    super(message);
    this.path = path;
  }
}

/**
 * The server's reply was not JSON or lacked what the SDK relies on (REST or a socket frame).
 * `path` names the field, e.g. `['cards', 0, 'name']`.
 */
export class ResponseValidationError extends AuiError {
  static override readonly kind: string = 'ResponseValidationError';
  /** The field at fault; `[]` when the reply was not JSON at all. */
  declare readonly path: Array<string | number>;
  constructor(message: string, path: Array<string | number> = []) {
    super(message);
    this.path = path;
  }
}

/** `session.close()` was called while this turn was still queued; it was never sent (`delivered: false`). */
export class SessionClosedError extends AuiError {
  static override readonly kind: string = 'SessionClosedError';
  constructor(message = 'session: closed; the turn was not sent.') {
    super(message);
    this.delivered = false;
  }
}

/**
 * A streamed turn was cut off and could not be recovered. Read `delivered` before sending the
 * message again; `partialText` is what had streamed before the cut.
 */
export class TurnInterruptedError extends AuiError {
  static override readonly kind: string = 'TurnInterruptedError';
  /** The task the turn belonged to. */
  declare readonly task_id: string;
  declare delivered: Delivered;
  /** The answer's text as far as it had streamed (redacted); `''` when nothing came. */
  declare readonly partialText: string;

  constructor(init: { task_id: string; delivered: Delivered; partialText?: string; message?: string }) {
    super(init.message ?? `session: turn interrupted (task ${init.task_id}, delivered: ${init.delivered}).`);
    this.task_id = init.task_id;
    this.delivered = init.delivered;
    this.partialText = redact(init.partialText ?? '');
  }
}

/**
 * A raw, long-lived API key (a string, `staticKey`, `envKey`) was given to a client in browser
 * code, where anyone can read it — or there was no key there at all. Thrown by `new AuiClient`.
 * Proxy the calls through your server (`createAuiHandler` + `createProxyClient`), or pass a
 * KeyProvider of short-lived keys.
 */
export class BrowserKeyError extends AuiError {
  static override readonly kind: string = 'BrowserKeyError';
}
