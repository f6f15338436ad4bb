// server/handler.node — the Node build of `aui-messaging/server` (the `node` export condition).
// Identical to ./handler except that clients it makes come from the Node build, which finds a
// WebSocket on Node 20 (no global one there) through the lazy `ws` fallback.
// Imports: client/node, ./*. Never mock, cli or browser.

import { AuiClient } from '../client/node.ts';
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
 * `createAuiHandler` as built for Node (the `node` condition of `aui-messaging/server`): the same
 * proxy, whose client finds a WebSocket on Node 20 too. Editors show the web build's
 * documentation: both builds share its declarations.
 */
export function createAuiHandler<Env = unknown>(options: AuiHandlerOptions<Env>): AuiHandler<Env> {
  return buildHandler(options, (clientOptions) => new AuiClient(clientOptions));
}
