// runtime/websocket.node — the Node build's WebSocket: the runtime's own when it has one (Node ≥ 22),
// else `isomorphic-ws` (→ `ws`), imported on first connect so that nobody who only uses REST pays
// for it. The only file of the SDK that may name `ws`.

import { runtimeGlobals } from './globals.ts';
import {
  failureCause,
  type SocketHandlers,
  webSocketSource,
  type WebSocketConstructor,
  type WebSocketLike,
  type WebSocketSource,
} from './websocket.ts';

let wsFallback: Promise<WebSocketSource> | undefined;

/** The user's constructor, the global WebSocket, or (Node 20) `ws` through isomorphic-ws. */
export function nodeWebSocketSource(user?: WebSocketConstructor): Promise<WebSocketSource> | WebSocketSource {
  if (user || typeof runtimeGlobals.WebSocket === 'function') return webSocketSource(user);
  wsFallback ??= import('isomorphic-ws').then((mod) => ({
    ctor: ((mod as { default?: unknown }).default ?? mod) as WebSocketSource['ctor'],
    headers: true, // ws takes { headers } on the upgrade request
    listen: listenWs,
  }));
  return wsFallback;
}

type Emitter = { on(event: string, listener: (...args: never[]) => void): void };

/**
 * `ws` is an EventEmitter: its `on` skips the MessageEvent it would build per frame for
 * `addEventListener`, which is most of its per-frame cost on a long turn. Text frames arrive as
 * Buffers with `isBinary` false; a Buffer's toString() is plain UTF-8.
 */
function listenWs(ws: WebSocketLike, on: SocketHandlers): void {
  const emitter = ws as unknown as Emitter;
  ws.binaryType = 'nodebuffer';
  emitter.on('open', () => on.onOpen());
  emitter.on('message', (data: { toString(): string }, isBinary: boolean) =>
    on.onMessage(isBinary ? data : data.toString()),
  );
  emitter.on('error', (error: unknown) => on.onError(failureCause(error)));
  emitter.on('close', (code: number, reason: unknown) => on.onClose(code, reason));
}
