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

// Pure: an app that never serves SSE does not keep it.
export const SSE_HEADERS: Readonly<Record<string, string>> = /* @__PURE__ */ Object.freeze({
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  'x-accel-buffering': 'no',
});

export function sseEvent(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** The stream's events as SSE bytes. Cancelling the body aborts the turn. */
export function encodeSse(
  stream: MessageStream,
  options: { pingMs?: number } = {},
): ReadableStream<Uint8Array> {
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

/**
 * Reads SSE bytes into a sink; returns the abort hook for the stream. Only the subset our own
 * encoder writes is read (`event:` and one `data:` line per event, `:` comments), which is what
 * every hop in between (proxies, `toNodeListener`) passes through unchanged.
 */
export function decodeSse(body: ReadableStream<Uint8Array>, sink: StreamSink): (reason: unknown) => void {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let event = '';
  let ended = false;

  const dispatch = (line: string) => {
    if (line.startsWith('event:')) event = line.slice(6).trim();
    if (!line.startsWith('data:')) return; // comments (pings), blank lines
    const payload = JSON.parse(line.slice(5)) as Record<string, any>;
    if (event === 'text') sink.delta(String(payload.delta ?? ''));
    else if (event === 'snapshot') sink.snapshot(String(payload.snapshot ?? ''));
    else if (event === 'message') sink.final(payload as Message);
    else if (event === 'error') sink.fail(fromErrorEnvelope(payload.error));
    else if (event === 'end') ended = true;
  };

  void (async () => {
    // A body that ends without `end` (a proxy timeout, a dropped connection) is an interrupted turn.
    let why = 'no end event';
    try {
      while (!ended) {
        const { value, done } = await reader.read();
        if (done) break;
        const lines = (buffer + decoder.decode(value, { stream: true })).split(/\r?\n/);
        buffer = lines.pop()!;
        lines.forEach(dispatch);
      }
    } catch (error) {
      why = error instanceof SyntaxError ? 'malformed event' : 'read failed';
    }
    if (!sink.ended)
      sink.fail(
        new TurnInterruptedError({
          task_id: '',
          delivered: 'unknown',
          partialText: sink.text,
          message: `event stream: turn interrupted (${why}).`,
        }),
      );
  })();
  return () => void reader.cancel().catch(() => undefined);
}
