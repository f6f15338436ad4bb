// session/connection — the session's socket over time, the way partysocket keeps one: at most one
// socket at a time, a new one whenever the session wants one, and the whole policy for getting it
// on one screen. Backoff counts connects that failed in a row (never a lifetime); a completed
// turn, or a socket that stayed up for minUptime, starts the count again. A key the server
// rejects is refreshed once; handshakes that keep failing are checked against REST, because a
// rejected key and an unreachable host look the same to a browser (close 1006).
// Knows sockets and keys, not turns. Imports: errors, keys, runtime, ./socket, ./options, ./state.

import { APIConnectionError, AuiError, AuthenticationError } from '../errors/errors.ts';
import { type KeyProvider, resolveKey } from '../keys/providers.ts';
import { authenticationHint } from '../keys/source.ts';
import type { Log } from '../runtime/logger.ts';
import { jitter } from '../runtime/timers.ts';
import type { WebSocketSource } from '../runtime/websocket.ts';
import type { ResolvedSessionOptions } from './options.ts';
import { Socket, type SocketEnding, type SocketEvents } from './socket.ts';
import { callName, type SessionKind, type SessionState, type StateChange } from './state.ts';

/** What a connection needs from the client: shared by every session of the client, held by reference. */
export interface ConnectionDeps {
  wsUrl: string;
  keys: KeyProvider;
  log: Log;
  webSocket: () => WebSocketSource | Promise<WebSocketSource>;
}

/**
 * What a connection asks of and reports to its engine: methods of the engine (a class instance),
 * a stable call target per frame, and no closures or copies per session.
 */
export interface ConnectionEvents {
  onOpen(): void;
  onFrame(data: unknown): void;
  /** The open socket went away (a turn on it must be recovered). Not sent for a socket the session hung up. */
  onLost(why: string): void;
  /** No socket can be had: the key was rejected again after its refresh, AUI cannot be reached, or reconnects ran out. */
  onFailed(error: AuiError): void;
  /** Every change of state (the session's `state` event). */
  onState(change: StateChange): void;
  /** Whether anyone needs a socket now (turns waiting, or a long-lived session). */
  wanted(): boolean;
  /** A REST read without retries: resolves when AUI can be reached and takes the key. */
  probe(): Promise<void>;
}

/** The session's socket over time; its `onSocket…` methods are the current socket's reports (SocketEvents). */
export class Connection implements SocketEvents {
  readonly #deps: ConnectionDeps;
  readonly #policy: ResolvedSessionOptions;
  readonly #events: ConnectionEvents;
  /** How messages start: `messages.stream` for a one-shot turn, `session` for a long-lived one. */
  readonly #where: string;
  /** A one-shot turn fails at once when neither the socket nor REST can reach the host. */
  readonly #oneShot: boolean;
  #state: SessionState = 'connecting';
  #socket: Socket | undefined;
  #connecting = false;
  #probing = false;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** Connects that failed in a row: what `reconnect.maxRetries` limits. */
  #failures = 0;
  #handshakeFailures = 0;
  #lastCause: string | undefined;
  /** Ask the KeyProvider with forceRefresh on the next connect. */
  #refreshKey = false;
  /** The key was refreshed after a rejection and has not been seen to work since. */
  #keyRefreshed = false;

  constructor(
    deps: ConnectionDeps,
    policy: ResolvedSessionOptions,
    events: ConnectionEvents,
    kind: SessionKind,
  ) {
    this.#deps = deps;
    this.#policy = policy;
    this.#events = events;
    this.#oneShot = kind === 'one-shot';
    this.#where = callName(kind);
  }

  get state(): SessionState {
    return this.#state;
  }

  /** A socket is open now (not merely opened once and closing). */
  get isOpen(): boolean {
    return this.#socket?.isOpen === true;
  }

  /** Sends on the open socket; call only when `isOpen`. */
  send(payload: string): void {
    this.#socket?.send(payload);
  }

  /** Connects now, unless a socket is open or on its way, or a retry is already scheduled. */
  ensureOpen(): void {
    const busy = this.#socket || this.#connecting || this.#probing || this.#retryTimer;
    if (this.#state !== 'closed' && !busy) void this.#connect();
  }

  /**
   * Closes the socket because the session no longer wants what it carries (an abort, a bad frame,
   * an idle turn). Only `idle` counts as a failed connection; otherwise a new socket follows at once
   * if one is wanted: stopping an answer is not a network problem.
   */
  hangUp(why: string, options: { failed?: boolean } = {}): void {
    const socket = this.#socket;
    if (!socket) return;
    this.#socket = undefined;
    socket.hangUp();
    this.#deps.log('debug', `${this.#where}: hung up (${why}).`);
    if (options.failed) this.#retryLater(why);
    else this.#reconnectIfWanted();
  }

  /** A frame that is not an error arrived: the server takes this key. */
  keyAccepted(): void {
    this.#keyRefreshed = false;
  }

  /** A whole turn went through on this socket: it works, whatever came before. */
  turnCompleted(): void {
    this.#failures = 0;
  }

  /** The server rejected the key on the open socket (an error frame 401/403). */
  keyRejected(why: string): void {
    const socket = this.#socket;
    this.#socket = undefined;
    socket?.hangUp();
    this.#onKeyRejected(why);
  }

  close(why: string): void {
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    this.#socket?.hangUp();
    this.#socket = undefined;
    this.#setState('closed', { reason: why });
  }

  async #connect(): Promise<void> {
    this.#connecting = true;
    this.#setState('connecting');
    let source: WebSocketSource;
    let key: string;
    try {
      const forceRefresh = this.#refreshKey;
      [source, key] = await Promise.all([
        this.#deps.webSocket(),
        resolveKey(this.#deps.keys, { forceRefresh }),
      ]);
    } catch (error) {
      this.#connecting = false;
      this.#events.onFailed(
        error instanceof AuiError ? error : this.#error('could not get a WebSocket and a key'),
      );
      return;
    }
    this.#connecting = false;
    this.#refreshKey = false;
    if (this.#state === 'closed') return;
    const url = new URL(this.#deps.wsUrl);
    url.searchParams.set('network_api_key', key);
    try {
      // Lifecycle reports come here; frames go straight to the engine that reads them.
      this.#socket = new Socket(source, url.href, key, this.#policy.connectTimeout, this, this.#events);
    } catch {
      // The constructor's own error names the URL, and the URL carries the key: say less.
      this.#events.onFailed(this.#error('could not create a WebSocket (check wsUrl)'));
    }
  }

  onSocketOpen(): void {
    this.#handshakeFailures = 0;
    this.#lastCause = undefined;
    this.#setState('open');
    this.#events.onOpen();
  }

  onSocketEnd(ending: SocketEnding): void {
    this.#socket = undefined;
    if (ending.uptime >= this.#policy.reconnect.minUptime) {
      this.#failures = 0;
      this.#keyRefreshed = false;
    }
    if (!ending.opened) {
      this.#handshakeFailed(ending);
      return;
    }
    const why = closeDescription(ending);
    this.#deps.log('debug', `${this.#where}: ${why}.`);
    this.#events.onLost(why);
    // A 1008 before any frame is the server refusing the key it accepted the socket with.
    if (ending.code === 1008 && ending.frames === 0) this.#onKeyRejected(why);
    else this.#retryLater(why);
  }

  #handshakeFailed(ending: SocketEnding): void {
    this.#handshakeFailures++;
    this.#lastCause = ending.cause ?? `close ${ending.code}`;
    const why = `could not connect to ${this.#host()} (${this.#lastCause})`;
    // A one-shot turn asks REST after the first failure, a session after every second one.
    const probeNow = this.#oneShot || this.#handshakeFailures % 2 === 0;
    if (probeNow) void this.#probe(why);
    else this.#retryLater(why);
  }

  /** Asks REST whether AUI can be reached and takes the key, after handshakes failed. */
  async #probe(why: string): Promise<void> {
    this.#probing = true;
    this.#refreshKey = true; // a rejected key can look like any failed handshake
    let failure: unknown;
    try {
      await this.#events.probe();
    } catch (error) {
      failure = error;
    }
    this.#probing = false;
    if (this.#state === 'closed') return;
    if (failure instanceof AuthenticationError) {
      this.#events.onFailed(failure);
      return;
    }
    if (failure instanceof APIConnectionError && this.#oneShot) {
      this.#events.onFailed(
        this.#error(`cannot reach ${this.#host()} (${this.#lastCause}); REST could not either`),
      );
      return;
    }
    this.#retryLater(why);
  }

  /** Another attempt after a backoff, unless nobody needs a socket or the failures ran out. */
  #retryLater(why: string): void {
    if (this.#state === 'closed' || !this.#events.wanted()) return;
    const { maxRetries, minDelay, maxDelay } = this.#policy.reconnect;
    if (this.#failures >= maxRetries) {
      // The cause a handshake gave (ECONNREFUSED) says more than how the last socket closed.
      const cause = this.#lastCause ?? why;
      this.#events.onFailed(
        this.#error(`could not connect to ${this.#host()} after ${maxRetries} attempts (${cause})`),
      );
      return;
    }
    const retryIn = jitter(this.#failures++, minDelay, maxDelay);
    this.#setState('reconnecting', { retryIn, reason: why });
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      void this.#connect();
    }, retryIn);
  }

  #reconnectIfWanted(): void {
    if (this.#state !== 'closed' && this.#events.wanted()) this.ensureOpen();
  }

  /** One refresh of the key and one reconnect; a second rejection ends the session. */
  #onKeyRejected(why: string): void {
    if (this.#keyRefreshed) {
      this.#events.onFailed(
        new AuthenticationError({
          status: 401,
          body: { detail: why },
          message: `${this.#where}: the server rejected the key (${why})`,
          hint: authenticationHint(this.#deps.keys, this.#deps.wsUrl),
        }),
      );
      return;
    }
    this.#keyRefreshed = true;
    this.#refreshKey = true;
    this.#deps.log('info', `${this.#where}: ${why}; retrying once with a refreshed key.`);
    this.#reconnectIfWanted();
  }

  /** `host:port` of the socket URL, for messages (computed when one is written, not kept per session). */
  #host(): string {
    return new URL(this.#deps.wsUrl).host;
  }

  #error(what: string): APIConnectionError {
    return new APIConnectionError(`${this.#where}: ${what}.`);
  }

  #setState(current: SessionState, extra: { retryIn?: number; reason?: string } = {}): void {
    const previous = this.#state;
    if (previous === current && current !== 'reconnecting') return;
    this.#state = current;
    this.#events.onState({ previous, current, ...extra });
  }
}

/** `close 1011`, `close 1000 (going away)`. */
function closeDescription(ending: SocketEnding): string {
  return ending.reason ? `close ${ending.code} (${ending.reason})` : `close ${ending.code}`;
}
