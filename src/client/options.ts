/**
 * client/options — `AuiClientOptions`, normalised once at the edge: region → URLs, defaults,
 * the key provider, the logger. Everything after this works with `ResolvedOptions` only.
 * Imports: valibot, errors, keys, runtime, schemas/check.
 */
import * as v from 'valibot';
import { type ApiKeyInput, toKeyProvider, type KeyProvider } from '../keys/providers.ts';
import { createLog, LEVELS, type Log, type Logger, type LogLevel } from '../runtime/logger.ts';
import { checkInput } from '../schemas/check.ts';
import { atLeast, headers, integerFrom, nonEmpty, oneOf, text } from '../schemas/params.ts';
import { typed } from '../schemas/wire.ts';
import type { SessionOptions } from '../session/options.ts';

export type Region = 'gcp' | 'azure' | 'aws';

/** REST bases per region (wire decision 2: the docs' hosts for gcp/azure, the official SDK's for aws). */
export const REGION_URLS: Record<Region, string> = {
  gcp: 'https://data-services.aui.io/api/ia-controller',
  azure: 'https://azure.aui.io/api/ia-controller',
  aws: 'https://aws.aui.io/ia-controller',
};

export interface AuiClientOptions {
  /** A key, a KeyProvider, or a function like `getKey`. Default `envKey('AUI_NETWORK_API_KEY')`. */
  apiKey?: ApiKeyInput;
  /** Default `'gcp'`. Ignored when `baseUrl` is given. */
  region?: Region;
  /** REST base, e.g. `https://data-services.aui.io/api/ia-controller`. */
  baseUrl?: string;
  /** Full session URL (`…/api/v1/external/session`). Default: the REST base with `wss:`. */
  wsUrl?: string;
  /** ms per HTTP attempt. Default 60 000. */
  timeout?: number;
  /** HTTP retries after the first attempt. Default 2. */
  maxRetries?: number;
  /** `task_origin_type` for `tasks.create` when the call gives none. Default `'web-widget'`. */
  taskOriginType?: string;
  fetch?: typeof globalThis.fetch;
  /** A WebSocket constructor; a user-supplied one is called with the URL only (no headers). */
  WebSocket?: unknown;
  /** Extra headers on every HTTP request (never on the WebSocket). */
  headers?: Record<string, string>;
  /** Default `console`. Every line is redacted. */
  logger?: Logger;
  /** Default `'warn'`. */
  logLevel?: LogLevel;
  /** Defaults for streaming (`messages.stream`, `session()`): timeouts, reconnect policy, queue. */
  session?: SessionOptions;
  /** Allow a raw key in browser code. Anyone who opens the page can then read the key. */
  dangerouslyAllowBrowser?: boolean;
}

export interface ResolvedOptions {
  baseUrl: string;
  wsUrl: string;
  timeout: number;
  maxRetries: number;
  taskOriginType: string;
  headers: Record<string, string>;
  fetch?: typeof globalThis.fetch | undefined;
  WebSocket?: unknown;
  keys: KeyProvider;
  log: Log;
  session: SessionOptions;
}

const url = (protocols: RegExp, what: string) =>
  text((value) => {
    try {
      return protocols.test(new URL(value).protocol);
    } catch {
      return false; // not a URL (URL.canParse is too new for some browsers we support)
    }
  }, `an ${what} URL`);

const ms = v.optional(atLeast(1));
export const SessionOptionsSchema = v.optional(
  v.looseObject({
    connectTimeout: ms,
    idleTimeout: ms,
    maxQueueBytes: ms,
    recoveryTimeout: ms,
    reconnect: v.optional(
      v.looseObject({
        maxRetries: v.optional(integerFrom(0)),
        minDelay: v.optional(atLeast(0)),
        maxDelay: v.optional(atLeast(0)),
        minUptime: v.optional(atLeast(0)),
      }),
    ),
  }),
);

const ClientOptionsSchema = v.optional(
  v.looseObject({
    region: v.optional(oneOf(Object.keys(REGION_URLS))),
    baseUrl: v.optional(url(/^https?:$/, 'http(s)')),
    wsUrl: v.optional(url(/^wss?:$/, 'ws(s)')),
    timeout: ms,
    maxRetries: v.optional(integerFrom(0)),
    taskOriginType: v.optional(nonEmpty),
    fetch: v.optional(typed('function')),
    headers,
    logLevel: v.optional(oneOf(LEVELS)),
    session: SessionOptionsSchema,
  }),
);

export function resolveOptions(options: AuiClientOptions = {}): ResolvedOptions {
  checkInput(ClientOptionsSchema, options, 'new AuiClient', 'options');
  const baseUrl = (options.baseUrl ?? REGION_URLS[options.region ?? 'gcp']).replace(/\/+$/, '');
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
