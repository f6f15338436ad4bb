/**
 * browser/proxy-client — entry of `aui-messaging/browser`: `createProxyClient` talks to the
 * app's own proxy (`createAuiHandler`), never to AUI, so it holds no key and has no `user_id`
 * parameter (the proxy takes both from the server side). Same `MessageStream` and the same
 * error classes as the full SDK, rebuilt from the proxy's SSE/JSON envelopes.
 * Imports: errors/, stream/, schemas types, ./request. Never server, keys, mock or http:
 * a chat page pays only for this (budget 4 KB min+gzip for create + stream).
 */
import type { Message, Task, TaskPage } from '../schemas/wire.ts';
import { MessageStream } from '../stream/message-stream.ts';
import { decodeSse } from '../stream/sse.ts';
import { call, send, type Transport } from './request.ts';

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

export interface ProxyClientOptions {
  /** Where `createAuiHandler` is mounted, e.g. `'/api/aui'`. */
  url: string;
  /** Default: the global `fetch`. */
  fetch?: typeof fetch;
  /** Sent on every request (say, the app's own auth header for `authorize`). */
  headers?: Record<string, string>;
}

export interface ProxyClient {
  tasks: {
    create(): Promise<Task>;
    /** `page` from 1; `size` from 1 to 100 (the proxy's cap). */
    list(params?: { page?: number; size?: number }): Promise<TaskPage>;
    /** Every task of the signed-in user, page by page, fetched lazily. */
    iterate(params?: { size?: number }): AsyncIterable<Task>;
    messages(task_id: string): Promise<Message[]>;
  };
  messages: {
    send(params: { task_id: string; text: string }): Promise<Message>;
    stream(params: { task_id: string; text: string }, options?: { signal?: AbortSignal }): MessageStream;
  };
}

export function createProxyClient(options: ProxyClientOptions): ProxyClient {
  const t: Transport = { url: options.url, fetch: options.fetch, headers: options.headers };
  const list = (params: { page?: number; size?: number } = {}) => {
    // Only the numbers given: the proxy reads page/size and applies AUI's defaults for the rest.
    const query = Object.entries(params).filter(([, value]) => value !== undefined);
    return call<TaskPage>(
      t,
      `/tasks?${new URLSearchParams(query.map(([name, value]) => [name, String(value)]))}`,
    );
  };
  return {
    tasks: {
      create: () => call<Task>(t, '/tasks', {}),
      list,
      async *iterate(params = {}) {
        for (let page = 1; ; page++) {
          const result = await list({ ...params, page });
          yield* result.tasks;
          if (
            result.tasks.length === 0 ||
            result.tasks.length < result.size ||
            page * result.size >= result.total
          )
            return;
        }
      },
      messages: (task_id) => call<Message[]>(t, `/tasks/${encodeURIComponent(task_id)}/messages`),
    },
    messages: {
      // Only the two fields the proxy accepts travel: anything else would be dropped there anyway.
      send: ({ task_id, text }) => call<Message>(t, '/messages', { task_id, text }),
      stream({ task_id, text }, { signal } = {}) {
        const stream = new MessageStream((sink) => {
          const controller = new AbortController();
          send(t, '/messages/stream', { task_id, text }, controller.signal).then(
            // No body reads as a stream that ended without `end`: a TurnInterruptedError.
            (response) => decodeSse(response.body ?? new ReadableStream({ start: (c) => c.close() }), sink),
            (error) => sink.fail(error),
          );
          // Aborting the fetch also ends the body being read, and the proxy aborts the turn.
          return () => controller.abort();
        });
        if (signal?.aborted) stream.abort();
        else signal?.addEventListener('abort', () => stream.abort(), { once: true });
        return stream;
      },
    },
  };
}
