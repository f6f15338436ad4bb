/**
 * runtime/websocket.node — the Node build's WebSocket: the runtime's own when it has one
 * (Node ≥ 22), else `isomorphic-ws` (→ `ws`), imported on first connect so that nobody who
 * only uses REST pays for it. The only file of the SDK that may name `ws`.
 */
import {
  type SocketHandlers,
  webSocketSource,
  type WebSocketConstructor,
  type WebSocketLike,
  type WebSocketSource,
} from './websocket.ts';

let fallback: Promise<WebSocketSource> | undefined;

export function nodeWebSocketSource(user?: unknown): Promise<WebSocketSource> | WebSocketSource {
  if (user || typeof (globalThis as { WebSocket?: unknown }).WebSocket === 'function')
    return webSocketSource(user);
  fallback ??= import('isomorphic-ws').then((mod) => ({
    ctor: ((mod as { default?: unknown }).default ?? mod) as WebSocketConstructor,
    headers: true, // ws takes { headers } on the upgrade request
    listen: listenWs,
  }));
  return fallback;
}

/**
 * `ws` is an EventEmitter: its `on` skips the MessageEvent it would build per frame for
 * `addEventListener`, which is most of its per-frame cost on a long turn, and takes the handlers
 * as they are (no wrapper per socket). Text frames arrive as Buffers (`isBinary` false).
 */
function listenWs(ws: WebSocketLike, on: SocketHandlers): void {
  const emitter = ws as unknown as { on(event: string, fn: (...args: any[]) => void): void };
  ws.binaryType = 'nodebuffer'; // a Buffer's toString() is plain UTF-8
  emitter.on('open', on.open);
  emitter.on('message', on.message);
  emitter.on('close', on.close);
  emitter.on('error', () => {});
}
