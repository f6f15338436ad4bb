// server/node-request — a node:http request as the Fetch `Request` the handler takes: the URL
// as far as this socket knows it, the headers as sent, a signal that aborts when the browser goes
// away, and a body that streams in as the handler reads it. Also what becomes of the bytes the
// handler never read: on HTTP/1.1 they would be parsed as the next request on the connection.
// Node only. Imports node:http types. Never mock, cli or browser.
/// <reference types="node" />
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * How many unread body bytes are read and thrown away to keep a connection after an early
 * answer (a 401, 413 or 415 given before the body was read). A client that declared more, or
 * did not say (chunked), gets `Connection: close` instead: reading megabytes nobody wants costs
 * more than a new connection.
 */
export const DRAIN_LIMIT_BYTES = 1024 * 1024;

/** Methods the Fetch API refuses to put in a `Request`: the handler can never be asked about them. */
export const METHODS_FETCH_CANNOT_CARRY: ReadonlySet<string> = new Set(['CONNECT', 'TRACE', 'TRACK']);

export function toRequest(
  req: IncomingMessage,
  signal: AbortSignal,
  body: IncomingBody | undefined,
): Request {
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2)
    headers.append(req.rawHeaders[i] as string, req.rawHeaders[i + 1] as string);
  const init: RequestInit & { duplex?: 'half' } = { method: req.method ?? 'GET', headers, signal };
  if (body) {
    init.body = body.stream;
    init.duplex = 'half'; // undici requires it for a streamed body
  }
  return new Request(requestUrl(req), init);
}

/** GET and HEAD carry no body the handler could read; everything else may. */
export function mayHaveBody(req: IncomingMessage): boolean {
  return req.method !== 'GET' && req.method !== 'HEAD';
}

/** The URL the browser asked for, as far as this socket knows (a proxy in front may have changed scheme or host). */
function requestUrl(req: IncomingMessage): URL {
  const scheme = (req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
  try {
    return new URL(req.url ?? '/', `${scheme}://${req.headers.host ?? 'localhost'}`);
  } catch {
    // A Host header no URL can hold: route on the path alone (origin checks then see a foreign origin).
    return new URL(req.url?.startsWith('/') ? req.url : '/', `${scheme}://invalid-host.invalid`);
  }
}

type BodyState = 'streaming' | 'ended' | 'cancelled' | 'discarding';

/**
 * The request body as a web stream, pulled as the handler reads it: a cancel stops reading and
 * nothing more is buffered. Once the handler has answered, {@link IncomingBody.discardUnread}
 * deals with whatever it left unread.
 */
export class IncomingBody {
  readonly stream: ReadableStream<Uint8Array>;
  #state: BodyState = 'streaming';
  #received = 0;
  readonly #req: IncomingMessage;
  #controller!: ReadableStreamDefaultController<Uint8Array>;

  constructor(req: IncomingMessage) {
    this.#req = req;
    this.stream = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.#controller = controller;
        req.on('data', this.#onData);
        req.once('end', () => this.#finish(() => controller.close()));
        req.once('error', (error) => this.#finish(() => controller.error(error)));
        req.pause();
      },
      pull: () => {
        if (this.#state === 'streaming') req.resume();
      },
      cancel: () => {
        if (this.#state !== 'streaming') return;
        this.#state = 'cancelled';
        req.pause();
        req.off('data', this.#onData);
      },
    });
  }

  readonly #onData = (chunk: Buffer): void => {
    this.#received += chunk.byteLength;
    this.#controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    if ((this.#controller.desiredSize ?? 0) <= 0) this.#req.pause();
  };

  #finish(settle: () => void): void {
    if (this.#state === 'streaming') settle();
    this.#state = 'ended';
  }

  /**
   * Call once the handler has answered, before the answer's head is written. Bytes it left unread
   * are read and thrown away, so the client can finish sending and the next request on this
   * connection starts where it should: the connection is kept when the client declared at most
   * {@link DRAIN_LIMIT_BYTES} more, otherwise the answer says `Connection: close` (unread bytes are
   * still discarded while it is written, so the client is not reset before it reads the answer).
   */
  discardUnread(res: ServerResponse): void {
    if (this.#state === 'ended' || this.#state === 'discarding') return;
    if (this.#state === 'streaming') {
      // Nobody will read the rest: a late reader gets an error, never a body cut short as if whole.
      this.#controller.error(new TypeError('The handler answered before reading the request body.'));
      this.#req.off('data', this.#onData);
    }
    this.#state = 'discarding';
    const declared = this.#declaredLength();
    const fewLeft = declared !== undefined && declared - this.#received <= DRAIN_LIMIT_BYTES;
    if (!fewLeft) res.shouldKeepAlive = false;
    this.#req.resume();
  }

  /** `content-length` as a number; undefined for a chunked body, whose size nobody knows yet. */
  #declaredLength(): number | undefined {
    const declared = Number(this.#req.headers['content-length'] ?? Number.NaN);
    return Number.isFinite(declared) ? declared : undefined;
  }
}
