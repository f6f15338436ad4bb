// session/socket — one WebSocket, from `new` to its end: the key in the URL (and in a header where
// the runtime's constructor takes one), the connect timeout, and one `end` report that says how it
// went (did it ever open, frames since open, the close code, the cause a runtime gave). A socket
// the session hung up itself reports nothing more. Knows nothing of turns.
// Imports: errors/redact, runtime/websocket.

import { redact } from '../errors/redact.ts';
import {
  listen,
  OPEN,
  type SocketHandlers,
  type WebSocketLike,
  type WebSocketSource,
} from '../runtime/websocket.ts';

/** How a socket ended, for the connection's policy. */
export interface SocketEnding {
  code: number;
  reason: string;
  /** It reached `open` (a handshake that never did is a different failure). */
  opened: boolean;
  /** Frames received since `open`: a 1008 before any frame is an auth failure. */
  frames: number;
  /** ms it stayed open (0 if it never opened). */
  uptime: number;
  /** The runtime's reason (`ECONNREFUSED`, `connect timeout`), when there is one. */
  cause: string | undefined;
}

/** How a socket's life goes, reported to its connection. */
export interface SocketEvents {
  onSocketOpen(): void;
  onSocketEnd(ending: SocketEnding): void;
}

/**
 * Who reads a socket's frames: the engine itself, one hop from the socket on the per-frame path,
 * and a class instance, so the call is one stable target for V8 whatever the socket.
 */
export interface FrameReader {
  onFrame(data: unknown): void;
}

/** One WebSocket; the runtime's listeners call its `on…` methods (SocketHandlers). */
export class Socket implements SocketHandlers {
  /** The last socket made in this process, with its WebSocket: kept alive for V8 (see Turn's last finished turn). */
  // eslint-disable-next-line no-unused-private-class-members -- held on purpose, never read
  static #lastMade: Socket | undefined;
  readonly #ws: WebSocketLike;
  readonly #events: SocketEvents;
  readonly #reader: FrameReader;
  #openedAt: number | undefined;
  #frames = 0;
  #cause: string | undefined;
  #ended = false;
  #connectTimer: ReturnType<typeof setTimeout> | undefined;

  /**
   * Opens a socket to `url` (which already carries the key). Throws what the constructor throws
   * (a bad URL): the caller must not show that error, since the URL carries the key.
   */
  constructor(
    source: WebSocketSource,
    url: string,
    key: string,
    connectTimeout: number,
    events: SocketEvents,
    reader: FrameReader,
  ) {
    this.#events = events;
    this.#reader = reader;
    // Never an options object to a standard or user-supplied constructor (see runtime/websocket).
    this.#ws = source.headers
      ? new source.ctor(url, { headers: { 'x-network-api-key': key } })
      : new source.ctor(url);
    this.#ws.binaryType = 'arraybuffer';
    this.#connectTimer = setTimeout(() => this.#timedOut(), connectTimeout);
    (source.listen ?? listen)(this.#ws, this);
    Socket.#lastMade = this;
  }

  /** Open now, not closing: a message handed to it goes out. */
  get isOpen(): boolean {
    return !this.#ended && this.#ws.readyState === OPEN;
  }

  send(payload: string): void {
    this.#ws.send(payload);
  }

  /** Closes it for good, reporting nothing: the session already decided what it means. */
  hangUp(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#stopConnectTimer();
    try {
      this.#ws.close(1000);
    } catch {
      // Already closing; nothing it carries is read any more.
    }
  }

  onOpen(): void {
    if (this.#ended) return;
    this.#stopConnectTimer();
    this.#openedAt = Date.now();
    this.#events.onSocketOpen();
  }

  onMessage(data: unknown): void {
    if (this.#ended) return;
    this.#frames++;
    this.#reader.onFrame(data);
  }

  onError(cause: string | undefined): void {
    this.#cause ??= cause;
  }

  onClose(code: number | undefined, reason: unknown): void {
    this.#end(code ?? 1006, reasonText(reason));
  }

  /** Cleared and dropped: a cleared Timeout kept in a field would stay on the heap as long as the socket. */
  #stopConnectTimer(): void {
    clearTimeout(this.#connectTimer);
    this.#connectTimer = undefined;
  }

  #timedOut(): void {
    this.#cause = 'connect timeout';
    this.#end(1006, '');
  }

  /** Reports the end once; `hangUp` also closes a socket that timed out while connecting. */
  #end(code: number, reason: string): void {
    if (this.#ended) return;
    this.hangUp();
    const opened = this.#openedAt !== undefined;
    this.#events.onSocketEnd({
      code,
      reason: redact(reason), // servers have echoed the key in a close reason
      opened,
      frames: this.#frames,
      uptime: opened ? Date.now() - this.#openedAt! : 0,
      cause: this.#cause,
    });
  }
}

/** A close reason as text: a string from standard sockets, bytes (a Buffer) from `ws`. */
function reasonText(reason: unknown): string {
  if (typeof reason === 'string') return reason;
  if (reason instanceof Uint8Array) return new TextDecoder().decode(reason);
  return '';
}
