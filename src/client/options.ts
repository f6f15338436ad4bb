// client/options — `AuiClientOptions`, normalised once at the edge: checked (schemas/input),
// region → URLs, defaults filled in, the key provider and the logger built. Everything after the
// constructor reads `ResolvedOptions` only, which never leaves the package.
// Imports: keys, runtime, schemas, shared, session/options (a type).

import { type ApiKeyInput, toKeyProvider, type KeyProvider } from '../keys/providers.ts';
import { createLog, type Log, type Logger, type LogLevel } from '../runtime/logger.ts';
import type { WebSocketConstructor } from '../runtime/websocket.ts';
import { checkInput } from '../schemas/check.ts';
import { ClientOptionsSchema, type REGIONS } from '../schemas/input.ts';
import type { SessionOptions } from '../session/options.ts';
import { withoutTrailingSlashes } from '../shared/values.ts';

/** Where AUI's API runs: `'gcp'` (the default), `'azure'` or `'aws'`. */
export type Region = (typeof REGIONS)[number];

/**
 * The REST base URL of each region; the session WebSocket is the same host with `wss:`.
 * (gcp and azure as AUI's docs give them; aws as the official SDK has it.)
 */
export const REGION_URLS: Record<Region, string> = {
  gcp: 'https://data-services.aui.io/api/ia-controller',
  azure: 'https://azure.aui.io/api/ia-controller',
  aws: 'https://aws.aui.io/ia-controller',
};

/** How an `AuiClient` reaches AUI. Every option is optional: on a server with `AUI_NETWORK_API_KEY` set, `{}` works. */
export interface AuiClientOptions {
  /**
   * The network API key: a string, a `KeyProvider` (`envKey`, `staticKey`, `cachedKey`) or a
   * function called like `getKey`. Asked before every HTTP attempt and WebSocket connect.
   * Default `envKey('AUI_NETWORK_API_KEY')`.
   */
  apiKey?: ApiKeyInput;
  /** Which region's API to use. Default `'gcp'`. Ignored when `baseUrl` is given. */
  region?: Region;
  /** The REST base URL, e.g. `https://data-services.aui.io/api/ia-controller`. Default: the region's. */
  baseUrl?: string;
  /** The full session WebSocket URL (`wss://…/api/v1/external/session`). Default: `baseUrl` with `wss:`. */
  wsUrl?: string;
  /** ms per HTTP attempt. Default 60 000. */
  timeout?: number;
  /**
   * HTTP retries after the first attempt, for failures worth retrying (connection errors, 408,
   * 409, 429, 5xx; `messages.send` only when AUI provably did not get it). Default 2.
   */
  maxRetries?: number;
  /** `task_origin_type` for `tasks.create` calls that give none. Default `'web-widget'`. */
  taskOriginType?: string;
  /** The `fetch` to use. Default: the runtime's. */
  fetch?: typeof globalThis.fetch;
  /**
   * The WebSocket constructor to use. Default: the runtime's (on Node 20, which has none, the
   * Node build loads `ws`). One passed here is called with the URL alone, so it gets no headers
   * (the key travels in the URL's query, as the API requires). The standard `WebSocket` and
   * `ws`'s both fit.
   */
  WebSocket?: WebSocketConstructor;
  /** Extra headers on every HTTP request (never on the WebSocket). */
  headers?: Record<string, string>;
  /** Where log lines go. Default `console`. Every line is redacted first. */
  logger?: Logger;
  /** The least severe level printed. Default `'warn'`. */
  logLevel?: LogLevel;
  /** Defaults for streaming (`messages.stream`, `session()`): timeouts, reconnect policy, queue size. */
  session?: SessionOptions;
  /**
   * Allow a raw key (a string, `staticKey`, `envKey`) in browser code. Anyone who opens the page
   * can then read the key: prefer `aui-messaging/server` + `aui-messaging/browser`. Default false.
   */
  dangerouslyAllowBrowser?: boolean;
}

/** The options with every default filled in: what the rest of the client reads. */
export interface ResolvedOptions {
  baseUrl: string;
  wsUrl: string;
  timeout: number;
  maxRetries: number;
  taskOriginType: string;
  headers: Record<string, string>;
  fetch?: typeof globalThis.fetch | undefined;
  WebSocket?: WebSocketConstructor | undefined;
  keys: KeyProvider;
  log: Log;
  session: SessionOptions;
}

/** Checks `options` and fills in the defaults; throws `InvalidRequestError` naming a bad option. */
export function resolveOptions(options: AuiClientOptions = {}): ResolvedOptions {
  checkInput(ClientOptionsSchema, options, 'new AuiClient', 'options');
  const baseUrl = withoutTrailingSlashes(options.baseUrl ?? REGION_URLS[options.region ?? 'gcp']);
  return {
    baseUrl,
    wsUrl: options.wsUrl ?? `${baseUrl.replace(/^http/, 'ws')}/api/v1/external/session`,
    timeout: options.timeout ?? 60_000,
    maxRetries: options.maxRetries ?? 2,
    taskOriginType: options.taskOriginType ?? 'web-widget',
    headers: { ...options.headers },
    keys: toKeyProvider(options.apiKey, options.dangerouslyAllowBrowser),
    log: createLog(options.logger, options.logLevel),
    session: { ...options.session },
    WebSocket: options.WebSocket,
    fetch: options.fetch,
  };
}
