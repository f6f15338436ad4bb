/**
 * runtime/websocket — which WebSocket constructor the web build uses, and whether it may be
 * given headers. Only the runtime's own constructors that are known to take an options object
 * (Bun, Deno ≥ 2.5) get one: a standard constructor reads a second argument as subprotocols,
 * and workerd leaves such a socket hanging in CONNECTING with no event.
 * Leaf module: imports only errors.
 */
import { APIConnectionError } from '../errors/errors.ts';

export interface WebSocketLike {
  readonly readyState: number;
  binaryType: string;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: string, listener: (event: any) => void): void;
}

export interface SocketHandlers {
  open(): void;
  /** `isBinary` is only known on the `ws` path, where a text frame arrives as a Buffer. */
  message(data: unknown, isBinary?: boolean): void;
  /** `reason` is a string, or a Buffer on the `ws` path. */
  close(code: number, reason: unknown): void;
}

/**
 * Attaches the session's handlers through the standard EventTarget API. (The Node build's `ws`
 * fallback brings its own, faster `listen`: see ./websocket.node.)
 * `error` is always followed by `close`, and its payload may name the key-bearing URL: not read.
 * The empty listener is for a user-supplied `ws` constructor: `ws` is an EventEmitter, and an
 * `error` with no listener (a refused handshake, a close while connecting) is thrown.
 */
export function listen(ws: WebSocketLike, on: SocketHandlers): void {
  ws.addEventListener('open', on.open);
  ws.addEventListener('message', (event: { data: unknown }) => on.message(event.data));
  ws.addEventListener('close', (event: { code: number; reason: string }) =>
    on.close(event.code, event.reason),
  );
  ws.addEventListener('error', () => {});
}

export type WebSocketConstructor = new (url: string, options?: unknown) => WebSocketLike;

export interface WebSocketSource {
  ctor: WebSocketConstructor;
  /** The constructor takes `{ headers }` as its second argument. */
  headers: boolean;
  /** How to attach handlers, when not the standard `listen` above. */
  listen?: typeof listen;
}

type Globals = { WebSocket?: unknown; Bun?: unknown; Deno?: { version?: { deno?: string } } };

export function webSocketSource(user?: unknown): WebSocketSource {
  if (user) return { ctor: user as WebSocketConstructor, headers: false };
  const g = globalThis as unknown as Globals;
  if (typeof g.WebSocket !== 'function')
    throw new APIConnectionError('No WebSocket here: pass the `WebSocket` option.');
  // Not Deno: '' reads as version 0.
  const [major = 0, minor = 0] = (g.Deno?.version?.deno ?? '').split('.').map(Number);
  return {
    ctor: g.WebSocket as WebSocketConstructor,
    headers: Boolean(g.Bun) || major > 2 || (major === 2 && minor >= 5),
  };
}
