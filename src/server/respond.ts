// server/respond — how the proxy's JSON answers are written: data as JSON, errors as
// `{ "error": <envelope> }` with the matching status. Headers are built here from scratch, so
// no upstream header can ride along. Imports: ./errors. Never keys, mock or browser.

import type { PublicError } from './errors.ts';

// Per-user data: never cached by a shared cache, never sniffed into something executable.
const JSON_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

export function json(data: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(data), { status, headers: { ...JSON_HEADERS, ...headers } });
}

export function errorResponse(error: PublicError, headers: Record<string, string> = {}): Response {
  return json({ error: error.envelope }, error.status, { ...headers, ...error.headers });
}
