/**
 * The Vercel AI SDK adapter: `toUIMessageStream` and the `AuiUIMessage` type for `useChat`.
 * @module aui-messaging/ai
 */
// ai/ui-message-stream — entry of `aui-messaging/ai` (web build): an AUI turn as the Vercel AI
// SDK's UI message stream, for a route that answers `useChat`. The chunks are made here (./chunks)
// and only the types come from `ai`, so this entry runs wherever the rest of the package does and
// never loads `ai` (an optional peer dependency, 6 or 7) at run time.
// Imports: stream/, ./*. Never server, keys, mock, http or browser.

import type { MessageStream } from '../stream/message-stream.ts';
import type { StreamEvent } from '../stream/events.ts';
import { TurnChunks } from './chunks.ts';
import { safeErrorText } from './errors.ts';
import type { AuiUIMessageChunk } from './message.ts';

export type { AuiDataParts, AuiMessageMetadata, AuiUIMessage, AuiUIMessageChunk } from './message.ts';
export type { Product } from '../schemas/helpers.ts';

/** Options of {@link toUIMessageStream}. */
export interface UIMessageStreamOptions {
  /**
   * The turn's AUI task, sent as the answer's metadata (`message.metadata.taskId`) in the first
   * chunk, so it reaches the browser even when the turn fails. Default: no metadata.
   */
  taskId?: string;
  /**
   * The text of the `error` chunk for a failed turn (`useChat` shows it as `error.message`).
   * Default: a plain sentence per error class that never quotes AUI, a host or the key — only a
   * 400's moderation message and a 422's validation text pass as they are.
   */
  onError?: (error: unknown) => string;
}

/**
 * An AUI turn as a stream of the AI SDK's UI message chunks, for `useChat`: `start`, the text as
 * `text-start`/`text-delta`/`text-end` (the turn's deltas as they arrive), the product cards and
 * follow-up suggestions as `data-products` and `data-suggestions` parts, then `finish`. Text parts
 * only grow in the AI SDK: when AUI's final text merely extends what streamed, the rest arrives as
 * one more delta; when it rewrites it, the part shown is closed with
 * `providerMetadata: { aui: { replaced: true } }` and a new part carries the final text. A failed
 * turn ends with an `error` chunk (text from `onError`) instead of `finish`, and one the app
 * aborted with an `abort` chunk. Cancelling the returned stream aborts the turn.
 *
 * Reads the turn with its async iterator, so the stream must not be iterated elsewhere (it throws
 * `AuiError` if it already was); events that came before the call arrive as text all the same.
 *
 * @example
 * // app/api/chat/route.ts, with your own AuiClient (or use createAuiHandler({ protocol: 'ai-sdk' }))
 * import { createUIMessageStreamResponse } from 'ai';
 * const turn = aui.messages.stream({ task_id, text });
 * return createUIMessageStreamResponse({ stream: toUIMessageStream(turn, { taskId: task_id }) });
 */
export function toUIMessageStream(
  stream: MessageStream,
  options: UIMessageStreamOptions = {},
): ReadableStream<AuiUIMessageChunk> {
  const errorText = options.onError ?? safeErrorText;
  const chunks = new TurnChunks();
  const events = stream[Symbol.asyncIterator]();
  let cancelled = false;
  const enqueue = (
    controller: ReadableStreamDefaultController<AuiUIMessageChunk>,
    list: AuiUIMessageChunk[],
  ) => {
    if (cancelled) return; // the reader left: the abort that follows must not write to a cancelled stream
    for (const chunk of list) controller.enqueue(chunk);
  };
  return new ReadableStream<AuiUIMessageChunk>({
    start(controller) {
      enqueue(controller, chunks.start(options.taskId));
    },
    async pull(controller) {
      // An event can make no chunk (a correction to exactly the text shown): read on until one does,
      // or a waiting reader would never be asked about again.
      for (;;) {
        let next: IteratorResult<StreamEvent, undefined>;
        try {
          next = await events.next();
        } catch (error) {
          enqueue(controller, chunks.fail(error, errorText));
          if (!cancelled) controller.close();
          return;
        }
        if (next.done) {
          if (!cancelled) controller.close();
          return;
        }
        const list = chunks.event(next.value);
        if (list.length > 0) {
          enqueue(controller, list);
          return;
        }
      }
    },
    async cancel() {
      cancelled = true;
      await events.return?.();
    },
  });
}
