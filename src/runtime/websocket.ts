// runtime/websocket — which WebSocket constructor the web build uses, whether it may be given
// headers, and how the session's handlers are attached. Only the runtime's own constructors known
// to take an options object (Bun, Deno ≥ 2.5) get one: a standard constructor reads a second
// argument as subprotocols, and workerd leaves such a socket hanging in CONNECTING with no event.
// A leaf: imports only errors and ./globals.

import { APIConnectionError } from '../errors/errors.ts';
import { runtimeGlobals } from './globals.ts';

/** The part of a WebSocket the SDK uses: the standard one, `ws`, or a user-supplied constructor's. */
export interface WebSocketLike {
  /** `1` once open (the standard values). */
  readonly readyState: number;
  /** Set to `'arraybuffer'` by the SDK. */
  binaryType: string;
  /** Sends one text frame. */
  send(data: string): void;
  /** Closes the socket. */
  close(code?: number, reason?: string): void;
  /** Adds a listener for `open`, `message`, `error` or `close`. */
  // `any`: every implementation (the DOM's, ws's, a user's) types its events its own way.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  addEventListener(type: string, listener: (event: any) => void): void;
}

/** A WebSocket constructor, as the `WebSocket` client option takes it: called with the URL only. */
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** A runtime's own constructor, which may take `{ headers }` as a second argument (Bun, Deno ≥ 2.5, `ws`). */
type SocketConstructor = new (url: string, options?: { headers: Record<string, string> }) => WebSocketLike;

/** `readyState` of a socket that can send. */
export const OPEN = 1;

/**
 * What a socket reports to the session, as methods of an object the session keeps (a class
 * instance): the runtime's listeners call them once per frame, and a method of a class is one
 * stable call target for V8 across sockets, where a fresh closure per socket is not.
 */
export interface SocketHandlers {
  onOpen(): void;
  /** A frame: a string, or (binary) an ArrayBuffer. */
  onMessage(data: unknown): void;
  /** Why the socket could not connect or broke, when the runtime says (`ECONNREFUSED`); never a URL. */
  onError(cause: string | undefined): void;
  /** `reason` is a string, or a Buffer on the `ws` path. */
  onClose(code: number, reason: unknown): void;
}

/** How one runtime's sockets are made. */
export interface WebSocketSource {
  ctor: SocketConstructor;
  /** The constructor takes `{ headers }` as its second argument. */
  headers: boolean;
  /** How to attach handlers, when not the standard {@link listen}. */
  listen?: typeof listen;
}

/**
 * Attaches the handlers through the standard EventTarget API. (The Node build's `ws` fallback
 * brings its own, faster `listen`: see ./websocket.node.) The `error` listener is also what keeps
 * a user-supplied `ws` constructor alive: `ws` is an EventEmitter, and an `error` with no
 * listener (a refused handshake) is thrown.
 */
export function listen(ws: WebSocketLike, on: SocketHandlers): void {
  ws.addEventListener('open', () => on.onOpen());
  ws.addEventListener('message', (event: { data: unknown }) => on.onMessage(event.data));
  ws.addEventListener('error', (event: unknown) => on.onError(failureCause(event)));
  ws.addEventListener('close', (event: { code: number; reason: string }) =>
    on.onClose(event.code, event.reason),
  );
}

/**
 * A short reason from a socket's error event or Error, safe to show: a system error code
 * (`ECONNREFUSED`, `ENOTFOUND`) or the HTTP status a handshake got. Never the message itself:
 * runtimes put the socket URL in it, and that URL carries the key.
 */
export function failureCause(event: unknown): string | undefined {
  const error = (event as { error?: unknown } | null)?.error ?? event;
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && /^E[A-Z_]{2,}$/.test(code)) return code;
  if (typeof message !== 'string') return undefined;
  const status = /Unexpected server response: (\d{3})/.exec(message);
  if (status) return `HTTP ${status[1]} to the handshake`;
  return /\b(E[A-Z]{3,}[A-Z_]*)\b/.exec(message)?.[1];
}

/** The runtime's WebSocket (or the user's constructor, which never gets headers). */
export function webSocketSource(user?: WebSocketConstructor): WebSocketSource {
  if (user) return { ctor: user, headers: false };
  const { WebSocket, Bun } = runtimeGlobals;
  if (typeof WebSocket !== 'function') {
    throw new APIConnectionError('No WebSocket here: pass the `WebSocket` option.');
  }
  return { ctor: WebSocket as SocketConstructor, headers: Boolean(Bun) || isDenoAtLeast(2, 5) };
}

function isDenoAtLeast(major: number, minor: number): boolean {
  const version = runtimeGlobals.Deno?.version?.deno;
  if (!version) return false;
  const [actualMajor = 0, actualMinor = 0] = version.split('.').map(Number);
  return actualMajor > major || (actualMajor === major && actualMinor >= minor);
}
