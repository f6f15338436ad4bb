/**
 * errors/errors — the error classes users catch. Small classes, one per thing that can go wrong.
 * Branded with Symbol.for so `instanceof` holds across entries (web/Node builds, CJS/ESM, two
 * copies of the package). Messages are redacted at construction; no class ever holds a library
 * error (a fetch failure, a WebSocket event) as `cause`, because those carry the request headers.
 * Leaf module: imports only ./redact.
 */
import { isRecord } from '../shared/values.ts';
import { redact, redactValue } from './redact.ts';

const KINDS = Symbol.for('aui-messaging.error.kinds');

/** Where a message stands after a failure: `'unknown'` means it may have reached the agent. */
export type Delivered = boolean | 'unknown';

/** One validation problem, whatever shape the server used (`detail[]`, `errors[]`). */
export interface Issue {
  path: Array<string | number>;
  message: string;
  type?: string;
}

// Fields are `declare`d and set only when there is a value: an error has no own `requestId`,
// `delivered`, … holding `undefined`, and the build emits no class-field definitions.
export class AuiError extends Error {
  /** Stable class name, kept through minification; used for branding and the SSE envelope. */
  static readonly kind: string = 'AuiError';
  /** For `messages.send` and streamed turns: did the message reach AUI? */
  declare delivered?: Delivered;

  constructor(message: string) {
    super(redact(message));
    // The kinds of the class and its ancestors (a subclass that keeps its parent's kind repeats it: harmless).
    // Every class here inherits at least AuiError's kind, so kinds[0] is always set.
    const kinds: string[] = [];
    for (
      let ctor = new.target as unknown as { kind?: string } | null;
      ctor?.kind;
      ctor = Object.getPrototypeOf(ctor)
    )
      kinds.push(ctor.kind);
    Object.defineProperties(this, {
      [KINDS]: { value: kinds },
      name: { value: kinds[0], writable: true, configurable: true },
    });
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    const kinds = (value as { [KINDS]?: unknown } | null | undefined)?.[KINDS];
    // Unbranded values fall back to the ordinary prototype check (Error's, with `this` kept).
    return Array.isArray(kinds) ? kinds.includes(this.kind) : super[Symbol.hasInstance](value);
  }

  toJSON(): Record<string, unknown> {
    return { ...redactValue({ ...this } as Record<string, unknown>), name: this.name, message: this.message };
  }
}

export interface APIErrorInit {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  requestId?: string | undefined;
  message?: string | undefined;
}

/** The server answered with an error status. */
export class APIError extends AuiError {
  static override readonly kind: string = 'APIError';
  declare readonly status: number;
  declare readonly body: unknown;
  declare readonly headers: Record<string, string>;
  declare readonly requestId?: string;

  constructor(init: APIErrorInit) {
    super(init.message ?? `${init.status} ${summarise(init.body)}`);
    this.status = init.status;
    this.body = redactValue(init.body);
    this.headers = init.headers ?? {};
    if (init.requestId) this.requestId = init.requestId;
  }
}

/** 400: an application error such as content moderation; `extra_data` varies by error. */
export class BadRequestError extends APIError {
  static override readonly kind: string = 'BadRequestError';
  declare readonly description?: string;
  declare readonly extra_data?: Record<string, unknown>;

  // The message is APIError's: the summary already reads "<description>: <message>". Both
  // fields come from `this.body`, which is already redacted.
  constructor(init: APIErrorInit) {
    super(init);
    const { description, extra_data } = isRecord(this.body) ? this.body : {};
    if (typeof description === 'string') this.description = description;
    if (isRecord(extra_data)) this.extra_data = extra_data;
  }
}

export class AuthenticationError extends APIError {
  static override readonly kind: string = 'AuthenticationError';
}
export class PermissionDeniedError extends APIError {
  static override readonly kind: string = 'PermissionDeniedError';
}
export class NotFoundError extends APIError {
  static override readonly kind: string = 'NotFoundError';
}

/** 422: the request failed the server's validation; `issues` is the same list whatever the body. */
export class UnprocessableEntityError extends APIError {
  static override readonly kind: string = 'UnprocessableEntityError';
  declare readonly issues: Issue[];

  constructor(init: APIErrorInit & { issues?: Issue[] }) {
    const issues = init.issues ?? issuesOf(init.body);
    // With no issues to list, APIError's own summary of the body is the message.
    super({
      ...init,
      message:
        init.message ??
        (issues.length
          ? `422 ${issues.map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message)).join('; ')}`
          : undefined),
    });
    this.issues = issues;
  }
}

/** 429: `retryAfterMs` is what the server asked for (Retry-After), when it said. */
export class RateLimitError extends APIError {
  static override readonly kind: string = 'RateLimitError';
  declare readonly retryAfterMs?: number;

  constructor(init: APIErrorInit & { retryAfterMs?: number | undefined }) {
    super(init);
    const ms = init.retryAfterMs ?? parseRetryAfter(init.headers?.['retry-after']);
    if (ms !== undefined) this.retryAfterMs = ms;
  }
}

export class InternalServerError extends APIError {
  static override readonly kind: string = 'InternalServerError';
}

/** The request never got an answer: refused, reset, DNS, or retries/reconnects exhausted. */
export class APIConnectionError extends AuiError {
  static override readonly kind: string = 'APIConnectionError';
}
export class APITimeoutError extends APIConnectionError {
  static override readonly kind: string = 'APITimeoutError';
}

/** The caller aborted (signal, `stream.abort()`, `break`). Never reported as unhandled. */
export class APIUserAbortError extends AuiError {
  static override readonly kind: string = 'APIUserAbortError';
  constructor(message = 'The request was aborted.') {
    super(message);
  }
}

/** Bad input, caught before any network call; `path` names the field. */
export class InvalidRequestError extends AuiError {
  static override readonly kind: string = 'InvalidRequestError';
  declare readonly path: Array<string | number>;
  constructor(message: string, path: Array<string | number> = []) {
    super(message);
    this.path = path;
  }
}

/** The server's reply did not have the shape the SDK relies on; `path` names the field. */
export class ResponseValidationError extends AuiError {
  static override readonly kind: string = 'ResponseValidationError';
  declare readonly path: Array<string | number>;
  constructor(message: string, path: Array<string | number> = []) {
    super(message);
    this.path = path;
  }
}

/** `session.close()` was called while this turn was still queued; it was never sent. */
export class SessionClosedError extends AuiError {
  static override readonly kind: string = 'SessionClosedError';
  constructor(message = 'session: closed; the turn was not sent.') {
    super(message);
    this.delivered = false;
  }
}

/** A streamed turn was cut off and could not be recovered; see `delivered` before retrying. */
export class TurnInterruptedError extends AuiError {
  static override readonly kind: string = 'TurnInterruptedError';
  declare readonly task_id: string;
  declare delivered: Delivered;
  declare readonly partialText: string;

  constructor(init: { task_id: string; delivered: Delivered; partialText?: string; message?: string }) {
    super(init.message ?? `session: turn interrupted (task ${init.task_id}, delivered: ${init.delivered}).`);
    this.task_id = init.task_id;
    this.delivered = init.delivered;
    this.partialText = init.partialText ?? '';
  }
}

/* ---------------------------------------------------------------- helpers used by ./map */

/** Normalises the 422 shapes seen (`{detail: [...]}`, `{errors: [...]}`) into one list; anything else → []. */
export function issuesOf(body: unknown): Issue[] {
  if (!isRecord(body)) return [];
  const list = Array.isArray(body.detail) ? body.detail : Array.isArray(body.errors) ? body.errors : [];
  return list.filter(isRecord).map((item) => {
    const loc = Array.isArray(item.loc)
      ? item.loc.filter((p): p is string | number => typeof p === 'string' || typeof p === 'number')
      : [];
    const issue: Issue = {
      path: loc,
      message: [item.msg, item.message, 'invalid'].find((part) => typeof part === 'string') as string,
    };
    if (typeof item.type === 'string') issue.type = item.type;
    return issue;
  });
}

/** Retry-After (seconds or HTTP date) → ms; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined): number | undefined {
  if (!value) return undefined;
  const ms = Number.isFinite(+value) ? +value * 1000 : Date.parse(value) - Date.now();
  return Number.isNaN(ms) ? undefined : Math.max(0, Math.round(ms));
}

/** A one-line human summary of an error body for messages. */
function summarise(body: unknown): string {
  if (isRecord(body)) {
    if (typeof body.detail === 'string') return body.detail;
    const text = [body.description, body.message].filter((part) => typeof part === 'string').join(': ');
    if (text) return text;
  }
  // Bodies come from JSON.parse or a response's text: stringify cannot meet a cycle.
  const text = typeof body === 'string' ? body : (JSON.stringify(body) ?? '');
  return !text || text === '{}' ? 'no details' : text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
