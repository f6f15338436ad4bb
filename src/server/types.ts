// server/types — the public option and handler types of `aui-messaging/server`, in one place so
// the web and Node builds of the handler (and the pipeline behind them) share them.
// Types only. Imports: client (type), keys (type). Never mock, cli or browser.

import type { AuiClient } from '../client/client.ts';
import type { KeyProvider } from '../keys/providers.ts';

/** Who is calling, as the app's `authorize` decided. */
export interface AuiUser {
  /**
   * The signed-in user's id in the app: sent upstream as `user_id` (the browser never chooses
   * it), and the owner every task is checked against. A non-empty string.
   */
  userId: string;
}

/**
 * How a turn limit counts. `'fixed'`: turns since the start of the current minute-long window
 * (one number per user; up to twice the limit can pass around a window's edge). `'sliding'`:
 * turns in the last minute, whenever it is asked (one timestamp per accepted turn; no burst at
 * an edge). See `AuiHandlerLimits.window`.
 */
export type TurnWindow = 'fixed' | 'sliding';

/** What the proxy asks of a `TurnCounter` with each turn: the limit and how it counts. */
export interface TurnRule {
  /** Turns allowed per window (`limits.turnsPerMinute`). */
  limit: number;
  /** `limits.window`. A counter that knows only fixed windows may ignore it. */
  window: TurnWindow;
}

/** One turn counted, as a `TurnCounter` reports it. */
export interface TurnCount {
  /** Turns in the window including this one. Above the rule's limit, the proxy answers 429. */
  count: number;
  /**
   * Milliseconds until a turn would be let through again (the window's edge), when the store
   * can tell. The proxy sends it as `retry-after`; without it, a full window is assumed.
   */
  retryAfterMs?: number;
}

/**
 * Counts turns per key (`aui-turns:<userId>`) in a window of `windowMs` and says how many the
 * window holds, including this hit. The default counts in memory, per process or isolate; for
 * several instances, pass a shared one: `redisCounter` (`aui-messaging/server/redis`) or
 * `durableObjectCounter` (`aui-messaging/server/cloudflare`). A counter that returns a bare
 * number (the first shape of this interface) still works: `retry-after` is then a full window.
 * A counter may throw or reject; `limits.counterFailure` decides what the proxy does then.
 * @example
 * const counter: TurnCounter = { hit: (key, windowMs, rule) => myStore.count(key, windowMs, rule.limit) };
 */
export interface TurnCounter {
  /** Counts one turn under `key` and returns the window's count, this turn included. */
  hit(key: string, windowMs: number, rule: TurnRule): number | TurnCount | Promise<number | TurnCount>;
}

/** The proxy's limits: request size, text length and turns per user per minute. */
export interface AuiHandlerLimits {
  /**
   * Request body cap, enforced while reading. Default 64 KiB; 1 MiB with `protocol: 'ai-sdk'`,
   * since `useChat` posts the whole conversation with every message.
   */
  maxBodyBytes?: number;
  /** Cap on `text` (UTF-16 code units). Default 16 000. */
  maxTextLength?: number;
  /** Turns (`/messages`, `/messages/stream`, a `useChat` message) per user per minute. Default: no limit. */
  turnsPerMinute?: number;
  /**
   * `'fixed'` (default) counts per calendar-like minute from a user's first turn: cheapest (one
   * number per user), but a user can send the limit at the end of one window and again at the
   * start of the next. `'sliding'` counts the last 60 s at every turn: never more than the limit
   * in any minute, for one stored timestamp per accepted turn.
   */
  window?: TurnWindow;
  /**
   * Where turns are counted. Default: in memory, per handler — per process, per serverless
   * instance, per Workers isolate, so N instances let a user through N times. With more than one
   * instance, pass a shared counter (`redisCounter`, `durableObjectCounter`).
   */
  counter?: TurnCounter;
  /**
   * When the counter throws or takes longer than `counterTimeoutMs`: `'open'` (default) lets the
   * turn through and logs a warning (at most once a minute); `'closed'` answers 503.
   */
  counterFailure?: 'open' | 'closed';
  /**
   * How long a turn waits for the counter before `counterFailure` applies. Default 1000 ms: a
   * healthy store answers in a few, but a proxy process busy with a burst of requests can take
   * hundreds to read the reply, and a deadline that fires then would lift the limit (fail-open)
   * exactly when it is needed. This bounds a store that hangs; one that is down fails at once
   * when its client says so (node-redis with `disableOfflineQueue: true`).
   */
  counterTimeoutMs?: number;
}

/** Options of {@link createAuiHandler}. `authorize`, and `apiKey` or `client`, are what a proxy needs. */
export interface AuiHandlerOptions<Env = unknown> {
  /**
   * The network API key, read on the server only: a string, a KeyProvider (`envKey(…)`,
   * `cachedKey(…)`), or a function of the `env` the handler is called with (Workers bindings),
   * read on every request. Not needed when `client` is given.
   */
  apiKey?: string | KeyProvider | ((env: Env) => string | Promise<string>);
  /**
   * A ready client (say, one with its own retries or logging). Wins over `apiKey`, `region`,
   * `baseUrl` and `wsUrl`.
   */
  client?: AuiClient;
  /** The AUI region the handler's client talks to, used with `apiKey`. Default `'gcp'`; ignored with `baseUrl`. */
  region?: 'gcp' | 'azure' | 'aws';
  /** Another AUI deployment's REST base URL (or a local mock), used with `apiKey`. Default: the region's. */
  baseUrl?: string;
  /** Another AUI deployment's WebSocket URL, used with `apiKey`. Default: `baseUrl` as ws(s), with the session path. */
  wsUrl?: string;
  /**
   * Where the routes live: `{basePath}/tasks`, `{basePath}/messages`, …. Default `'/api/aui'`.
   * With `protocol: 'ai-sdk'`, the one route's own path; default `'/api/chat'` (`useChat`'s default).
   */
  basePath?: string;
  /**
   * What the handler speaks. `'aui'` (default): the five routes `createProxyClient` calls.
   * `'ai-sdk'`: the route the Vercel AI SDK's `useChat` posts to, `POST {basePath}`, answered with
   * a UI message stream (see `toUIMessageStream` in `aui-messaging/ai`). It sends the last user
   * message to the chat's AUI task — created for the signed-in user on the chat's first message,
   * and named in each answer's `message.metadata.taskId`, which `useChat` posts back with the
   * conversation — under the same checks as the other routes (ownership, limits, CSRF; extras
   * only from `transform`). Its refusals are plain text, which `useChat` shows as `error.message`.
   * Throws `InvalidRequestError` at creation for any other value.
   */
  protocol?: 'aui' | 'ai-sdk';
  /**
   * Required: who is calling. Return `{ userId }` for a signed-in user, or `null` to answer 401
   * (the app's own session: a cookie, a JWT, Auth.js `auth()`). Runs after the path, method and
   * origin checks, so a cross-site request never reaches it. A throw answers 500 (and is logged).
   */
  authorize: (request: Request, env?: Env) => AuiUser | null | Promise<AuiUser | null>;
  /**
   * The only way `agent`, `agent_variables` or `context` reach AUI: gets a copy of the body after
   * the browser's own extras were dropped (`{ user_id }` for a new task, `{ task_id, text }` for a turn;
   * a `useChat` message that starts a chat makes both calls) and returns what goes upstream
   * (`user_id` and `task_id` are put back after it). Default: none.
   */
  transform?: (
    body: Record<string, unknown>,
    user: AuiUser,
  ) => Record<string, unknown> | Promise<Record<string, unknown>>;
  /** Caps on body size, text length and turns per minute; each default is on its field. */
  limits?: AuiHandlerLimits;
  /**
   * Cross-origin callers, by exact origin (`'https://app.example'`): preflights are answered and
   * `access-control-allow-origin` is set for them only. Default: off, same-origin only (a
   * cross-site request is 403).
   */
  cors?: {
    /** The allowed origins, e.g. `['https://app.example.com']`. */
    origins: string[];
  };
}

/** One HTTP method's export: the second argument (Next.js's route context, say) is ignored. */
type MethodHandler = (request: Request, ...ignored: unknown[]) => Promise<Response>;

/**
 * The proxy: a Fetch handler, `Request` in, `Response` out, that never throws (every failure is
 * a JSON `{ "error": … }` answer). Call it directly, or use the member your framework wants.
 */
export interface AuiHandler<Env = unknown> {
  /** Answers one request; `env` is handed to `apiKey` and `authorize`. */
  (request: Request, env?: Env, ctx?: unknown): Promise<Response>;
  /** For Next.js and Remix routes: `export const { GET, POST } = handler`. */
  GET: MethodHandler;
  /** For Next.js and Remix routes: `export const { GET, POST } = handler`. */
  POST: MethodHandler;
  /** Answers CORS preflights when `cors` is on (405 otherwise); Next.js routes each method separately. */
  OPTIONS: MethodHandler;
  /** For Workers, Deno and Bun: `export default { fetch: handler.fetch }`; `env` is the bindings. */
  fetch: (request: Request, env?: Env, ctx?: unknown) => Promise<Response>;
}
