// session/turn — one message and its answer as the session tracks it, with its state written out
// (queued → sent → streaming → recovering → done) and the timers that belong to it.
// What a turn's state says decides what a failure reports: a message never handed to an open
// socket was not delivered; one that was, is 'unknown' until a frame proves AUI had it.
// Knows no sockets. Imports: errors, shared/abort, stream (types), ./watermarks (types).

import { type AuiError, APITimeoutError, type Delivered } from '../errors/errors.ts';
import { errorFromAbort } from '../errors/map.ts';
import { followAbort } from '../shared/abort.ts';
import type { StreamSink } from '../stream/events.ts';
import type { Watermark } from './watermarks.ts';

/** What a turn carries to AUI: the `messages.stream` params. */
export interface StreamParams {
  /** The task to send to. */
  task_id: string;
  /** What the user says. */
  text: string;
  /** Where the user is, for the agent's integrations. */
  context?: Record<string, unknown> | null;
}

/** Per-turn options of `session.stream()` and `aui.messages.stream()`. */
export interface StreamOptions {
  /** Aborting it ends the turn with `APIUserAbortError` (`APITimeoutError` for `AbortSignal.timeout()`). */
  signal?: AbortSignal;
  /** A total cap for this turn in ms. None by default: `idleTimeout` guards a silent socket. */
  timeout?: number;
}

/**
 * - `queued`: waiting for the socket or for the turn before it;
 * - `sent`: handed to an open socket, no frame yet;
 * - `streaming`: frames of its answer are arriving;
 * - `recovering`: its socket went away; history is read to find what became of it;
 * - `done`: its stream ended (message or error).
 */
export type TurnState = 'queued' | 'sent' | 'streaming' | 'recovering' | 'done';

const encoder = /* @__PURE__ */ new TextEncoder();

export class Turn {
  /**
   * The turn that finished last in this process, held until the next one finishes, with its
   * stream and its last frame. Nothing reads it: V8 keeps the shapes (hidden classes) of a kind of
   * object only while one such object is alive, and after a full GC with none left it gives the
   * next turn's objects new shapes and throws away the code it optimized for the old ones. A turn
   * of 20,000 frames would then start in the interpreter and wait for a recompile every time
   * (~+0.7 µs per frame, bench/stream.mjs); one finished turn held keeps that code. A class static,
   * not a module variable: the build drops a module variable nothing reads.
   */
  // eslint-disable-next-line no-unused-private-class-members -- held on purpose, never read
  static #lastFinished: Turn | undefined;

  readonly params: StreamParams;
  readonly sink: StreamSink;
  /** The frame sent on the socket. */
  readonly payload: string;
  /** Its size, for the queue's byte budget. */
  readonly bytes: number;
  state: TurnState = 'queued';
  /** Where the task's history stood when it was sent (recovery compares against it). */
  watermark: Watermark | undefined;
  /** It was sent a second time after recovery proved the first never arrived. */
  resent = false;
  /** When the last frame of its answer arrived (the idle check reads it). */
  lastFrameAt = 0;
  /** The last streaming frame, parsed: held for V8's sake (see Turn.#lastFinished). */
  lastFrame: unknown = undefined;
  #idleTimer: ReturnType<typeof setTimeout> | undefined;
  #deadline: ReturnType<typeof setTimeout> | undefined;
  #recovery: AbortController | undefined;
  #unfollowSignal: (() => void) | undefined;

  constructor(params: StreamParams, sink: StreamSink) {
    this.params = params;
    this.sink = sink;
    const { task_id, text, context } = params;
    this.payload = JSON.stringify(context == null ? { task_id, text } : { task_id, text, context });
    this.bytes = encoder.encode(this.payload).length;
  }

  /** On the socket now: sent, or its answer streaming. */
  get isOnSocket(): boolean {
    return this.state === 'sent' || this.state === 'streaming';
  }

  get isDone(): boolean {
    return this.state === 'done';
  }

  /** Did AUI get the message? What a failure of this turn reports. */
  get delivered(): Delivered {
    if (this.state === 'queued') return false;
    return this.sink.frames > 0 ? true : 'unknown';
  }

  markSent(watermark: Watermark | undefined): void {
    this.state = 'sent';
    this.watermark = watermark;
    this.lastFrameAt = Date.now();
  }

  /** A streaming frame of its answer arrived (once per frame: keep it cheap). */
  frameArrived(frame: unknown): void {
    this.state = 'streaming';
    this.lastFrameAt = Date.now();
    this.lastFrame = frame;
  }

  /** One timer per turn, not one per frame: when it fires while frames keep coming, it re-arms for the rest. */
  watchIdle(idleTimeout: number, onIdle: () => void): void {
    const checkIdle = () => {
      const quiet = Date.now() - this.lastFrameAt;
      if (quiet >= idleTimeout) onIdle();
      else this.#idleTimer = setTimeout(checkIdle, idleTimeout - quiet);
    };
    this.#idleTimer = setTimeout(checkIdle, idleTimeout);
  }

  /**
   * The caller's per-turn options: `timeout`, a total cap, and `signal`, which abandons the turn
   * with `APIUserAbortError` (`APITimeoutError` for `AbortSignal.timeout()`). `where` names the call.
   */
  follow(options: StreamOptions, where: string, abandon: (error: AuiError) => void): void {
    const { signal, timeout } = options;
    if (timeout !== undefined) {
      const expired = () => abandon(new APITimeoutError(`${where}: timed out after ${timeout} ms.`));
      this.#deadline = setTimeout(expired, timeout);
    }
    // Deferred: whoever holds the stream gets to attach listeners before it can fail.
    const aborted = () => abandon(errorFromAbort(signal?.reason, where));
    this.#unfollowSignal = followAbort(signal, () => queueMicrotask(aborted));
  }

  /** Its socket went away: the idle watch stops, and a signal to stop reading history is handed out. */
  beginRecovery(): AbortSignal {
    clearTimeout(this.#idleTimer);
    this.state = 'recovering';
    this.#recovery = new AbortController();
    return this.#recovery.signal;
  }

  /** Back in the queue, to be sent again (recovery proved the first send never arrived). */
  requeue(): void {
    clearTimeout(this.#idleTimer);
    this.#recovery = undefined;
    this.state = 'queued';
  }

  /** Done: every timer stops and a recovery in progress is called off. */
  finish(): void {
    clearTimeout(this.#idleTimer);
    clearTimeout(this.#deadline);
    this.#recovery?.abort();
    this.#unfollowSignal?.();
    this.state = 'done';
    Turn.#lastFinished = this;
  }
}
