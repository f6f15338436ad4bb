// server/sse — a streamed turn as the browser receives it: the one SSE format of stream/sse
// (`toReadableStream`, a `: ping` comment every 15 s so idle proxies keep the connection), but
// with every error rewritten to its public form first, since an upstream error's message may
// carry upstream internals. Cancelling the body (the browser left) aborts the upstream turn.
// Imports: stream/, errors/map, ./errors. Never keys, mock or browser.

import { fromErrorEnvelope } from '../errors/map.ts';
import { MessageStream } from '../stream/message-stream.ts';
import { SSE_HEADERS } from '../stream/sse.ts';
import { publicError } from './errors.ts';

const PING_MS = 15_000;

export function sseResponse(upstream: MessageStream, headers: Record<string, string>): Response {
  const safe = new MessageStream((sink) => {
    upstream
      .on('text', (delta) => sink.delta(delta))
      .on('snapshot', (snapshot) => sink.snapshot(snapshot))
      .on('message', (message) => sink.final(message))
      // Rebuilt from the public envelope, so what the encoder writes is exactly that envelope.
      .on('error', (error) => sink.fail(fromErrorEnvelope(publicError(error).envelope)));
    return () => upstream.abort();
  });
  return new Response(safe.toReadableStream({ pingMs: PING_MS }), {
    status: 200,
    headers: { ...headers, ...SSE_HEADERS },
  });
}
