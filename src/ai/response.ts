// ai/response — a UI message stream as the HTTP response `useChat`'s default transport reads:
// server-sent events, one `data: <chunk as JSON>` per chunk and a closing `data: [DONE]`, with the
// AI SDK's headers (`x-vercel-ai-ui-message-stream: v1`). It is what `createUIMessageStreamResponse`
// of `ai` 6 and 7 writes, made here so the proxy never loads `ai` at run time. A `: keep-alive`
// comment every 15 s (comments are skipped by SSE readers) keeps idle proxies from closing the
// connection while the agent thinks. The chunks are copied as they come, so a turn that ends also
// ends its timer; cancelling the body cancels the chunk stream (and so the turn).
// Imports: ./message (types).

import type { AuiUIMessageChunk } from './message.ts';

/** The headers the AI SDK sends with a UI message stream (`UI_MESSAGE_STREAM_HEADERS` in `ai`). */
const UI_MESSAGE_STREAM_HEADERS: Readonly<Record<string, string>> = /* @__PURE__ */ Object.freeze({
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache',
  connection: 'keep-alive',
  'x-vercel-ai-ui-message-stream': 'v1',
  'x-accel-buffering': 'no',
});

const KEEP_ALIVE_MS = 15_000;

/** A 200 response carrying `chunks` as the AI SDK's SSE; `headers` go first, the stream's own win. */
export function uiMessageStreamResponse(
  chunks: ReadableStream<AuiUIMessageChunk>,
  headers: Record<string, string> = {},
): Response {
  const reader = chunks.getReader();
  let keepAlive: ReturnType<typeof setInterval> | undefined;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const sse = new SseWriter(controller);
      keepAlive = setInterval(() => sse.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
      // Read as the chunks come, not as the body is read: the turn's end stops the keep-alive
      // timer even if nobody reads the rest (as the proxy's own SSE does on its `end` event).
      void copyChunks(reader, sse).finally(() => clearInterval(keepAlive));
    },
    cancel(reason) {
      clearInterval(keepAlive);
      return reader.cancel(reason);
    },
  });
  return new Response(body, { status: 200, headers: { ...headers, ...UI_MESSAGE_STREAM_HEADERS } });
}

/** Every chunk as a `data:` event, then `data: [DONE]`; a failing chunk stream fails the body. */
async function copyChunks(
  reader: ReadableStreamDefaultReader<AuiUIMessageChunk>,
  sse: SseWriter,
): Promise<void> {
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      sse.write(`data: ${JSON.stringify(value)}\n\n`);
    }
    sse.write('data: [DONE]\n\n');
    sse.close();
  } catch (error) {
    sse.fail(error);
  }
}

/** The body's controller, quiet once the reader has gone (a cancelled body takes no more bytes). */
class SseWriter {
  readonly #encoder = new TextEncoder();
  #open = true;

  constructor(readonly controller: ReadableStreamDefaultController<Uint8Array>) {}

  write(text: string): void {
    if (!this.#open) return;
    try {
      this.controller.enqueue(this.#encoder.encode(text));
    } catch {
      this.#open = false; // cancelled: the cancel handler stops the chunks
    }
  }

  close(): void {
    if (!this.#open) return;
    this.#open = false;
    this.controller.close();
  }

  fail(error: unknown): void {
    if (!this.#open) return;
    this.#open = false;
    this.controller.error(error);
  }
}
