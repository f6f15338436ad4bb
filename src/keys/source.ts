// keys/source — where a provider's key comes from, for messages: a 401 says which source gave
// the refused key and what to check there, never the key. The providers made by ./providers
// carry a mark (non-enumerable, under a Symbol.for key so two copies of the package agree);
// an app's own KeyProvider has none and is "your KeyProvider".
// Imports: shared/urls. Never http, session or client. (Providers are typed as `object` here, so
// ./providers can import this file without a circle.)

import { shownUrl } from '../shared/urls.ts';

const SOURCE = Symbol.for('aui-messaging.key.source');

/** What the mark records about a provider. */
export interface KeySource {
  /** Where the key comes from, as words: "the AUI_NETWORK_API_KEY environment variable". */
  label: string;
  /**
   * A raw long-lived key (a string, `staticKey`, `envKey`): refused in browsers unless the app
   * opts in with `dangerouslyAllowBrowser`.
   */
  raw: boolean;
  /** How the key is renewed: read again on each request (env), never (a fixed string), or asked of a provider. */
  renewal: 'reread' | 'fixed' | 'provider';
}

const APP_PROVIDER: KeySource = { label: 'your KeyProvider', raw: false, renewal: 'provider' };

/** Marks `provider` with its source; returns it. */
export function withSource<P extends object>(provider: P, source: KeySource): P {
  Object.defineProperty(provider, SOURCE, { value: source });
  return provider;
}

function sourceOf(provider: object): KeySource {
  const mark = (provider as { [SOURCE]?: KeySource })[SOURCE];
  return mark ?? APP_PROVIDER;
}

/**
 * Where `provider`'s keys come from, as words for a message: "the AUI_NETWORK_API_KEY
 * environment variable", "the `apiKey` option", "your `apiKey` function", "your cachedKey
 * loader" or "your KeyProvider".
 */
export function keySourceOf(provider: object): string {
  return sourceOf(provider).label;
}

/** True for a provider that holds a raw long-lived key (a string, `staticKey`, `envKey`). */
export function holdsRawKey(provider: object): boolean {
  return sourceOf(provider).raw;
}

/**
 * The sentence an `AuthenticationError` ends with: which source gave the refused key, and what
 * to check there. `url` is where the key was refused (the REST baseUrl or the WebSocket URL);
 * only its scheme, host and path are shown. Never contains the key.
 * @example
 * new AuthenticationError({ status: 401, body, hint: authenticationHint(keys, wsUrl) });
 * // "401 Not authenticated — the key from the AUI_NETWORK_API_KEY environment variable was
 * //  refused by https://host/api/ia-controller. Check that it is a network API key for this
 * //  region (`region` or `baseUrl`) and not revoked; a rotated variable is read again on the
 * //  next request."
 */
export function authenticationHint(provider: object, url: string): string {
  const { label, renewal } = sourceOf(provider);
  const refused = `the key from ${label} was refused by ${shownUrl(url)}`;
  const check = 'Check that it is a network API key for this region (`region` or `baseUrl`)';
  switch (renewal) {
    case 'reread':
      return `${refused}. ${check} and not revoked; a rotated variable is read again on the next request.`;
    case 'fixed':
      return `${refused}. ${check} and not revoked; a fixed key cannot refresh itself: pass the new key, or a KeyProvider.`;
    case 'provider':
      return `${refused}, and so was the key it gave when asked again with \`forceRefresh: true\`. ${check}.`;
  }
}
