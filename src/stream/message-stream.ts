// stream/message-stream — one agent turn as the user sees it: an event emitter and an async
// iterator over the same events, plus finalMessage()/finalText()/done()/abort(). Whoever produces
// the turn (the session, the SSE reader) drives it through the StreamSink handed to its executor,
// like a ReadableStream's controller. It keeps the text invariant: the deltas since the last
// `snapshot` event add up to the snapshot, and the turn ends with the snapshot equal to the final
// message's text. Knows frames and events, never sockets. Imports: errors, schemas (types), ./events,
// ./sse, ./event-queue, ./listeners.

import { APIUserAbortError, AuiError } from '../errors/errors.ts';
import type { Message } from '../schemas/wire.ts';
import type { MessageStreamEvents, StreamEvent, StreamExecutor, StreamSink } from './events.ts';
import { EventQueue } from './event-queue.ts';
import { Listeners } from './listeners.ts';
import { decodeSse, encodeSse } from './sse.ts';

type Listener = (a?: unknown, b?: unknown) => void;
type TextMode = 'undecided' | 'delta' | 'cumulative';

/**
 * One agent turn, streamed: listen with `on('text')`, or iterate with `for await`, or just await
 * `finalMessage()`. Returned by `aui.messages.stream()`, `session.stream()` and the browser
 * client's `messages.stream()`. An error nobody listens to or awaits surfaces as an unhandled
 * rejection — except `APIUserAbortError` from your own `abort()`.
 *
 * @example
 * const stream = aui.messages.stream({ task_id, text: 'Find me a microwave' });
 * stream.on('text', (delta) => process.stdout.write(delta));
 * const message = await stream.finalMessage(); // message.cards, message.followup_suggestions
 */
export class MessageStream implements AsyncIterable<StreamEvent> {
  readonly #listeners = new Listeners<keyof MessageStreamEvents>();
  #text = '';
  #frames = 0;
  #mode: TextMode = 'undecided';
  #ended = false;
  #message: Message | undefined;
  #error: { value: unknown } | undefined;
  /** An error listener, a `finalMessage()` caller or a reader will see a failure. */
  #observed = false;
  #stopProducer: ((error: AuiError) => void) | void = undefined;
  #reader: EventQueue<StreamEvent> | undefined;
  // Declared before #result: its executor runs during field initialisation and sets them.
  #resolve!: (message: Message) => void;
  #reject!: (error: unknown) => void;
  readonly #result = new Promise<Message>((resolve, reject) => {
    this.#resolve = resolve;
    this.#reject = reject;
  });

  /**
   * The producer's handle on a stream. A class (not an object literal with getters, which V8 keeps
   * as a slow dictionary) because it is called once per frame; declared inside MessageStream so it
   * can reach the stream's private state.
   */
  static readonly #Sink = class Sink implements StreamSink {
    readonly #stream: MessageStream;
    constructor(stream: MessageStream) {
      this.#stream = stream;
    }
    frame(text: string): void {
      this.#stream.#frame(text);
    }
    delta(delta: string): void {
      this.#stream.#delta(delta);
    }
    snapshot(snapshot: string): void {
      this.#stream.#correct(snapshot);
    }
    final(message: Message, recovered?: boolean): void {
      this.#stream.#final(message, recovered);
    }
    fail(error: unknown): void {
      this.#stream.#fail(error);
    }
    get text(): string {
      return this.#stream.#text;
    }
    get frames(): number {
      return this.#stream.#frames;
    }
    get ended(): boolean {
      return this.#stream.#ended;
    }
  };

  /** @internal Made by the SDK: `aui.messages.stream()`, `session.stream()`, `fromReadableStream()`, the browser client. */
  constructor(executor: StreamExecutor) {
    this.#result.catch(() => undefined); // a failure nobody observes is reported by #fail, not by this promise
    try {
      this.#stopProducer = executor(new MessageStream.#Sink(this));
    } catch (error) {
      this.#fail(error);
    }
  }

  /** Adds a listener; see {@link MessageStreamEvents}. */
  on<K extends keyof MessageStreamEvents>(event: K, listener: MessageStreamEvents[K]): this {
    return this.#addListener(event, listener as Listener, false);
  }

  /** Adds a listener that runs once. */
  once<K extends keyof MessageStreamEvents>(event: K, listener: MessageStreamEvents[K]): this {
    return this.#addListener(event, listener as Listener, true);
  }

  /** Removes a listener added with `on` or `once`. */
  off<K extends keyof MessageStreamEvents>(event: K, listener: MessageStreamEvents[K]): this {
    this.#listeners.remove(event, listener as Listener);
    return this;
  }

  /** The final message; rejects with the turn's error (`TurnInterruptedError`, an `APIError`, …). */
  finalMessage(): Promise<Message> {
    this.#observed = true;
    return this.#result.then(); // a promise of its own: a caller who ignores it gets the unhandled rejection
  }

  /** The final message's text. */
  finalText(): Promise<string> {
    return this.finalMessage().then((message) => message.text);
  }

  /** Resolves when the turn ended well; rejects with its error. */
  done(): Promise<void> {
    return this.finalMessage().then(() => undefined);
  }

  /** Stops the turn: its socket is closed and the stream ends with `APIUserAbortError`. */
  abort(): void {
    if (this.#ended) return;
    const error = new APIUserAbortError();
    this.#stop(error); // first, so the producer can say whether AUI had the message (`delivered`)
    this.#fail(error);
  }

  /**
   * The turn as SSE bytes, for a server route: `new Response(stream.toReadableStream(), { headers:
   * SSE_HEADERS })`. Cancelling the body aborts the turn. Read it back with `fromReadableStream`.
   */
  toReadableStream(options?: { pingMs?: number }): ReadableStream<Uint8Array> {
    this.#observed = true; // errors travel as `error` events from here on
    return encodeSse(this, options);
  }

  /** A stream read from SSE bytes made by `toReadableStream()` or the proxy handler (browser side). */
  static fromReadableStream(body: ReadableStream<Uint8Array>): MessageStream {
    return new MessageStream((sink) => decodeSse(body, sink));
  }

  /** True once `end` was emitted. */
  get ended(): boolean {
    return this.#ended;
  }

  /** The text so far. */
  get currentText(): string {
    return this.#text;
  }

  /** Yields each event once; `break` aborts the turn. A stream can be iterated only once. */
  [Symbol.asyncIterator](): AsyncIterator<StreamEvent, undefined> {
    if (this.#reader) throw new AuiError('A MessageStream can be iterated only once.');
    this.#observed = true;
    const reader = (this.#reader = new EventQueue<StreamEvent>());
    // A reader that starts late still sees the whole turn: the text so far as one snapshot, then
    // whatever follows (and the message, if the turn already ended).
    if (this.#text !== '') reader.push({ type: 'snapshot', snapshot: this.#text });
    if (this.#message) reader.push({ type: 'message', message: this.#message });
    if (this.#ended) reader.end(this.#error);
    return {
      next: () => reader.next(),
      return: () => {
        this.abort(); // `break` means the turn is no longer wanted
        reader.clear();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }

  /* ---------------------------------------------------------------- the producer's side */

  #frame(text: string): void {
    if (this.#ended) return;
    // Both modes agree on the first frame (appended to ''); the second one decides.
    if (++this.#frames === 2) this.#mode = isExtension(text, this.#text) ? 'cumulative' : 'delta';
    if (this.#mode === 'cumulative') this.#extend(text);
    else this.#append(text);
  }

  #delta(delta: string): void {
    if (this.#ended) return;
    this.#frames++;
    this.#append(delta);
  }

  /** Text meant to continue the snapshot: the new part as a delta, or a correction if it rewrote earlier text. */
  #extend(text: string): void {
    if (text.startsWith(this.#text)) this.#append(text.slice(this.#text.length));
    else this.#correct(text);
  }

  #append(delta: string): void {
    if (delta === '') return;
    const snapshot = (this.#text += delta);
    if (isFlatteningPoint(this.#frames)) flatten(snapshot);
    // Queued before the listeners run: if one throws, the reader still gets the events in order.
    this.#reader?.push({ type: 'text', delta, snapshot });
    this.#emit('text', delta, snapshot);
  }

  #correct(snapshot: string): void {
    if (this.#ended) return;
    this.#text = snapshot;
    this.#reader?.push({ type: 'snapshot', snapshot });
    this.#emit('snapshot', snapshot);
  }

  #final(message: Message, recovered?: boolean): void {
    if (this.#ended) return;
    if (recovered) this.#extend(message.text);
    else if (message.text !== this.#text) this.#correct(message.text);
    if (this.#ended) return; // a listener threw: the turn failed, and nothing follows its `end`
    this.#reader?.push({ type: 'message', message });
    this.#emit('message', message);
    if (this.#ended) return;
    this.#ended = true;
    this.#message = message;
    this.#resolve(message);
    this.#emitEnding('end');
    this.#reader?.end();
  }

  #fail(raw: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    const error = raw instanceof Error ? raw : new AuiError(String(raw));
    this.#error = { value: error };
    this.#reject(error);
    this.#emitEnding('error', error);
    this.#emitEnding('end');
    this.#reader?.end(this.#error);
    // An error nobody listens to or awaits must not vanish — except the user's own abort.
    if (!this.#observed && !(error instanceof APIUserAbortError)) void Promise.reject(error);
  }

  /** Tells the producer to stop (close its socket, cancel its body), once. */
  #stop(error: AuiError): void {
    const stop = this.#stopProducer;
    this.#stopProducer = undefined;
    stop?.(error);
  }

  #addListener(event: keyof MessageStreamEvents, fn: Listener, once: boolean): this {
    if (event === 'error') this.#observed = true;
    this.#listeners.add(event, fn, once);
    return this;
  }

  /**
   * Calls the event's listeners. A throwing listener ends the turn with its error instead of
   * unwinding into a socket handler, and the producer stops.
   */
  #emit(event: 'text' | 'snapshot' | 'message', a: unknown, b?: unknown): void {
    const thrown = this.#listeners.emit(event, a, b);
    if (!thrown) return;
    this.#fail(thrown.error);
    this.#stop(new APIUserAbortError('The stream was stopped: a listener threw.'));
  }

  /** `error` and `end` reach every listener; a throw there is rethrown on its own (the turn has ended). */
  #emitEnding(event: 'error' | 'end', error?: unknown): void {
    for (const thrown of this.#listeners.emitAll(event, error)) {
      queueMicrotask(() => {
        throw thrown;
      });
    }
  }
}

/** The second frame of a turn extends the first: the server sends the whole text so far each time. */
function isExtension(text: string, soFar: string): boolean {
  return text.length > soFar.length && text.startsWith(soFar);
}

/**
 * `text += delta` makes V8 keep the text as a rope, one node per delta, and comparing it with the
 * final message's text flattens it then: 20,000 cold nodes walked at the end of a turn (~2 ms on
 * bench/stream.mjs). Flattened at 1,024, 2,048, 4,096… frames instead, the copies add up to less
 * than twice the text and the last walk is short.
 */
function isFlatteningPoint(frames: number): boolean {
  return frames >= 1024 && (frames & (frames - 1)) === 0;
}

/** Reading a character makes V8 flatten a rope (what the `flatstr` package relies on). */
function flatten(text: string): void {
  text.charCodeAt(0);
}
