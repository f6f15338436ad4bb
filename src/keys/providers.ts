// keys/providers — where the network API key comes from. The client asks a KeyProvider before
// every HTTP attempt and every WebSocket connect and keeps nothing beyond that attempt, so a
// rotated key takes effect on the next request. Also owns the browser guard, and notes every
// key it hands out with the redactor, so that key is removed from any text the SDK shows.
// Imports: errors (leaf), runtime (leaf), ./env, ./source. Never http, session or client.

import { AuiError, BrowserKeyError, InvalidRequestError } from '../errors/errors.ts';
import { noteSecret } from '../errors/redact.ts';
import { isBrowser } from '../runtime/platform.ts';
import { readEnv } from './env.ts';
import { holdsRawKey, withSource } from './source.ts';

/** What the SDK tells a KeyProvider when it asks for a key. */
export interface KeyRequest {
  /** True after the server rejected the last key (a 401 or a socket auth failure): return a new one. */
  forceRefresh: boolean;
  /** Aborts when the call is aborted or its attempt times out: stop loading then. */
  signal?: AbortSignal | undefined;
}

/**
 * Where the client gets the network API key: asked before every HTTP attempt and every
 * WebSocket connect, so a rotated key takes effect on the next request. After a 401 it is asked
 * once more with `forceRefresh: true`. Errors it throws end the call (`delivered: false`).
 * @example
 * const keys: KeyProvider = { getKey: ({ signal }) => vault.read('aui-key', { signal }) };
 * new AuiClient({ apiKey: keys });
 */
export interface KeyProvider {
  /** Returns the key to use now; a new one when `request.forceRefresh` is true. */
  getKey(request: KeyRequest): string | Promise<string>;
}

/** What `apiKey` accepts: a key, a provider, or a function called like `getKey`. */
export type ApiKeyInput = string | KeyProvider | ((request: KeyRequest) => string | Promise<string>);

/**
 * A fixed key. Fine on a server; refused in a browser unless `dangerouslyAllowBrowser`.
 * @throws InvalidRequestError when `key` is not a non-empty string.
 * @example
 * new AuiClient({ apiKey: staticKey(secrets.auiKey) }); // the same as `apiKey: secrets.auiKey`
 */
export function staticKey(key: string): KeyProvider {
  if (typeof key !== 'string' || key.trim() === '')
    throw new InvalidRequestError('apiKey: expected a non-empty string', ['apiKey']);
  return withSource({ getKey: () => key }, { label: 'the `apiKey` option', raw: true, renewal: 'fixed' });
}

/**
 * A key read from the environment on every call, so a rotated variable is picked up: the
 * process/Deno/Bun environment, or an explicit `env` object such as a Workers binding. The
 * client's default is `envKey('AUI_NETWORK_API_KEY')`. A call fails with `InvalidRequestError`
 * (before any request) when the variable is unset or empty.
 * @example
 * new AuiClient({ apiKey: envKey('AUI_KEY_STAGING') });
 * new AuiClient({ apiKey: envKey('AUI_NETWORK_API_KEY', env) }); // in a Worker: `env` holds the bindings
 */
export function envKey(name = 'AUI_NETWORK_API_KEY', env?: Record<string, unknown>): KeyProvider {
  const label = env ? `${name} in the env object given to envKey` : `the ${name} environment variable`;
  const getKey = () => {
    const value = env ? env[name] : readEnv(name);
    if (typeof value !== 'string' || value === '') {
      throw new InvalidRequestError(`No API key: set ${name} or pass \`apiKey\`.`, ['apiKey']);
    }
    return value;
  };
  return withSource({ getKey }, { label, raw: true, renewal: 'reread' });
}

/** Options of `cachedKey`. */
export interface CachedKeyOptions {
  /** Reload this many ms before `expiresAt`. Default 60 s. */
  refreshBefore?: number;
}

/** What a `cachedKey` loader returns: the key, and when it expires (epoch ms) if it does. */
export interface LoadedKey {
  /** The key. */
  key: string;
  /** When it expires, in epoch ms; never, when absent. */
  expiresAt?: number;
}

/**
 * Wraps a loader of short-lived keys: one load shared by concurrent callers, reused until
 * `refreshBefore` ms before `expiresAt`, reloaded whenever the server rejected the key
 * (`forceRefresh`). A failed load fails the calls waiting on it; the next call loads again.
 * @example
 * const apiKey = cachedKey(async ({ signal }) => {
 *   const res = await fetch('/api/aui-key', { signal });
 *   return (await res.json()) as { key: string; expiresAt: number };
 * });
 */
export function cachedKey(
  load: (request: KeyRequest) => Promise<LoadedKey> | LoadedKey,
  options: CachedKeyOptions = {},
): KeyProvider {
  const refreshBefore = options.refreshBefore ?? 60_000;
  let current: LoadedKey | undefined;
  let loading: Promise<string> | undefined;
  const isFresh = (key: LoadedKey) => (key.expiresAt ?? Infinity) - refreshBefore > Date.now();

  const getKey = (request: KeyRequest): string | Promise<string> => {
    if (current && !request.forceRefresh && isFresh(current)) return current.key;
    // Forget a stale or rejected key now, so a failed reload is not followed by it.
    current = undefined;
    // `.finally` runs after `loading` is assigned, even when `load` throws synchronously.
    loading ??= (async () => {
      const loaded = await load(request);
      if (!loaded || typeof loaded.key !== 'string' || loaded.key === '')
        throw new AuiError('cachedKey: the loader returned no key.');
      current = loaded;
      return loaded.key;
    })().finally(() => {
      loading = undefined;
    });
    return loading;
  };
  return withSource({ getKey }, { label: 'your cachedKey loader', raw: false, renewal: 'provider' });
}

/** Normalises `apiKey` once, at the edge, and applies the browser guard. */
export function toKeyProvider(input: ApiKeyInput | undefined, dangerouslyAllowBrowser = false): KeyProvider {
  const provider = providerOf(input);
  if (typeof provider?.getKey !== 'function') {
    throw new InvalidRequestError('apiKey: expected a string, a KeyProvider or a function', ['apiKey']);
  }
  if (!isBrowser()) return provider;
  if (input === undefined && readEnv('AUI_NETWORK_API_KEY') === undefined) {
    throw new BrowserKeyError(
      'No API key: a browser has no AUI_NETWORK_API_KEY. Call AUI through your server (createAuiHandler, and createProxyClient from aui-messaging/browser), or pass `apiKey` as a KeyProvider that fetches short-lived keys.',
    );
  }
  if (holdsRawKey(provider) && !dangerouslyAllowBrowser) {
    throw new BrowserKeyError(
      'A raw API key in browser code is public: proxy calls (createAuiHandler), use a KeyProvider of short-lived keys, or set `dangerouslyAllowBrowser: true`.',
    );
  }
  return provider;
}

function providerOf(input: ApiKeyInput | undefined): KeyProvider {
  if (input === undefined) return envKey();
  if (typeof input === 'string') return staticKey(input);
  if (typeof input === 'function') {
    return withSource(
      { getKey: input },
      { label: 'your `apiKey` function', raw: false, renewal: 'provider' },
    );
  }
  return input;
}

/**
 * Asks the provider and checks the answer; never includes the key in any error. Every key it
 * returns is noted with the redactor (`noteSecret`), so no error or log line can show it.
 */
export async function resolveKey(provider: KeyProvider, request: KeyRequest): Promise<string> {
  const key = await provider.getKey(request);
  if (typeof key !== 'string' || key === '')
    throw new InvalidRequestError('apiKey: expected getKey to return a non-empty string', ['apiKey']);
  noteSecret(key);
  return key;
}
