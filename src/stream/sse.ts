// stream/sse — the one SSE format a turn travels in between a server and a browser: `text`,
// `snapshot`, `message`, `error` (the error envelope) and `end` events, and `: ping` comments.
// Encoding (server side) and decoding (browser side) live together so the two cannot drift. The
// encoder reads a small structural interface that MessageStream satisfies, so this file never
// imports it. Parsed with `getReader()`: Safari cannot `for await` a ReadableStream.
// Imports: errors, schemas (types), shared, ./events (types).

import { AuiError, ResponseValidationError, TurnInterruptedError } from '../errors/errors.ts';
import { fromErrorEnvelope, toErrorEnvelope } from '../errors/map.ts';
import type { Message } from '../schemas/wire.ts';
import { isRecord } from '../shared/values.ts';
import type { StreamSink } from './events.ts';

/**
 * The response headers of an event stream: pass them with `toReadableStream()`.
 *
 * @example
 * return new Response(stream.toReadableStream(), { headers: SSE_HEADERS });
 */
export const SSE_HEADERS: Readonly<Record<string, string>> = /* @__PURE__ */ Object.freeze({
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  'x-accel-buffering': 'no',
});

/** What the encoder reads from: a turn's events (MessageStream is one). */
export interface SseSource {
  on(event: 'text', listener: (delta: string) => void): this;
  on(event: 'snapshot', listener: (snapshot: string) => void): this;
  on(event: 'message', listener: (message: Message) => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
  on(event: 'end', listener: () => void): this;
  abort(): void;
}

/** One SSE event: `event: <name>` and one `data:` line of JSON. */
function sseEvent(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** The turn's events as SSE bytes. Cancelling the body aborts the turn. */
export function encodeSse(turn: SseSource, options: { pingMs?: number } = {}): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let ping: ReturnType<typeof setInterval> | undefined;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      const send = (text: string) => {
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          // The reader went away; the cancel below aborts the turn.
        }
      };
      if (options.pingMs) ping = setInterval(() => send(': ping\n\n'), options.pingMs);
      turn
        .on('text', (delta) => send(sseEvent('text', { delta })))
        .on('snapshot', (snapshot) => send(sseEvent('snapshot', { snapshot })))
        .on('message', (message) => send(sseEvent('message', message)))
        .on('error', (error) => send(sseEvent('error', { error: toErrorEnvelope(error) })))
        .on('end', () => {
          clearInterval(ping);
          send(sseEvent('end', {}));
          try {
            controller.close();
          } catch {
            // already closed by a cancel
          }
        });
    },
    cancel() {
      clearInterval(ping);
      turn.abort();
    },
  });
}

/**
 * Reads SSE bytes into a stream's `sink`; returns what stops the reading (for the stream's abort). Only the
 * subset our own encoder writes is read (`event:` and one `data:` line per event, `:` comments),
 * which is what every hop in between (proxies, `toNodeListener`) passes through unchanged.
 */
export function decodeSse(body: ReadableStream<Uint8Array>, sink: StreamSink): () => void {
  const reader = body.getReader();
  void readEvents(reader, sink);
  return () => void reader.cancel().catch(() => undefined);
}

async function readEvents(reader: ReadableStreamDefaultReader<Uint8Array>, sink: StreamSink): Promise<void> {
  const decoder = new TextDecoder();
  const parser = { buffer: '', event: '', ended: false };
  // A body that ends without `end` (a proxy timeout, a dropped connection) is an interrupted turn.
  let why = 'no end event';
  try {
    while (!parser.ended) {
      const { value, done } = await reader.read();
      if (done) break;
      const lines = (parser.buffer + decoder.decode(value, { stream: true })).split(/\r?\n/);
      parser.buffer = lines.pop() ?? '';
      for (const line of lines) readLine(line, parser, sink);
    }
  } catch (error) {
    why = error instanceof SyntaxError || error instanceof AuiError ? 'malformed event' : 'read failed';
  }
  if (!sink.ended) {
    const message = `event stream: turn interrupted (${why}).`;
    sink.fail(
      new TurnInterruptedError({ task_id: '', delivered: 'unknown', partialText: sink.text, message }),
    );
  }
}

function readLine(line: string, parser: { event: string; ended: boolean }, sink: StreamSink): void {
  if (line.startsWith('event:')) parser.event = line.slice(6).trim();
  if (!line.startsWith('data:')) return; // comments (pings), blank lines
  const payload: unknown = JSON.parse(line.slice(5));
  const fields = (typeof payload === 'object' && payload !== null ? payload : {}) as Record<string, unknown>;
  switch (parser.event) {
    case 'text':
      sink.delta(stringField(fields.delta));
      break;
    case 'snapshot':
      sink.snapshot(stringField(fields.snapshot));
      break;
    case 'message':
      sink.final(messageFrom(payload));
      break;
    case 'error':
      sink.fail(fromErrorEnvelope(fields.error));
      break;
    case 'end':
      parser.ended = true;
      break;
  }
}

/** The two fields a turn's end relies on; the rest passes through as the server sent it. */
function messageFrom(payload: unknown): Message {
  if (!isRecord(payload) || typeof payload.id !== 'string' || typeof payload.text !== 'string') {
    throw new ResponseValidationError('event stream: a message event has no string id and text.');
  }
  return payload as unknown as Message;
}

function stringField(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
