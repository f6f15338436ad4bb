// browser/endpoint — the browser client's options, checked once when the client is made: where
// the proxy is, which fetch reaches it, which headers go along. A relative URL works only where a
// page can resolve it; anywhere else (Node, Deno, Bun, workerd) each call fails, by name, before
// any request, instead of as an unreachable server. Making the client there must not throw: a
// framework renders the page's components on the server first (Next.js, React Router), and a
// client made during that render is only called later, in the browser.
// Imports errors/, shared/. Never server, keys, mock or http.

import { InvalidRequestError } from '../errors/errors.ts';
import { withoutTrailingSlashes } from '../shared/values.ts';

/** Options of {@link createProxyClient}. */
export interface ProxyClientOptions {
  /**
   * Where `createAuiHandler` is mounted. In a browser page a path such as `'/api/aui'` is enough
   * (it resolves against the page); elsewhere pass an absolute URL such as
   * `'http://localhost:3000/api/aui'`.
   */
  url: string;
  /** The `fetch` to call the proxy with. Default: the global `fetch`, looked up on each call. */
  fetch?: typeof fetch;
  /** Sent on every request, say the app's own auth header for `authorize`. Default: none. */
  headers?: Record<string, string>;
}

/** The proxy as every call reaches it: its URL without trailing slashes, the fetch, the headers. */
export interface ProxyEndpoint {
  url: string;
  fetch: typeof fetch | undefined;
  headers: Record<string, string> | undefined;
}

/**
 * Checks the options once. Throws `InvalidRequestError` (path `['url']`) for a missing URL or one
 * that is not http(s); a relative URL with no page to resolve it against throws on each call
 * instead (see {@link requestUrl}).
 */
export function toProxyEndpoint(options: ProxyClientOptions): ProxyEndpoint {
  return {
    url: withoutTrailingSlashes(checkUrl(options?.url)),
    fetch: options.fetch,
    headers: options.headers,
  };
}

function checkUrl(url: unknown): string {
  if (typeof url !== 'string' || url.trim() === '') {
    throw new InvalidRequestError(
      "createProxyClient: url is required (where createAuiHandler is mounted, such as '/api/aui').",
      ['url'],
    );
  }
  const page = pageAddress();
  if (!HAS_SCHEME.test(url) && page === undefined) return url; // checked again on each call
  const protocol = protocolOf(url, page);
  if (protocol !== 'http:' && protocol !== 'https:')
    throw new InvalidRequestError(`createProxyClient: url '${url}' is not an http or https URL.`, ['url']);
  // Kept as given: fetch resolves a relative URL against the document's base, which <base> may move.
  return url;
}

/**
 * The address of one call: the endpoint's URL and the path. Throws `InvalidRequestError` (path
 * `['url']`) for a relative URL where there is no page to resolve it against.
 */
export function requestUrl(endpoint: ProxyEndpoint, path: string): string {
  if (!HAS_SCHEME.test(endpoint.url) && pageAddress() === undefined) {
    throw new InvalidRequestError(
      `createProxyClient: the relative url '${endpoint.url}' needs a page to resolve against; outside a browser pass an absolute URL such as http://localhost:3000/api/aui.`,
      ['url'],
    );
  }
  return endpoint.url + path;
}

// `https:`, `http:`, but also `localhost:` in 'localhost:3000/api' (which is no http URL).
const HAS_SCHEME = /^[a-z][a-z\d+.-]*:/i;

function protocolOf(url: string, base: string | undefined): string | undefined {
  try {
    return new URL(url, base).protocol;
  } catch {
    return undefined;
  }
}

/**
 * The page's address, if there is a page (a worker's `location` counts): none in Node, Bun or
 * workerd, nor in Deno without `--location` (where Deno 1 threw on reading it instead).
 */
function pageAddress(): string | undefined {
  try {
    return typeof location === 'undefined' ? undefined : location.href;
  } catch {
    return undefined;
  }
}
