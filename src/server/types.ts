/**
 * server/types — the public option and handler types of `aui-messaging/server`, in one place so
 * the web and Node builds of the handler (and the pipeline behind them) share them.
 * Types only. Imports: client (type), keys (type). Never mock, cli or browser.
 */
import type { AuiClient } from '../client/client.ts';
import type { KeyProvider } from '../keys/providers.ts';

/** Who is calling, as `authorize` decided. `userId` becomes the upstream `user_id`. */
export interface AuiUser {
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
  hit(key: string, windowMs: number, rule: TurnRule): number | TurnCount | Promise<number | TurnCount>;
}

/** The proxy's limits: request size, text length and turns per user per minute. */
export interface AuiHandlerLimits {
  /** Request body cap, enforced while reading. Default 64 KiB. */
  maxBodyBytes?: number;
  /** Cap on `text` (UTF-16 code units). Default 16 000. */
  maxTextLength?: number;
  /** Turns (`/messages`, `/messages/stream`) per user per minute. Default: no limit. */
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

export interface AuiHandlerOptions<Env = unknown> {
  /**
   * The network API key: a string, a KeyProvider, or a function of the `env` the handler is
   * called with (Workers bindings), read on every request. Or pass `client` instead.
   */
  apiKey?: string | KeyProvider | ((env: Env) => string | Promise<string>);
  /** A ready client (for example the Node build's, or one with custom options). Wins over `apiKey`. */
  client?: AuiClient;
  /** Used with `apiKey`. */
  region?: 'gcp' | 'azure' | 'aws';
  baseUrl?: string;
  wsUrl?: string;
  /** Where the routes live. Default `'/api/aui'`. */
  basePath?: string;
  /** Required: no anonymous proxy. `null` → 401. */
  authorize: (request: Request, env?: Env) => AuiUser | null | Promise<AuiUser | null>;
  /** The only way `agent`, `agent_variables` or `context` reach AUI. Gets the body after the browser's extras were dropped. */
  transform?: (
    body: Record<string, unknown>,
    user: AuiUser,
  ) => Record<string, unknown> | Promise<Record<string, unknown>>;
  limits?: AuiHandlerLimits;
  /** Off by default (same-origin only). With it, these exact origins may call cross-origin. */
  cors?: { origins: string[] };
}

type Method = (request: Request, ...rest: unknown[]) => Promise<Response>;

/**
 * Call it, or use `.GET`/`.POST` (Next.js, Remix) or `.fetch` (Workers, Deno, Bun). `.OPTIONS`
 * answers CORS preflights when `cors` is on (Next.js routes each method separately).
 */
export type AuiHandler<Env = unknown> = ((
  request: Request,
  env?: Env,
  ctx?: unknown,
) => Promise<Response>) & {
  GET: Method;
  POST: Method;
  OPTIONS: Method;
  fetch: (request: Request, env?: Env, ctx?: unknown) => Promise<Response>;
};
