// shared/urls — the part of a URL an error message may show. The REST transport names its
// baseUrl in a 404 or 401, and the key helpers name where a key was refused; a URL can carry a
// key in its user info or its query (the WebSocket URL does), so only scheme, host and path
// are ever shown. A leaf: imports only ./values.

import { withoutTrailingSlashes } from './values.ts';

/**
 * `https://user:pw@host:8443/base/?network_api_key=…#x` → `https://host:8443/base`: scheme,
 * host, port and path, without user info, query, fragment or trailing slash. A string that is
 * not a URL becomes `'(not a URL)'` rather than being echoed.
 */
export function shownUrl(url: string): string {
  try {
    const { origin, pathname } = new URL(url);
    return withoutTrailingSlashes(`${origin}${pathname}`);
  } catch {
    return '(not a URL)';
  }
}
