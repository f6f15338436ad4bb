// browser/endpoint — the browser client's options, checked once when the client is made: where
// the proxy is, which fetch reaches it, which headers go along. A relative URL works only where a
// page can resolve it; anywhere else (Node, Deno, Bun, workerd) it fails here, by name, instead
// of as an unreachable server on the first call.
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

/** Checks the options once. Throws `InvalidRequestError` (path `['url']`) for a URL that cannot work here. */
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
  if (!HAS_SCHEME.test(url) && page === undefined) {
    throw new InvalidRequestError(
      `createProxyClient: the relative url '${url}' needs a page to resolve against; outside a browser pass an absolute URL such as http://localhost:3000/api/aui.`,
      ['url'],
    );
  }
  const protocol = protocolOf(url, page);
  if (protocol !== 'http:' && protocol !== 'https:')
    throw new InvalidRequestError(`createProxyClient: url '${url}' is not an http or https URL.`, ['url']);
  // Kept as given: fetch resolves a relative URL against the document's base, which <base> may move.
  return url;
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
