// session/session — the handle a user holds: `aui.session()` (one socket across turns), and inside
// each `messages.stream()` turn a one-shot session (one turn on its own socket). It owns the
// public surface — `stream()`, `state`, `on('state')`, `close()` — and hands every turn to
// ./engine, which coordinates the socket, the turns and their recovery.
// Imports: stream, ./engine, ./state (types), ./turn.

import { MessageStream } from '../stream/message-stream.ts';
import { Engine, type SessionDeps } from './engine.ts';
import type { ResolvedSessionOptions } from './options.ts';
import type { SessionKind, SessionState, StateChange } from './state.ts';
import { type StreamOptions, type StreamParams, Turn } from './turn.ts';

/**
 * A long-lived WebSocket session from `aui.session()`: one socket across turns, one turn at a time,
 * the rest queued. It reconnects with backoff (`state` events say why and when), recovers an
 * interrupted turn from history, and never sends a message twice unless history proves the first
 * never arrived.
 *
 * @example
 * const session = aui.session();
 * session.on('state', ({ current, reason }) => console.log(current, reason ?? ''));
 * const stream = session.stream({ task_id, text: 'Hello' });
 * stream.on('text', (delta) => process.stdout.write(delta));
 * await stream.done();
 * await session.close();
 */
export class Session {
  /**
   * The last session made in this process, with its engine, connection and queue: kept alive for
   * V8, like Turn's last finished turn (see there), since the per-frame path reads them too.
   */
  // eslint-disable-next-line no-unused-private-class-members -- held on purpose, never read
  static #lastMade: Session | undefined;
  readonly #engine: Engine;
  #listeners: Array<(change: StateChange) => void> = [];
  #closed: Promise<void> | undefined;

  /** @internal Made by `AuiClient`: `aui.session()`, or one per `aui.messages.stream()` turn. */
  constructor(deps: SessionDeps, options: ResolvedSessionOptions, kind: SessionKind) {
    this.#engine = new Engine(deps, options, kind, (change) => this.#emitState(change));
    Session.#lastMade = this;
  }

  /** `'connecting' | 'open' | 'reconnecting' | 'closed'`. */
  get state(): SessionState {
    return this.#engine.state;
  }

  /** Every state change; while reconnecting it carries `retryIn` (ms) and `reason` (host and cause). */
  on(event: 'state', listener: (change: StateChange) => void): this {
    if (event === 'state') this.#listeners.push(listener);
    return this;
  }

  /** Removes a `state` listener. */
  off(event: 'state', listener: (change: StateChange) => void): this {
    if (event === 'state') this.#listeners = this.#listeners.filter((l) => l !== listener);
    return this;
  }

  /**
   * Queues one turn; it is sent when the socket is open and the turn before it is done. The stream
   * fails with `SessionClosedError` after `close()`, and with `APIConnectionError` when the queue
   * would pass `maxQueueBytes` (neither was sent: `delivered: false`).
   */
  stream(params: StreamParams, options: StreamOptions = {}): MessageStream {
    return new MessageStream((sink) => this.#engine.submit(new Turn(params, sink), options));
  }

  /** Lets the turn in flight finish, fails queued turns with `SessionClosedError`, then closes. */
  close(): Promise<void> {
    this.#closed ??= this.#engine.close();
    return this.#closed;
  }

  #emitState(change: StateChange): void {
    // `off` replaces the array, so a listener removing itself cannot disturb this loop.
    for (const listener of this.#listeners) {
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
