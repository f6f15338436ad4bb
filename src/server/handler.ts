/**
 * The proxy that keeps the network API key on your server: `createAuiHandler`.
 * @module aui-messaging/server
 */
// server/handler — entry of `aui-messaging/server` (web build: Workers, Vercel Edge, Deno, Bun,
// browsers' service workers). `createAuiHandler` turns a Fetch `Request` into a `Response`
// with the network key kept on the server; see ./pipeline for the checks and ./actions for the
// routes. The Node build (./handler.node) differs only in the client it makes.
// Imports: client/client (web build), ./*. Never node:*, ws, client/node, mock, cli or browser.

import { AuiClient } from '../client/client.ts';
import { buildHandler } from './pipeline.ts';
import type { AuiHandler, AuiHandlerOptions } from './types.ts';

export type {
  AuiHandler,
  AuiHandlerLimits,
  AuiHandlerOptions,
  AuiUser,
  TurnCount,
  TurnCounter,
  TurnRule,
  TurnWindow,
} from './types.ts';

/**
 * The AUI proxy for a browser: a Fetch handler that serves `createProxyClient` at `basePath`
 * (`POST /tasks`, `GET /tasks`, `GET /tasks/:id/messages`, `POST /messages`,
 * `POST /messages/stream` as SSE) — or, with `protocol: 'ai-sdk'`, the AI SDK's `useChat` at
 * `POST {basePath}` — and keeps the network key on the server. Each request is
 * checked in this order: unknown path 404; wrong method 405 with `allow` (with `cors` on, an
 * OPTIONS preflight is answered here); a cross-site request 403 (unless `cors` lists its
 * origin); `authorize` returning null 401; a POST that is not `application/json` 415; a body
 * over `maxBodyBytes` 413 (or not a JSON object, 400); then per route a text over
 * `maxTextLength` 413, a missing field or bad page number 400, a malformed task id 404, another
 * user's task 404 (the same answer as a missing one), and past `turnsPerMinute` 429. Only then
 * is AUI called, with `user_id` from `authorize` and extras from `transform` only; its failures
 * reach the browser as the SDK's error classes, never with upstream internals or the key.
 *
 * Throws `InvalidRequestError` at once when `authorize` is missing.
 *
 * @example
 * // Next.js (App Router), app/api/aui/[...path]/route.ts
 * export const { GET, POST } = createAuiHandler({ apiKey: envKey('AUI_NETWORK_API_KEY'), authorize });
 *
 * // Next.js, app/api/chat/route.ts: the endpoint of the AI SDK's useChat<AuiUIMessage>() (aui-messaging/ai)
 * export const { POST } = createAuiHandler({ protocol: 'ai-sdk', apiKey: envKey('AUI_NETWORK_API_KEY'), authorize });
 *
 * // Cloudflare Workers (and Deno, Bun): the key from the bindings
 * const handler = createAuiHandler<Env>({ apiKey: (env) => env.AUI_NETWORK_API_KEY, authorize });
 * export default { fetch: handler.fetch };
 *
 * // node:http
 * import { toNodeListener } from 'aui-messaging/server/node';
 * http.createServer(toNodeListener(createAuiHandler({ apiKey: envKey('AUI_NETWORK_API_KEY'), authorize })));
 *
 * // authorize: the app's own session → { userId }, or null for 401
 * const authorize = async (request: Request) => {
 *   const session = await getSession(request);
 *   return session ? { userId: session.userId } : null;
 * };
 */
export function createAuiHandler<Env = unknown>(options: AuiHandlerOptions<Env>): AuiHandler<Env> {
  return buildHandler(options, (clientOptions) => new AuiClient(clientOptions));
}
