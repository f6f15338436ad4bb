/**
 * session/session — the WebSocket engine. One socket, one turn at a time (the API's frames may
 * carry no task_id), the rest queued within maxQueueBytes. Reconnects with backoff, refreshes
 * the key once on an auth failure, probes REST when handshakes keep failing, and hands an
 * interrupted turn to ./recovery so it is never silently lost and never doubled.
 * `messages.stream()` runs a one-shot Session (open → one turn → close); `aui.session()` a
 * long-lived one. Produces MessageStreams; never imports http or client (REST reads come in as
 * a function). Imports: errors, keys, schemas, stream, runtime, ./options, ./recovery.
 */
import {
  APIConnectionError,
  APITimeoutError,
  APIUserAbortError,
  AuiError,
  AuthenticationError,
  type Delivered,
  SessionClosedError,
  TurnInterruptedError,
} from '../errors/errors.ts';
import { errorFromFrame } from '../errors/map.ts';
import { type KeyProvider, resolveKey } from '../keys/providers.ts';
import type { Log } from '../runtime/logger.ts';
import { listen, type WebSocketLike, type WebSocketSource } from '../runtime/websocket.ts';
import type { Message } from '../schemas/wire.ts';
import { type Frame, readFrame } from '../stream/frames.ts';
import { MessageStream, type StreamSink } from '../stream/message-stream.ts';
import { jitter } from '../runtime/timers.ts';
import type { ResolvedSessionOptions } from './options.ts';
import { recover, type Watermark, type WatermarkStore } from './recovery.ts';

export type SessionState = 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface StateChange {
  previous: SessionState;
  current: SessionState;
  /** ms until the next attempt, while reconnecting. */
  retryIn?: number;
  reason?: string;
}

export interface StreamParams {
  task_id: string;
  text: string;
  context?: Record<string, unknown> | null;
}

export interface StreamOptions {
  signal?: AbortSignal;
  /** A total cap for this turn in ms (none by default: idleTimeout guards a silent socket). */
  timeout?: number;
}

export interface HistoryOptions {
  signal?: AbortSignal;
  /** HTTP retries for this read; the probe asks for none, so an unreachable host fails at once. */
  maxRetries?: number;
}

/** A one-shot session carries one turn on its own socket (`messages.stream`); a long-lived one keeps its socket (`aui.session()`). */
export type SessionKind = 'one-shot' | 'long-lived';

/** What the engine needs from the client, passed in so session never imports http. */
export interface SessionDeps {
  wsUrl: string;
  keys: KeyProvider;
  log: Log;
  webSocket: () => WebSocketSource | Promise<WebSocketSource>;
  /** `tasks.messages` over REST (the watermark, recovery and the reachability probe). */
  history: (task_id: string, options?: HistoryOptions) => Promise<Message[]>;
  watermarks: WatermarkStore;
}

interface Connection {
  ws: WebSocketLike;
  /** When `open` fired; 0 while the handshake is still running. */
  openedAt: number;
  closed?: boolean;
  /** Frames since open: a 1008 before any frame is an auth failure. */
  frames: number;
  timer?: ReturnType<typeof setTimeout> | undefined;
}

interface Turn {
  params: StreamParams;
  payload: string;
  bytes: number;
  sink: StreamSink;
  /** The socket the message was handed to; unset while queued (sent ⇔ connection). */
  connection?: Connection | undefined;
  resent?: boolean;
  recovering?: AbortController | undefined;
  watermark?: Watermark | undefined;
  idle?: ReturnType<typeof setTimeout> | undefined;
  /** When the last frame of this turn arrived; the idle timer checks it instead of being re-armed per frame. */
  lastFrameAt?: number;
  deadline?: ReturnType<typeof setTimeout>;
}

/** How a turn ends: its message or error; `close` the socket first; `recovered` from history. */
interface Ending {
  recovered?: boolean;
  close?: Connection | undefined;
  why?: string;
}

const encoder = /* @__PURE__ */ new TextEncoder();

/** Where a turn's message stands when it fails without a better answer: a frame proves AUI had it. */
const deliveredOf = (turn: Turn): Delivered =>
  turn.connection ? (turn.sink.frames > 0 ? true : 'unknown') : false;

export class Session {
  // Shared by every session of a client (held, not copied: a thousand idle sessions carry one).
  #deps: SessionDeps;
  #options: ResolvedSessionOptions;
  /** Close after the first turn ends (messages.stream). */
  #oneShot: boolean;
  #state: SessionState = 'connecting';
  #listeners: Array<(change: StateChange) => void> | undefined;
  #connection: Connection | undefined;
  #connecting = false;
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  #attempt = 0;
  #handshakeFailures = 0;
  #authRetried = false;
  #forceRefresh = false;
  #queue: Turn[] = [];
  #queuedBytes = 0;
  #current: Turn | undefined;
  #closing = false;
  #closed: Promise<void> | undefined;
  #resolveClosed: (() => void) | undefined;

  constructor(deps: SessionDeps, options: ResolvedSessionOptions, kind: SessionKind) {
    const oneShot = kind === 'one-shot';
    this.#deps = deps;
    this.#options = options;
    this.#oneShot = oneShot;
    if (!oneShot) void this.#connect();
  }

  get state(): SessionState {
    return this.#state;
  }

  on(event: 'state', listener: (change: StateChange) => void): this {
    if (event === 'state') (this.#listeners ??= []).push(listener);
    return this;
  }

  off(event: 'state', listener: (change: StateChange) => void): this {
    if (event === 'state') this.#listeners = this.#listeners?.filter((l) => l !== listener);
    return this;
  }

  /** Queues one turn; it is sent when the socket is open and no other turn is in flight. */
  stream(params: StreamParams, options: StreamOptions = {}): MessageStream {
    const { signal, timeout } = options;
    let turn: Turn | undefined;
    const stream = new MessageStream((sink) => {
      const payload = JSON.stringify(
        params.context == null ? { task_id: params.task_id, text: params.text } : params,
      );
      const bytes = encoder.encode(payload).length;
      const refused = this.#closing // also true once closed
        ? new SessionClosedError()
        : this.#queuedBytes + bytes > this.#options.maxQueueBytes
          ? new APIConnectionError('session: queue full (maxQueueBytes); the turn was not sent.')
          : undefined;
      if (refused) {
        refused.delivered = false;
        return void queueMicrotask(() => sink.fail(refused));
      }
      const queued: Turn = (turn = { params, payload, bytes, sink });
      this.#queue.push(queued);
      this.#queuedBytes += bytes;
      this.#readWatermark(params.task_id);
      queueMicrotask(() => this.#pump());
      return (reason) => this.#drop(queued, reason);
    });
    const queued = turn;
    if (queued && timeout !== undefined) {
      queued.deadline = setTimeout(() => {
        const error = new APITimeoutError(`session: timed out after ${timeout} ms.`);
        error.delivered = queued.connection ? 'unknown' : false;
        this.#drop(queued, error);
      }, timeout);
    }
    if (queued && signal) {
      if (signal.aborted) queueMicrotask(() => stream.abort());
      else signal.addEventListener('abort', () => stream.abort(), { once: true });
    }
    return stream;
  }

  /** Lets the turn in flight finish, rejects queued turns with SessionClosedError, then closes. */
  close(): Promise<void> {
    // Already closed by a failure (auth, reconnects exhausted): nothing left to wait for.
    if (this.#state === 'closed') this.#closed ??= Promise.resolve();
    if (this.#closed) return this.#closed;
    this.#closing = true;
    this.#closed = new Promise((resolve) => (this.#resolveClosed = resolve));
    for (const turn of this.#queue.splice(0)) this.#end(turn, new SessionClosedError());
    this.#queuedBytes = 0;
    if (!this.#current) this.#shutdown('close()');
    return this.#closed;
  }

  /* ------------------------------------------------------------------------ connecting */

  async #connect(): Promise<void> {
    if (this.#connecting || this.#connection || this.#state === 'closed') return;
    this.#connecting = true;
    this.#setState('connecting');
    let source: WebSocketSource;
    let key: string;
    try {
      [source, key] = await Promise.all([
        this.#deps.webSocket(),
        resolveKey(this.#deps.keys, { forceRefresh: this.#forceRefresh }),
      ]);
    } catch (error) {
      this.#connecting = false;
      return this.#failAll(() =>
        error instanceof AuiError ? error : new APIConnectionError('session: could not connect.'),
      );
    }
    this.#forceRefresh = this.#connecting = false;
    if ((this.#state as SessionState) === 'closed') return;

    const url = new URL(this.#deps.wsUrl);
    url.searchParams.set('network_api_key', key);
    let ws: WebSocketLike;
    try {
      // Never an options object to a standard or user-supplied constructor (see runtime/websocket).
      ws = source.headers
        ? new source.ctor(url.href, { headers: { 'x-network-api-key': key } })
        : new source.ctor(url.href);
      ws.binaryType = 'arraybuffer';
    } catch {
      // The constructor's own error names the URL, and the URL carries the key: say less.
      return this.#failAll(
        () => new APIConnectionError('session: could not create a WebSocket (check wsUrl).'),
      );
    }
    const connection: Connection = (this.#connection = { ws, openedAt: 0, frames: 0 });
    connection.timer = setTimeout(
      () => this.#lost(connection, 'connect timeout'),
      this.#options.connectTimeout,
    );
    (source.listen ?? listen)(ws, {
      open: () => {
        if (connection.closed) return;
        clearTimeout(connection.timer);
        connection.openedAt = Date.now();
        this.#handshakeFailures = 0;
        this.#setState('open');
        this.#pump();
      },
      message: (data, isBinary) => this.#onFrame(connection, isBinary === false ? String(data) : data),
      close: (code, reason) => this.#onClose(connection, code ?? 1006, String(reason ?? '')),
    });
  }

  #onFrame(connection: Connection, data: unknown): void {
    if (connection.closed) return;
    connection.frames++;
    const turn = this.#current;
    if (turn?.connection !== connection || turn.recovering)
      return this.#deps.log('debug', 'session: a stray frame was ignored.');
    turn.lastFrameAt = Date.now();
    let frame: Frame;
    try {
      frame = readFrame(data);
    } catch (error) {
      (error as AuiError).delivered = true;
      // Never let this socket carry the rest of a turn that has failed.
      return this.#end(turn, error, { close: connection, why: 'malformed frame' });
    }
    if (typeof frame === 'string' || frame.kind === 'final') this.#authRetried = false; // the key works
    if (typeof frame === 'string') return turn.sink.frame(frame);
    if (frame.kind === 'final') {
      this.#deps.watermarks.advance(turn.params.task_id, frame.message);
      return this.#end(turn, frame.message);
    }
    if (frame.kind === 'unknown') return this.#deps.log('debug', 'session: an unknown frame was ignored.');
    const error = errorFromFrame(frame.frame);
    if ((error.status === 401 || error.status === 403) && !this.#authRetried && turn.sink.frames === 0) {
      return this.#retryAuth(connection, 'auth error frame');
    }
    error.delivered = error.status >= 500 ? 'unknown' : false;
    this.#end(turn, error, { close: connection, why: `error frame ${error.status}` });
  }

  #onClose(connection: Connection, code: number, reason: string): void {
    if (connection.closed) return;
    this.#deps.log('debug', `session: closed ${code} ${reason}`);
    // A socket that stayed open for minUptime had its key accepted: a later 1008 starts afresh.
    if (this.#uptimeReached(connection)) this.#authRetried = false;
    if (code !== 1008 || !connection.openedAt || connection.frames > 0)
      return this.#lost(connection, `close ${code}`);
    // 1008 with no frame since open: refresh the key once, then give up.
    if (!this.#authRetried) return this.#retryAuth(connection, reason || 'close 1008');
    this.#hangUp(connection);
    const detail = reason || 'close 1008 before any frame';
    this.#failAll(() => new AuthenticationError({ status: 401, body: { detail } }));
  }

  #uptimeReached(connection: Connection | undefined): boolean {
    return !!connection?.openedAt && Date.now() - connection.openedAt >= this.#options.reconnect.minUptime;
  }

  /** The socket is gone (or must go): reconnect, and recover the turn that was on it. */
  #lost(connection: Connection, why: string): void {
    if (connection.closed) return;
    this.#hangUp(connection);
    const turn = this.#current;
    if (turn?.connection === connection && !turn.recovering && !turn.sink.ended)
      void this.#recover(turn, why);
    // Handshakes that never open look the same whether the key or the network is at fault: ask REST.
    if (!connection.openedAt && ++this.#handshakeFailures % 2 === 0) return void this.#probe(why);
    this.#scheduleReconnect(why, connection);
  }

  /** An auth failure on a socket: one reconnect with a refreshed key. */
  #retryAuth(connection: Connection, why: string): void {
    this.#authRetried = this.#forceRefresh = true;
    this.#hangUp(connection);
    this.#deps.log('info', `session: ${why}; retrying once with a refreshed key.`);
    // The server refused the connection before this turn produced anything: it was not processed.
    const turn = this.#current;
    if (turn?.connection === connection && turn.sink.frames === 0) this.#requeue(turn);
    void this.#connect();
  }

  async #probe(why: string): Promise<void> {
    const task_id = (this.#current ?? this.#queue[0])?.params.task_id;
    this.#forceRefresh = true;
    if (task_id) {
      try {
        await this.#deps.history(task_id);
      } catch (error) {
        // A fresh copy per turn (an error carries its turn's `delivered`).
        if (error instanceof AuthenticationError) return this.#failAll(() => new AuthenticationError(error));
      }
    }
    this.#scheduleReconnect(why);
  }

  #scheduleReconnect(why: string, previous?: Connection): void {
    if (this.#reconnectTimer || this.#connection || this.#connecting || this.#state === 'closed') return;
    if ((this.#oneShot || this.#closing) && !this.#queue.length) {
      if (!this.#current) this.#shutdown(why);
      return; // a turn still recovering over REST needs no socket
    }
    const policy = this.#options.reconnect;
    if (this.#uptimeReached(previous)) this.#attempt = 0;
    if (this.#attempt >= policy.maxRetries) {
      return this.#failAll(
        () =>
          new APIConnectionError(
            `session: could not reconnect after ${policy.maxRetries} attempts (${why}).`,
          ),
      );
    }
    const retryIn = jitter(this.#attempt++, policy.minDelay, policy.maxDelay);
    this.#setState('reconnecting', { retryIn, reason: why });
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      void this.#connect();
    }, retryIn);
  }

  /* ---------------------------------------------------------------------------- turns */

  #pump(): void {
    if (this.#current || this.#state === 'closed') return;
    const turn = this.#queue[0];
    if (!turn) {
      if (this.#closing || this.#oneShot) this.#shutdown('done');
      return;
    }
    const connection = this.#connection;
    if (!connection?.openedAt) {
      // #connect ignores the call while a socket is connecting or open; a scheduled reconnect keeps its delay.
      if (!this.#reconnectTimer) void this.#connect();
      return;
    }
    const { task_id } = turn.params;
    const { watermarks, log } = this.#deps;
    const options = this.#options;
    const reading = watermarks.reading.get(task_id);
    if (reading) return void reading.then(() => this.#pump());
    this.#queue.shift();
    this.#queuedBytes -= turn.bytes;
    this.#current = turn;
    turn.connection = connection;
    turn.watermark = watermarks.get(task_id);
    log('debug', `session: turn sent on ${task_id}.`);
    try {
      connection.ws.send(turn.payload);
    } catch {
      // The socket died between open and send; close will follow and recovery decides.
    }
    // One idle timer per turn, not one per frame: when it fires early (frames kept coming), it
    // re-arms for the rest.
    turn.lastFrameAt = Date.now();
    const check = () => {
      const quiet = Date.now() - turn.lastFrameAt!;
      if (quiet >= options.idleTimeout) this.#lost(connection, 'idle timeout');
      else turn.idle = setTimeout(check, options.idleTimeout - quiet);
    };
    turn.idle = setTimeout(check, options.idleTimeout);
  }

  /** Starts the history read that gives a task's first turn its watermark. */
  #readWatermark(task_id: string): void {
    const { watermarks, history, log } = this.#deps;
    if (watermarks.get(task_id) || watermarks.reading.has(task_id)) return;
    const read = history(task_id)
      .then((entries) => void watermarks.fromHistory(task_id, entries))
      .catch(() => log('debug', 'session: watermark read failed.'))
      .finally(() => watermarks.reading.delete(task_id));
    watermarks.reading.set(task_id, read);
  }

  async #recover(turn: Turn, why: string): Promise<void> {
    clearTimeout(turn.idle);
    const { watermarks, history, log } = this.#deps;
    const options = this.#options;
    const { task_id, text } = turn.params;
    const { signal } = (turn.recovering = new AbortController());
    log('info', `session: turn interrupted (${why}); recovering from history.`);
    const outcome = await recover({
      text,
      watermark: turn.watermark,
      frames: turn.sink.frames,
      resent: !!turn.resent,
      store: watermarks,
      read: () => history(task_id, { signal }),
      timeout: options.recoveryTimeout,
      signal,
    });
    turn.recovering = undefined;
    if (signal.aborted || turn.sink.ended) return;
    if (outcome.action === 'deliver') {
      watermarks.advance(task_id, outcome.message);
      return this.#end(turn, outcome.message, { recovered: true });
    }
    if (outcome.action === 'fail')
      return this.#end(
        turn,
        new TurnInterruptedError({ task_id, delivered: outcome.delivered, partialText: turn.sink.text }),
      );
    turn.resent = true;
    log('info', 'session: the message never reached AUI; resending.');
    this.#requeue(turn);
  }

  /** Puts a turn that AUI provably did not process back at the head of the queue. */
  #requeue(turn: Turn): void {
    clearTimeout(turn.idle); // not the deadline: a per-turn timeout spans the resend
    if (this.#current === turn) this.#current = undefined;
    turn.connection = undefined;
    this.#queue.unshift(turn);
    this.#queuedBytes += turn.bytes;
    this.#pump();
  }

  /** The consumer aborted or the turn timed out. */
  #drop(turn: Turn, error: AuiError): void {
    const queued = this.#queue.indexOf(turn);
    if (queued !== -1) {
      this.#queue.splice(queued, 1);
      this.#queuedBytes -= turn.bytes;
    }
    turn.recovering?.abort();
    // An abort already ended the stream (the user's own APIUserAbortError); a timeout has not.
    this.#end(turn, error instanceof APIUserAbortError ? undefined : error, {
      close: turn === this.#current ? turn.connection : undefined,
      why: 'turn abandoned',
    });
  }

  /**
   * Ends a turn with its message or error and moves on. `close`: the socket goes first, so the
   * next turn is never sent on a socket that still carries frames of this one.
   */
  #end(turn: Turn, outcome: Message | unknown, how: Ending = {}): void {
    this.#finish(turn);
    if (how.close) this.#lost(how.close, how.why!); // every caller that closes says why
    if (outcome instanceof Error) {
      (outcome as AuiError).delivered ??= deliveredOf(turn);
      turn.sink.fail(outcome);
    } else if (outcome) {
      turn.sink.final(outcome as Message, how.recovered);
    }
    this.#pump();
  }

  #finish(turn: Turn): void {
    clearTimeout(turn.idle);
    clearTimeout(turn.deadline);
    if (this.#current === turn) this.#current = undefined;
  }

  /** Ends every turn (the one in flight and the queued ones) with a fresh error each, then closes. */
  #failAll(make: () => AuiError): void {
    const turns = [...(this.#current ? [this.#current] : []), ...this.#queue.splice(0)];
    this.#queuedBytes = 0;
    let error = make();
    for (const turn of turns) {
      turn.recovering?.abort();
      this.#finish(turn);
      error.delivered ??= deliveredOf(turn);
      turn.sink.fail(error);
      error = make();
    }
    this.#shutdown(error.message);
  }

  #shutdown(why: string): void {
    if (this.#state === 'closed') return;
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = undefined;
    if (this.#connection) this.#hangUp(this.#connection);
    this.#closing = true;
    this.#setState('closed', { reason: why });
    this.#resolveClosed?.();
  }

  /** Marks a connection dead and closes its socket; nothing it carries is read after this. */
  #hangUp(connection: Connection): void {
    connection.closed = true;
    clearTimeout(connection.timer);
    if (this.#connection === connection) this.#connection = undefined;
    try {
      if (connection.ws.readyState < 2) connection.ws.close(1000);
    } catch {
      // already closing
    }
  }

  #setState(current: SessionState, extra?: { retryIn?: number; reason?: string }): void {
    const previous = this.#state;
    if (previous === current && current !== 'reconnecting') return;
    this.#state = current;
    const change: StateChange = { previous, current, ...extra };
    // `off` replaces the array, so a listener removing itself cannot disturb this loop.
    for (const listener of this.#listeners ?? []) {
      try {
        listener(change);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}
