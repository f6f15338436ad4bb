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

export type WebSocketConstructor = new (url: string, options?: unknown) => WebSocketLike;

export interface WebSocketSource {
  ctor: WebSocketConstructor;
  /** The constructor takes `{ headers }` as its second argument. */
  headers: boolean;
}

type Globals = { WebSocket?: unknown; Bun?: unknown; Deno?: { version?: { deno?: string } } };

export function webSocketSource(user?: unknown): WebSocketSource {
  if (user) return { ctor: user as WebSocketConstructor, headers: false };
  const g = globalThis as unknown as Globals;
  if (typeof g.WebSocket !== 'function') {
    throw new APIConnectionError('This runtime has no WebSocket. Pass one as the `WebSocket` client option.');
  }
  return { ctor: g.WebSocket as WebSocketConstructor, headers: Boolean(g.Bun) || denoAtLeast(2, 5, g.Deno?.version?.deno) };
}

function denoAtLeast(major: number, minor: number, version: string | undefined): boolean {
  if (!version) return false;
  const [a = 0, b = 0] = version.split('.').map(Number);
  return a > major || (a === major && b >= minor);
}
