/**
 * keys/providers — where the network API key comes from. The client asks a KeyProvider before
 * every HTTP attempt and every WebSocket connect and keeps nothing beyond that attempt, so a
 * rotated key takes effect on the next request. Also owns the browser guard.
 * Imports: errors (leaf), runtime (leaf), ./env. Never http, session or client.
 */
import { AuiError, InvalidRequestError } from '../errors/errors.ts';
import { isBrowser } from '../runtime/platform.ts';
import { readEnv } from './env.ts';

export interface KeyRequest {
  /** True after the server rejected the last key (a 401 or a socket auth failure). */
  forceRefresh: boolean;
  signal?: AbortSignal | undefined;
}

export interface KeyProvider {
  getKey(request: KeyRequest): string | Promise<string>;
}

/** What `apiKey` accepts: a key, a provider, or a function called like `getKey`. */
export type ApiKeyInput = string | KeyProvider | ((request: KeyRequest) => string | Promise<string>);

// Providers that hold a raw long-lived key carry this mark: refused in browsers unless the app opts in.
const RAW_KEY = Symbol.for('aui-messaging.key.raw');
type Marked = KeyProvider & { [RAW_KEY]?: true };

/** A fixed key. Fine on a server; refused in a browser unless `dangerouslyAllowBrowser`. */
export function staticKey(key: string): KeyProvider {
  if (typeof key !== 'string' || key.trim() === '')
    throw new InvalidRequestError('apiKey: expected a non-empty string', ['apiKey']);
  return { [RAW_KEY]: true, getKey: () => key } as Marked;
}

/**
 * A key read from the environment on every call (so a rotated variable is picked up): the
 * process/Deno/Bun environment, or an explicit `env` object such as a Workers binding.
 */
export function envKey(name = 'AUI_NETWORK_API_KEY', env?: Record<string, unknown>): KeyProvider {
  return {
    [RAW_KEY]: true,
    getKey: () => {
      const value = env ? env[name] : readEnv(name);
      if (typeof value !== 'string' || value === '') {
        throw new InvalidRequestError(`No API key: set ${name} or pass \`apiKey\`.`, ['apiKey']);
      }
      return value;
    },
  } as Marked;
}

export interface CachedKeyOptions {
  /** Reload this many ms before `expiresAt`. Default 60 s. */
  refreshBefore?: number;
}

/**
 * Wraps a loader of short-lived keys: one load shared by concurrent callers, reloaded before
 * expiry and whenever the server rejected the key (`forceRefresh`).
 */
export function cachedKey(
  load: (
    request: KeyRequest,
  ) => Promise<{ key: string; expiresAt?: number }> | { key: string; expiresAt?: number },
  options: CachedKeyOptions = {},
): KeyProvider {
  const refreshBefore = options.refreshBefore ?? 60_000;
  let current: { key: string; expiresAt?: number } | undefined;
  let loading: Promise<string> | undefined;

  return {
    getKey(request) {
      if (current && !request.forceRefresh && (current.expiresAt ?? Infinity) - refreshBefore > Date.now())
        return current.key;
      // Forget a stale or rejected key now, so a failed reload is not followed by it.
      current = undefined;
      // `.finally` runs after `loading` is assigned, even when `load` throws synchronously.
      return (loading ??= (async () => {
        const loaded = await load(request);
        if (!loaded || typeof loaded.key !== 'string' || loaded.key === '')
          throw new AuiError('cachedKey: the loader returned no key.');
        current = loaded;
        return loaded.key;
      })().finally(() => (loading = undefined)));
    },
  };
}

/** Normalises `apiKey` once, at the edge, and applies the browser guard. */
export function toKeyProvider(input: ApiKeyInput | undefined, dangerouslyAllowBrowser = false): KeyProvider {
  const provider =
    input === undefined
      ? envKey()
      : typeof input === 'string'
        ? staticKey(input)
        : typeof input === 'function'
          ? { getKey: input }
          : input;
  if (typeof provider?.getKey !== 'function') {
    throw new InvalidRequestError('apiKey: expected a string, a KeyProvider or a function', ['apiKey']);
  }
  if ((provider as Marked)[RAW_KEY] && !dangerouslyAllowBrowser && isBrowser()) {
    throw new AuiError(
      'A raw API key in browser code is public: proxy calls (createAuiHandler), use a KeyProvider of short-lived keys, or set `dangerouslyAllowBrowser: true`.',
    );
  }
  return provider;
}

/** Asks the provider and checks the answer; never includes the key in any error. */
export async function resolveKey(provider: KeyProvider, request: KeyRequest): Promise<string> {
  const key = await provider.getKey(request);
  if (typeof key !== 'string' || key === '')
    throw new InvalidRequestError('apiKey: expected getKey to return a non-empty string', ['apiKey']);
  return key;
}
