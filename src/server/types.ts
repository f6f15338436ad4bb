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

/** Counts turns per key in a time window; returns the count in the window including this hit. */
export interface TurnCounter {
  hit(key: string, windowMs: number): number | Promise<number>;
}

export interface AuiHandlerLimits {
  /** Request body cap, enforced while reading. Default 64 KiB. */
  maxBodyBytes?: number;
  /** Cap on `text` (UTF-16 code units). Default 16 000. */
  maxTextLength?: number;
  /** Turns (`/messages`, `/messages/stream`) per user per minute. Default: no limit. */
  turnsPerMinute?: number;
  /** Where turns are counted. Default: in memory, per handler (per isolate on Workers). */
  counter?: TurnCounter;
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
