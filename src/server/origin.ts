// server/origin — CSRF and CORS. With `cors` off only same-origin browsers may call: a
// `Sec-Fetch-Site: cross-site` request or a foreign `Origin` is refused (403) before the app's
// `authorize` sees its cookies. With `cors: { origins }`, exactly those origins may call
// cross-origin: preflights are answered and `access-control-allow-origin` is set for them only.
// Imports: ./errors. Never keys, mock or browser.

import { Refusal } from './errors.ts';

type Origins = ReadonlySet<string> | undefined;

const listed = (request: Request, origins: Origins): string | undefined => {
  const origin = request.headers.get('origin');
  return origin !== null && origins?.has(origin) ? origin : undefined;
};

/** Throws 403 for a cross-site request the app did not allow. */
export function checkOrigin(request: Request, origins: Origins): void {
  if (listed(request, origins)) return;
  const site = request.headers.get('sec-fetch-site');
  if (site === 'cross-site') throw new Refusal(403, 'Cross-site requests are not allowed.');
  const origin = request.headers.get('origin');
  // `Sec-Fetch-Site` cannot be set by page scripts, so a browser's own "same-origin" wins over
  // a URL that only looks foreign because a TLS-terminating proxy rewrote scheme or host.
  if (origin !== null && origin !== new URL(request.url).origin && site !== 'same-origin') {
    throw new Refusal(403, 'Cross-origin requests are not allowed.');
  }
}

/** Headers that let a listed origin read the answer; none for anyone else. */
export function corsHeaders(request: Request, origins: Origins): Record<string, string> {
  if (!origins) return {};
  const origin = listed(request, origins);
  if (!origin) return { vary: 'origin' };
  return {
    'access-control-allow-origin': origin,
    'access-control-allow-credentials': 'true',
    'access-control-expose-headers': 'retry-after',
    vary: 'origin',
  };
}

/** The answer to an OPTIONS preflight when `cors` is on: 204 for a listed origin, else 403. */
export function preflight(request: Request, origins: ReadonlySet<string>, allow: string[]): Response {
  const origin = listed(request, origins);
  if (!origin) throw new Refusal(403, 'Cross-origin requests are not allowed.');
  return new Response(null, {
    status: 204,
    headers: {
      ...corsHeaders(request, origins),
      'access-control-allow-methods': allow.join(', '),
      // Whatever the page asked for (its own auth header, say): the proxy forwards none of them upstream.
      'access-control-allow-headers': request.headers.get('access-control-request-headers') || 'content-type',
      'access-control-max-age': '600',
    },
  });
}
