/**
 * The browser client of your proxy: `createProxyClient`. No key, no `user_id`.
 * @module aui-messaging/browser
 */
// browser/proxy-client — entry of `aui-messaging/browser`: `createProxyClient` talks to the
// app's own proxy (`createAuiHandler`), never to AUI, so it holds no key and has no `user_id`
// parameter (the proxy takes both from the server side). Same `MessageStream` and the same error
// classes as the full SDK, rebuilt from the proxy's SSE/JSON envelopes.
// Imports errors/, stream/, schemas (types), shared/, ./*. Never server, keys, mock or http: a
// chat page pays only for this (budget: 5 KB min+gzip for create + stream).

import type { Message, Task, TaskPage } from '../schemas/wire.ts';
import { followAbort } from '../shared/abort.ts';
import { isLastPage } from '../shared/pages.ts';
import { MessageStream } from '../stream/message-stream.ts';
import { decodeSse } from '../stream/sse.ts';
import { toProxyEndpoint, type ProxyClientOptions } from './endpoint.ts';
import { call, send } from './request.ts';

export {
  APIConnectionError,
  APIError,
  APITimeoutError,
  APIUserAbortError,
  AuiError,
  AuthenticationError,
  BadRequestError,
  InternalServerError,
  InvalidRequestError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  ResponseValidationError,
  TurnInterruptedError,
  UnprocessableEntityError,
} from '../errors/errors.ts';
export { MessageStream } from '../stream/message-stream.ts';
export type { MessageStreamEvents, StreamEvent } from '../stream/events.ts';
export type { Message, Task, TaskPage } from '../schemas/wire.ts';
export type { ProxyClientOptions } from './endpoint.ts';

/**
 * The browser's view of AUI, through the app's proxy. Every method rejects with the SDK's own
 * error classes, rebuilt from the proxy's answer: `AuthenticationError` (401: `authorize`
 * returned null), `PermissionDeniedError` (403: a cross-site call the proxy does not allow),
 * `NotFoundError` (404: no such task, or another user's), `InvalidRequestError` (400: a missing
 * or malformed field, with its `path`), `APIError` with `status` 413 (text or body too large),
 * `RateLimitError` (429, with `retryAfterMs`), `APIConnectionError` (the proxy, or AUI behind
 * it, could not be reached; `APITimeoutError` when AUI did not answer in time),
 * `InternalServerError` (the proxy or AUI failed), `ResponseValidationError` (a reply that is
 * not JSON).
 */
export interface ProxyClient {
  /** The signed-in user's tasks (conversations). */
  tasks: {
    /** Creates a task for the signed-in user (the proxy supplies `user_id`); 401 when signed out. */
    create(): Promise<Task>;
    /**
     * One page of the signed-in user's tasks. `page` counts from 1; `size` from 1 to 100.
     * Default: AUI's own page and size. Throws `InvalidRequestError` (400) for other numbers.
     */
    list(params?: { page?: number; size?: number }): Promise<TaskPage>;
    /**
     * Every task of the signed-in user, page by page, each page fetched when the previous one
     * is used up. Throws what `list` throws, at the page that failed.
     */
    iterate(params?: { size?: number }): AsyncIterable<Task>;
    /** The task's messages, oldest first. `NotFoundError` for a task that is not the user's. */
    messages(task_id: string): Promise<Message[]>;
  };
  /** Messages on the user's tasks: sent whole, or streamed as the answer is written. */
  messages: {
    /**
     * Sends one message and resolves with the agent's whole answer. Only `task_id` and `text`
     * travel; anything the agent needs besides is the proxy's `transform` to add. Besides the
     * errors above, `BadRequestError` (AUI's moderation) and `UnprocessableEntityError` (with
     * `issues`); a rejection carries `delivered` when the proxy knows it (`true`, `false` or
     * `'unknown'`).
     */
    send(params: { task_id: string; text: string }): Promise<Message>;
    /**
     * Sends one message and streams the answer as it is written (`text` events, then `message`).
     * Errors (those of `send`) arrive as the stream's `error` event and as `finalMessage()`'s
     * rejection; a cut connection is a `TurnInterruptedError` with the partial text. Aborting
     * `signal` (or calling `stream.abort()`) ends it with `APIUserAbortError` and stops the turn
     * upstream.
     */
    stream(params: { task_id: string; text: string }, options?: { signal?: AbortSignal }): MessageStream;
  };
}

/**
 * A client for the app's own proxy (`createAuiHandler` on the server): no key, no `user_id`,
 * only the proxy's URL. Throws `InvalidRequestError` (path `['url']`) at once for a URL that
 * cannot work where it runs: a relative URL outside a browser page, or one that is not http(s).
 *
 * @example
 * import { createProxyClient } from 'aui-messaging/browser';
 *
 * const aui = createProxyClient({ url: '/api/aui' });
 * const task = await aui.tasks.create();
 * const stream = aui.messages.stream({ task_id: task.id, text: 'I need a built-in microwave' });
 * stream.on('text', (delta) => output.append(delta));
 * const answer = await stream.finalMessage();
 */
export function createProxyClient(options: ProxyClientOptions): ProxyClient {
  const endpoint = toProxyEndpoint(options);

  const list = (params: { page?: number; size?: number } = {}) => {
    // Only the numbers given: the proxy reads page/size and applies AUI's defaults for the rest.
    const query = Object.entries(params).filter(([, value]) => value !== undefined);
    const search = new URLSearchParams(query.map(([name, value]) => [name, String(value)]));
    return call<TaskPage>(endpoint, `/tasks?${search}`);
  };

  return {
    tasks: {
      create: () => call<Task>(endpoint, '/tasks', {}),
      list,
      async *iterate(params = {}) {
        for (let page = 1; ; page++) {
          const result = await list({ ...params, page });
          yield* result.tasks;
          if (isLastPage(page, result)) return;
        }
      },
      messages: (task_id) => call<Message[]>(endpoint, `/tasks/${encodeURIComponent(task_id)}/messages`),
    },
    messages: {
      // Only the two fields the proxy accepts travel: anything else would be dropped there anyway.
      send: ({ task_id, text }) => call<Message>(endpoint, '/messages', { task_id, text }),
      stream({ task_id, text }, { signal } = {}) {
        const stream = new MessageStream((sink) => {
          const controller = new AbortController();
          send(endpoint, '/messages/stream', { task_id, text }, controller.signal).then(
            // No body reads as a stream that ended without `end`: a TurnInterruptedError.
            (response) => decodeSse(response.body ?? emptyBody(), sink),
            (error) => sink.fail(error),
          );
          // Aborting the fetch also ends the body being read, and the proxy aborts the turn.
          return () => controller.abort();
        });
        const stopFollowing = followAbort(signal, () => stream.abort());
        stream.once('end', stopFollowing);
        return stream;
      },
    },
  };
}

const emptyBody = () => new ReadableStream<Uint8Array>({ start: (controller) => controller.close() });
