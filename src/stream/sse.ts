/**
 * stream/sse — the one SSE format a turn travels in between a server and a browser:
 * `text`, `snapshot`, `message`, `error` (the error envelope) and `end` events, `: ping`
 * comments. Encoding (server side) and decoding into a StreamSink (browser side) live together
 * so the two cannot drift. Parsed with `getReader()`: Safari cannot `for await` a ReadableStream.
 * Imports: errors (map), ./message-stream types.
 */
import { TurnInterruptedError } from '../errors/errors.ts';
import { fromErrorEnvelope, toErrorEnvelope } from '../errors/map.ts';
import type { Message } from '../schemas/wire.ts';
import type { MessageStream, StreamSink } from './message-stream.ts';

export const SSE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  'x-accel-buffering': 'no',
});

export function sseEvent(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** The stream's events as SSE bytes. Cancelling the body aborts the turn. */
export function encodeSse(stream: MessageStream, options: { pingMs?: number } = {}): ReadableStream<Uint8Array> {
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
      stream
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
      stream.abort();
    },
  });
}

/** Reads SSE bytes into a sink; returns the abort hook for the stream. */
export function decodeSse(body: ReadableStream<Uint8Array>, sink: StreamSink): (reason: unknown) => void {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let sawEnd = false;

  const dispatch = (block: string) => {
    let event = 'message';
    let data = '';
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) continue; // comment (ping)
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') event = value;
      else if (field === 'data') data = data ? `${data}\n${value}` : value;
    }
    if (!data) return;
    const payload = JSON.parse(data) as Record<string, unknown>;
    if (event === 'text') sink.delta(String(payload.delta ?? ''));
    else if (event === 'snapshot') sink.snapshot(String(payload.snapshot ?? ''));
    else if (event === 'message') sink.final(payload as unknown as Message);
    else if (event === 'error') sink.fail(fromErrorEnvelope(payload.error));
    else if (event === 'end') sawEnd = true;
  };

  const pump = async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true }).replace(/\r\n?/g, '\n');
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) !== -1) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          dispatch(block);
        }
        if (sawEnd) break;
      }
    } catch (error) {
      const why = error instanceof SyntaxError ? 'sent a malformed event' : 'broke off';
      if (!sink.ended) sink.fail(new TurnInterruptedError({ task_id: '', delivered: 'unknown', partialText: sink.text, message: `The event stream ${why} before the turn finished.` }));
      return;
    }
    if (!sink.ended) {
      // A body that ends without `end` (a proxy timeout, a dropped connection) is an interrupted turn.
      sink.fail(new TurnInterruptedError({ task_id: '', delivered: 'unknown', partialText: sink.text, message: 'The event stream ended before the turn finished.' }));
    }
  };
  void pump();
  return () => void reader.cancel().catch(() => undefined);
}
