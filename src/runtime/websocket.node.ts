/**
 * runtime/websocket.node — the Node build's WebSocket: the runtime's own when it has one
 * (Node ≥ 22), else `isomorphic-ws` (→ `ws`), imported on first connect so that nobody who
 * only uses REST pays for it. The only file of the SDK that may name `ws`.
 */
import { webSocketSource, type WebSocketConstructor, type WebSocketSource } from './websocket.ts';

let fallback: Promise<WebSocketSource> | undefined;

export function nodeWebSocketSource(user?: unknown): Promise<WebSocketSource> | WebSocketSource {
  if (user || typeof (globalThis as { WebSocket?: unknown }).WebSocket === 'function') return webSocketSource(user);
  fallback ??= import('isomorphic-ws').then((mod) => ({
    ctor: ((mod as { default?: unknown }).default ?? mod) as WebSocketConstructor,
    headers: true, // ws takes { headers } on the upgrade request
  }));
  return fallback;
}
