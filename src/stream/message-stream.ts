/**
 * stream/message-stream — one agent turn as the user sees it: an event emitter and an async
 * iterator over the same events, plus `finalMessage()`/`finalText()`/`done()`/`abort()`.
 * Whoever produces the turn (the session, the SSE reader) drives it through the `StreamSink`
 * handed to its executor, like a ReadableStream's controller. It keeps the text invariant:
 * the deltas since the last `snapshot` event add up to the snapshot, and the turn ends with
 * the snapshot equal to the final message's text.
 * Knows frames and events, never sockets. Imports: errors, schemas types, ./frames.
 */
import { APIUserAbortError, AuiError } from '../errors/errors.ts';
import type { Message } from '../schemas/wire.ts';
import { decodeSse, encodeSse } from './sse.ts';

export type StreamEvent =
  | { type: 'text'; delta: string; snapshot: string }
  | { type: 'snapshot'; snapshot: string }
  | { type: 'message'; message: Message };

export interface MessageStreamEvents {
  text: (delta: string, snapshot: string) => void;
  snapshot: (snapshot: string) => void;
  message: (message: Message) => void;
  error: (error: AuiError | Error) => void;
  end: () => void;
}

/** How a producer drives a stream. Calls after the turn ended are ignored. */
export interface StreamSink {
  /** A socket frame's text: delta or cumulative, decided once per turn (wire decision 4). */
  frame(text: string): void;
  /** A known delta (the SSE reader). */
  delta(delta: string): void;
  /** A known correction (the SSE reader). */
  snapshot(snapshot: string): void;
  /** The final message. `recovered`: it came from history, so missing text is emitted as a delta. */
  final(message: Message, recovered?: boolean): void;
  fail(error: unknown): void;
  /** The text so far (for TurnInterruptedError.partialText). */
  readonly text: string;
  /** Frames received this turn. */
  readonly frames: number;
  readonly ended: boolean;
}

/** Starts the producer; returns what to do when the consumer aborts. */
export type StreamExecutor = (sink: StreamSink) => ((reason: APIUserAbortError) => void) | void;

type Listener = (...args: any[]) => void;
// What a `for await` reader gets next: an event, or `undefined` once the turn ended (failing
// with #error, if it is set).
type Queued = StreamEvent | undefined;
const DONE: IteratorResult<StreamEvent, undefined> = { value: undefined, done: true };

export class MessageStream implements AsyncIterable<StreamEvent> {
  #listeners: { [K in keyof MessageStreamEvents]?: Array<{ fn: Listener; once: boolean }> | undefined } = {};
  #snapshot = '';
  #frames = 0;
  #cumulative = false; // decided by the second frame
  #ended = false;
  #error: unknown;
  #message: Message | undefined;
  #observed = false;
  #onAbort: ReturnType<StreamExecutor> | undefined;
  // Declared before #result: its executor runs during field initialisation and sets them.
  #resolve!: (message: Message) => void;
  #reject!: (error: unknown) => void;
  #result = new Promise<Message>((resolve, reject) => ((this.#resolve = resolve), (this.#reject = reject)));
  // Async iteration: a buffer of what the consumer has not read yet, and a waiting reader.
  #queue: Queued[] | undefined;
  #head = 0;
  #waiting: ((item: Queued) => void) | undefined;

  constructor(executor: StreamExecutor) {
    this.#result.catch(() => undefined); // an unobserved error is reported by #fail, never as this promise
    const stream = this;
    const sink: StreamSink = {
      frame: (text) => this.#frame(text),
      delta: (delta) => this.#delta(delta),
      snapshot: (snapshot) => this.#correct(snapshot),
      final: (message, recovered) => this.#final(message, recovered),
      fail: (error) => this.#fail(error),
      get text() {
        return stream.#snapshot;
      },
      get frames() {
        return stream.#frames;
      },
      get ended() {
        return stream.#ended;
      },
    };
    try {
      this.#onAbort = executor(sink);
    } catch (error) {
      this.#fail(error);
    }
  }

  on<K extends keyof MessageStreamEvents>(event: K, listener: MessageStreamEvents[K]): this {
    return this.#add(event, listener as Listener, false);
  }

  once<K extends keyof MessageStreamEvents>(event: K, listener: MessageStreamEvents[K]): this {
    return this.#add(event, listener as Listener, true);
  }

  off<K extends keyof MessageStreamEvents>(event: K, listener: MessageStreamEvents[K]): this {
    this.#listeners[event] = this.#listeners[event]?.filter((l) => l.fn !== listener);
    return this;
  }

  #add(event: keyof MessageStreamEvents, fn: Listener, once: boolean): this {
    if (event === 'error') this.#observed = true;
    (this.#listeners[event] ??= []).push({ fn, once });
    return this;
  }

  /** The final message; rejects with the turn's error. */
  finalMessage(): Promise<Message> {
    this.#observed = true;
    return this.#result.then(); // a promise of its own: a caller who ignores it gets the unhandled rejection
  }

  /** The final message's text. */
  finalText(): Promise<string> {
    return this.finalMessage().then((m) => m.text);
  }

  /** Resolves when the turn ended well; rejects with its error. */
  done(): Promise<void> {
    return this.finalMessage().then(() => undefined);
  }

  /** Stops the turn: its socket is closed and the stream ends with `APIUserAbortError`. */
  abort(): void {
    this.#stop(new APIUserAbortError());
  }

  /** The turn as SSE bytes (see SSE_HEADERS): `new Response(stream.toReadableStream(), { headers: SSE_HEADERS })`. */
  toReadableStream(options?: { pingMs?: number }): ReadableStream<Uint8Array> {
    this.#observed = true; // errors travel as `error` events from here on
    return encodeSse(this, options);
  }

  /** A stream read from SSE bytes made by `toReadableStream()` or the proxy handler. */
  static fromReadableStream(body: ReadableStream<Uint8Array>): MessageStream {
    return new MessageStream((sink) => decodeSse(body, sink));
  }

  /** True once `end` was emitted. */
  get ended(): boolean {
    return this.#ended;
  }

  /** The text so far. */
  get currentText(): string {
    return this.#snapshot;
  }

  [Symbol.asyncIterator](): AsyncIterator<StreamEvent, undefined> {
    if (this.#queue) throw new AuiError('The stream can be iterated only once.');
    this.#observed = true;
    this.#queue = [];
    // A reader that starts late still sees the whole turn: the text so far as one snapshot, then
    // whatever follows (and the message, if the turn already ended).
    if (this.#snapshot !== '') this.#queue.push({ type: 'snapshot', snapshot: this.#snapshot });
    if (this.#message) this.#queue.push({ type: 'message', message: this.#message });
    if (this.#ended) this.#queue.push(undefined);
    return {
      next: () => {
        const queue = this.#queue!;
        if (this.#head < queue.length) {
          const event = queue[this.#head++];
          if (this.#head === queue.length) queue.length = this.#head = 0;
          return event
            ? Promise.resolve({ value: event, done: false })
            : this.#error
              ? Promise.reject(this.#error)
              : Promise.resolve(DONE);
        }
        if (this.#ended) return Promise.resolve(DONE);
        return new Promise(
          (resolve, reject) =>
            (this.#waiting = (event) =>
              event
                ? resolve({ value: event, done: false })
                : this.#error
                  ? reject(this.#error)
                  : resolve(DONE)),
        );
      },
      return: () => {
        this.abort(); // `break` means the turn is no longer wanted
        this.#queue!.length = this.#head = 0;
        return Promise.resolve(DONE);
      },
    };
  }

  /* ------------------------------------------------------------------ driven by the sink */

  #frame(text: string): void {
    if (this.#ended) return;
    // Both modes agree on the first frame (appended to ''); the second one decides.
    const snapshot = this.#snapshot;
    if (++this.#frames === 2) this.#cumulative = text.length > snapshot.length && text.startsWith(snapshot);
    if (this.#cumulative) this.#extend(text);
    else this.#append(text);
  }

  /** Text that should continue the snapshot: the new part as a delta, or a correction if it rewrote earlier text. */
  #extend(text: string): void {
    const snapshot = this.#snapshot;
    if (text.startsWith(snapshot)) this.#append(text.slice(snapshot.length));
    else this.#correct(text);
  }

  #delta(delta: string): void {
    if (this.#ended) return;
    this.#frames++;
    this.#append(delta);
  }

  #append(delta: string): void {
    if (delta === '') return;
    const snapshot = (this.#snapshot += delta);
    // Queued before the listeners run: if one throws, the reader still gets the events in order.
    if (this.#queue) this.#push({ type: 'text', delta, snapshot });
    this.#emit('text', delta, snapshot);
  }

  #correct(snapshot: string): void {
    if (this.#ended) return;
    this.#snapshot = snapshot;
    if (this.#queue) this.#push({ type: 'snapshot', snapshot });
    this.#emit('snapshot', snapshot);
  }

  #final(message: Message, recovered?: boolean): void {
    if (this.#ended) return;
    const text = message.text;
    if (recovered)
      this.#extend(text); // (an equal text appends '', which emits nothing)
    else if (text !== this.#snapshot) this.#correct(text);
    // A listener that threw failed the turn, and nothing follows its `end`.
    if (this.#ended) return;
    if (this.#queue) this.#push({ type: 'message', message });
    this.#emit('message', message);
    if (this.#ended) return;
    this.#ended = true;
    this.#message = message;
    this.#resolve(message);
    this.#emit('end');
    if (this.#queue) this.#push(undefined);
  }

  #fail(raw: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    const error = raw instanceof Error ? raw : new AuiError(String(raw));
    this.#error = error;
    this.#reject(error);
    this.#emit('error', error);
    this.#emit('end');
    if (this.#queue) this.#push(undefined);
    // An error nobody listens to (`on('error')` marks the stream observed) or awaits must not
    // vanish — except the user's own abort.
    if (!this.#observed && !(error instanceof APIUserAbortError)) void Promise.reject(error);
  }

  // Hot path (once per frame): no rest arguments, no copy — `off` replaces the array, so a
  // listener removing itself cannot disturb this loop.
  #emit(event: keyof MessageStreamEvents, a?: unknown, b?: unknown): void {
    const listeners = this.#listeners[event];
    if (listeners === undefined) return;
    for (let i = 0; i < listeners.length; i++) {
      const listener = listeners[i]!;
      if (listener.once) this.off(event, listener.fn as never);
      try {
        listener.fn(a, b);
      } catch (error) {
        // A throwing listener ends the turn with its error instead of unwinding into a socket
        // handler; the listeners after it do not hear an event of an ended turn.
        if (event !== 'error' && event !== 'end') return this.#stop(error, new APIUserAbortError()); // the listener's error is the turn's; the producer just stops
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  /** Ends the turn with `error` and tells the producer to stop (close its socket). */
  #stop(error: unknown, reason = error as APIUserAbortError): void {
    if (this.#ended) return;
    this.#fail(error);
    this.#onAbort?.(reason);
  }

  #push(item: Queued): void {
    const waiting = this.#waiting;
    if (waiting === undefined) return void this.#queue!.push(item);
    this.#waiting = undefined;
    waiting(item);
  }
}
