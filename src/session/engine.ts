// session/engine — what runs behind a Session: it coordinates the parts and decides what each event
// means for the turn on the socket:
//   ./connection — the socket over time (connect, backoff, key refresh, the REST probe);
//   ./turn, ./queue — each turn's state (queued → sent → streaming → recovering → done) and order;
//   ./replies — what a frame means for that turn;
//   ./recovery — what became of a turn whose socket went away, read from history.
// One turn is on the socket at a time (the API's frames may carry no task_id); a frame that cannot
// be read fails its turn, never the process. REST reads come in as `history` (never http or client).
// Imports: errors, runtime, schemas (types), stream, ./*.

import { AuiError, SessionClosedError } from '../errors/errors.ts';
import { nextTask } from '../runtime/timers.ts';
import type { Message } from '../schemas/wire.ts';
import { parseFrame, streamingText } from '../stream/frames.ts';
import { Connection, type ConnectionDeps, type ConnectionEvents } from './connection.ts';
import type { ResolvedSessionOptions } from './options.ts';
import { TurnQueue } from './queue.ts';
import { recoverTurn } from './recovery.ts';
import { type Reply, replyOf } from './replies.ts';
import type { StreamOptions, Turn } from './turn.ts';
import { callName, type SessionKind, type SessionState, type StateChange } from './state.ts';
import type { WatermarkStore } from './watermarks.ts';

export interface HistoryOptions {
  signal?: AbortSignal;
  /** HTTP retries for this read; the probe asks for none, so an unreachable host fails at once. */
  maxRetries?: number;
}

/** What the engine needs from the client, passed in so session never imports http. */
export interface SessionDeps extends ConnectionDeps {
  /** `tasks.messages` over REST (the watermark, recovery and the reachability probe). */
  history: (task_id: string, options?: HistoryOptions) => Promise<Message[]>;
  watermarks: WatermarkStore;
}

/** Runs a Session's turns; its `on…` methods are the connection's reports (ConnectionEvents). */
export class Engine implements ConnectionEvents {
  readonly #deps: SessionDeps;
  readonly #options: ResolvedSessionOptions;
  readonly #kind: SessionKind;
  readonly #where: string;
  readonly #connection: Connection;
  readonly #turns: TurnQueue;
  /** The id of the last final message: the same final again belongs to no turn. */
  #lastFinalId: string | undefined;
  #pumpScheduled = false;
  #closing = false;
  #resolveClosed: (() => void) | undefined;
  readonly #onState: (change: StateChange) => void;

  constructor(
    deps: SessionDeps,
    options: ResolvedSessionOptions,
    kind: SessionKind,
    onState: (change: StateChange) => void,
  ) {
    this.#deps = deps;
    this.#options = options;
    this.#kind = kind;
    this.#where = callName(kind);
    // A failed turn's reply is expected for twice the time recovery waits for one.
    this.#turns = new TurnQueue(options.maxQueueBytes, deps.watermarks, 2 * options.recoveryTimeout);
    this.#onState = onState;
    this.#connection = new Connection(deps, options, this, kind);
    if (kind === 'long-lived') this.#connection.ensureOpen();
  }

  get state(): SessionState {
    return this.#connection.state;
  }

  onOpen(): void {
    this.#schedulePump();
  }

  onState(change: StateChange): void {
    this.#onState(change);
  }

  /** A socket is wanted for turns waiting to be sent, and all along by a long-lived session. */
  wanted(): boolean {
    return this.#turns.waiting > 0 || (this.#kind === 'long-lived' && !this.#closing);
  }

  /** Queues a turn (or fails it at once); returns what abandons it. */
  submit(turn: Turn, options: StreamOptions): ((error: AuiError) => void) | undefined {
    const refusal = this.#closing ? new SessionClosedError() : this.#turns.overflow(turn, this.#where);
    if (refusal) {
      queueMicrotask(() => turn.sink.fail(refusal));
      return undefined;
    }
    this.#turns.add(turn);
    this.#deps.watermarks.readFor(turn.params.task_id, this.#deps.history, this.#deps.log, this.#where);
    const abandon = (error: AuiError) => this.#abandon(turn, error);
    turn.follow(options, this.#where, abandon);
    // Once the caller's code ran; a pump already due after a socket event sends it instead.
    queueMicrotask(() => {
      if (!this.#pumpScheduled) this.#pump();
    });
    return abandon;
  }

  /** Fails the waiting turns, lets the current one finish, then closes; resolves once closed. */
  close(): Promise<void> {
    if (this.state === 'closed') return Promise.resolve();
    this.#closing = true;
    const closed = new Promise<void>((resolve) => (this.#resolveClosed = resolve));
    for (const turn of this.#turns.takeWaiting()) this.#turns.fail(turn, new SessionClosedError());
    if (!this.#turns.current) this.#shutdown('close()');
    return closed;
  }

  /* --------------------------------------------------------------------- sending */

  /**
   * The next turn goes out on a later task than the event that made room for it (an open, the
   * previous final): frames and closes that arrived with that event are read first, while no turn
   * is on the socket, so a repeated final, a stray error frame or a closing socket is never taken
   * for the next turn's.
   */
  #schedulePump(): void {
    if (this.#pumpScheduled) return;
    this.#pumpScheduled = true;
    nextTask(() => {
      this.#pumpScheduled = false;
      this.#pump();
    });
  }

  #pump(): void {
    if (this.state === 'closed' || this.#turns.current) return;
    const next = this.#turns.next;
    if (!next) {
      if (this.#closing || this.#kind === 'one-shot') this.#shutdown('done');
      return;
    }
    if (!this.#connection.isOpen) {
      this.#connection.ensureOpen();
      return;
    }
    const reading = this.#deps.watermarks.reading.get(next.params.task_id);
    if (reading) {
      void reading.then(() => this.#schedulePump());
      return;
    }
    // REST refused the key the socket would send this turn with: the turn fails unsent.
    const refusal = this.#deps.watermarks.keyRefusal(next.params.task_id, this.#where);
    if (refusal) {
      this.#fail(next, refusal);
      return;
    }
    this.#send(next);
  }

  #send(turn: Turn): void {
    this.#turns.start(turn);
    turn.markSent(this.#deps.watermarks.get(turn.params.task_id));
    this.#deps.log('debug', `${this.#where}: turn sent on ${turn.params.task_id}.`);
    turn.watchIdle(this.#options.idleTimeout, () => this.#onIdle(turn));
    try {
      this.#connection.send(turn.payload);
    } catch {
      // The socket broke between the check and the send: its end starts recovery.
    }
  }

  /** Can REST reach AUI with this key? A read of the task's history, without retries. */
  async probe(): Promise<void> {
    const task_id = this.#turns.first?.params.task_id;
    if (task_id) await this.#deps.history(task_id, { maxRetries: 0 });
  }

  /* ------------------------------------------------------------ what comes back */

  /** Once per frame: only streaming text is handled here; everything else goes through #onTurnFrame. */
  onFrame(data: unknown): void {
    const turn = this.#turns.current;
    if (!turn?.isOnSocket) {
      this.#deps.log('debug', `${this.#where}: a frame that belongs to no turn was ignored.`);
      return;
    }
    let frame: unknown;
    let text: string | undefined;
    try {
      frame = parseFrame(data, this.#where);
      text = streamingText(frame, this.#where);
    } catch (error) {
      this.#onUnreadable(turn, error);
      return;
    }
    if (text === undefined) {
      this.#onTurnFrame(turn, frame);
      return;
    }
    turn.frameArrived(frame);
    this.#connection.keyAccepted();
    turn.sink.frame(text);
  }

  /** The final message, an error frame, or a frame of a kind this SDK does not know. */
  #onTurnFrame(turn: Turn, frame: unknown): void {
    let reply: Reply;
    try {
      reply = replyOf(frame, turn, this.#lastFinalId, this.#where);
    } catch (error) {
      this.#onUnreadable(turn, error);
      return;
    }
    if (reply.kind === 'final') {
      this.#connection.keyAccepted();
      this.#connection.turnCompleted();
      this.#deps.watermarks.advance(turn.params.task_id, reply.message);
      this.#complete(turn, reply.message);
    } else if (reply.kind === 'key-rejected') {
      // The message was sent: only history can say whether it arrived (never a blind resend).
      void this.#recover(turn, reply.why);
      this.#connection.keyRejected(reply.why);
    } else if (reply.kind === 'error') {
      this.#failOnSocket(turn, reply.error, reply.why);
    } else {
      this.#deps.log('debug', `${this.#where}: a ${reply.kind} frame was ignored.`);
    }
  }

  /** Nothing the server sends may throw out of a socket handler: the turn fails instead. */
  #onUnreadable(turn: Turn, error: unknown): void {
    const failure =
      error instanceof AuiError ? error : new AuiError(`${this.#where}: a frame could not be read.`);
    failure.delivered = true; // something came back: AUI had the message
    this.#failOnSocket(turn, failure, 'unreadable frame');
  }

  onLost(why: string): void {
    const turn = this.#turns.current;
    if (turn?.isOnSocket) void this.#recover(turn, why);
  }

  #onIdle(turn: Turn): void {
    void this.#recover(turn, 'idle timeout');
    this.#connection.hangUp('idle timeout', { failed: true });
  }

  async #recover(turn: Turn, why: string): Promise<void> {
    const { watermarks: store, history, log } = this.#deps;
    const context = { store, history, log, where: this.#where, timeout: this.#options.recoveryTimeout };
    const outcome = await recoverTurn(turn, why, context);
    if (turn.isDone) return; // abandoned, or the session failed, meanwhile
    if (outcome.action === 'deliver') {
      this.#complete(turn, outcome.message, true);
    } else if (outcome.action === 'resend') {
      turn.resent = true;
      this.#turns.requeue(turn);
      this.#schedulePump();
    } else {
      this.#fail(turn, outcome.error);
    }
  }

  /* -------------------------------------------------------------- ending turns */

  #complete(turn: Turn, message: Message, recovered = false): void {
    this.#lastFinalId = message.id;
    this.#turns.complete(turn, message, recovered);
    this.#schedulePump();
  }

  #fail(turn: Turn, error: AuiError): void {
    this.#turns.fail(turn, error);
    this.#schedulePump();
  }

  /** The turn fails and its socket goes with it: a socket never carries the rest of a failed turn. */
  #failOnSocket(turn: Turn, error: AuiError, why: string): void {
    this.#fail(turn, error);
    this.#connection.hangUp(why);
  }

  /** The caller gave up on the turn (abort, signal, timeout). */
  #abandon(turn: Turn, error: AuiError): void {
    if (turn.isDone) return;
    if (turn.isOnSocket) this.#failOnSocket(turn, error, 'turn abandoned');
    else this.#fail(turn, error);
  }

  /** No socket can be had: every turn fails, each with its own copy of the error, and the session closes. */
  onFailed(error: AuiError): void {
    this.#turns.failAll(error);
    this.#shutdown(error.message);
  }

  #shutdown(why: string): void {
    this.#closing = true;
    this.#connection.close(why);
    this.#resolveClosed?.();
  }
}
