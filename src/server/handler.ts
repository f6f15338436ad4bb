/**
 * server/handler — entry of `aui-messaging/server` (web build: Workers, Vercel Edge, Deno, Bun,
 * browsers' service workers). `createAuiHandler` turns a Fetch `Request` into a `Response`
 * with the network key kept on the server; see ./pipeline for the checks and ./actions for the
 * routes. The Node build (./handler.node) differs only in the client it makes.
 * Imports: client/client (web build), ./*. Never node:*, ws, client/node, mock, cli or browser.
 */
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

export function createAuiHandler<Env = unknown>(options: AuiHandlerOptions<Env>): AuiHandler<Env> {
  return buildHandler(options, (clientOptions) => new AuiClient(clientOptions));
}
