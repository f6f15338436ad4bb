// client/websocket — which WebSocket a client's sessions open. The web build uses the runtime's
// (runtime/websocket); the Node build's AuiClient registers its own finder here as it is built
// (a lazy `ws` where Node has no WebSocket). A table only client/ can reach, rather than a
// protected method, keeps that hook out of the public types.
// Imports: runtime/websocket, ./options (a type).

import { webSocketSource, type WebSocketSource } from '../runtime/websocket.ts';
import type { ResolvedOptions } from './options.ts';

/** How a build turns the `WebSocket` option (or its absence) into a constructor to use. */
export type FindWebSocket = (
  user: ResolvedOptions['WebSocket'],
) => WebSocketSource | Promise<WebSocketSource>;

const finders = /* @__PURE__ */ new WeakMap<object, FindWebSocket>();

/** Makes `client` find its WebSocket with `find` instead of the web build's way. */
export function findWebSocketWith(client: object, find: FindWebSocket): void {
  finders.set(client, find);
}

/** The WebSocket `client` opens its sessions with. */
export function webSocketFor(
  client: object,
  user: ResolvedOptions['WebSocket'],
): WebSocketSource | Promise<WebSocketSource> {
  return (finders.get(client) ?? webSocketSource)(user);
}
