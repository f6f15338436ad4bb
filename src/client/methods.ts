// client/methods — the shapes of `aui.tasks` and `aui.messages`, with the JSDoc users see when
// they hover a method. AuiClient (./client) implements them.
// Imports types only: http, schemas, session, stream.

import type { APIPromise } from '../http/api-promise.ts';
import type { RequestOptions } from '../http/transport.ts';
import type {
  CreateTaskParams,
  ListTasksParams,
  SendMessageParams,
  StreamMessageParams,
} from '../schemas/input.ts';
import type { Message, Task, TaskPage } from '../schemas/wire.ts';
import type { StreamOptions } from '../session/turn.ts';
import type { MessageStream } from '../stream/message-stream.ts';

/**
 * `aui.tasks`: the conversations between your end users and the agent.
 *
 * Every method returns an `APIPromise` (`await` it, or `.withResponse()` for the `Response`) and
 * rejects with `InvalidRequestError` for bad input before anything is sent; otherwise with the
 * API's errors (`AuthenticationError`, `NotFoundError`, `RateLimitError`, … all `APIError`s),
 * `APIConnectionError`, `APITimeoutError`, `APIUserAbortError` or `ResponseValidationError`.
 */
export interface TasksApi {
  /**
   * Starts a conversation for one end user and returns it with the agent's welcome message.
   * `task_origin_type` defaults to the client's `taskOriginType` (`'web-widget'`).
   * @throws InvalidRequestError when `user_id` is missing or empty (nothing is sent).
   * @example
   * const task = await aui.tasks.create({ user_id: 'user_123' });
   * console.log(task.welcome_message);
   */
  create(params: CreateTaskParams, options?: RequestOptions): APIPromise<Task>;

  /**
   * One page of a user's tasks (`page` from 1, default 1; `size` default 10).
   * @throws InvalidRequestError when `user_id` is missing, or `page`/`size` is not a whole number ≥ 1.
   */
  list(params: ListTasksParams, options?: RequestOptions): APIPromise<TaskPage>;

  /**
   * Every task of a user, page by page: a page is requested only when the loop needs it.
   * @throws InvalidRequestError at once (not in the loop) when `user_id` is missing or `size` is
   *   not a whole number ≥ 1; a bad `options` rejects the first step, before any request.
   * @example
   * for await (const task of aui.tasks.iterate({ user_id: 'user_123' })) console.log(task.title);
   */
  iterate(params: Omit<ListTasksParams, 'page'>, options?: RequestOptions): AsyncIterable<Task>;

  /**
   * One task by its id.
   * @throws InvalidRequestError when `task_id` is empty; `NotFoundError` when there is no such task.
   */
  get(task_id: string, options?: RequestOptions): APIPromise<Task>;

  /**
   * A task's history, oldest first: the user's messages and the agent's replies.
   * @throws InvalidRequestError when `task_id` is empty; `NotFoundError` when there is no such task.
   */
  messages(task_id: string, options?: RequestOptions): APIPromise<Message[]>;
}

/** `aui.messages`: what the user says, and the agent's answers. */
export interface MessagesApi {
  /**
   * Sends a message and resolves with the agent's complete reply (one HTTP request). Retried only
   * when the request provably never reached AUI; otherwise a failure carries
   * `delivered: 'unknown'` (check `aui.tasks.messages` before sending again).
   * @throws InvalidRequestError when `task_id` is missing or a field has the wrong type (nothing is sent).
   * @example
   * const reply = await aui.messages.send({ task_id: task.id, text: 'A quiet dishwasher?' });
   * console.log(reply.text, productsOf(reply));
   */
  send(params: SendMessageParams, options?: RequestOptions): APIPromise<Message>;

  /**
   * Streams the agent's answer as it is written, over a WebSocket of its own (open, one turn,
   * close). Never throws: every failure ends the stream, and `finalMessage()` rejects with it —
   * `InvalidRequestError` for bad input (no socket is opened), `TurnInterruptedError` when the
   * turn was cut off and could not be recovered, or the connection's and the API's errors.
   * Timeouts and the reconnect policy come from the client's `session` option.
   * @example
   * const stream = aui.messages.stream({ task_id: task.id, text: 'A quiet dishwasher?' });
   * stream.on('text', (delta) => process.stdout.write(delta));
   * const reply = await stream.finalMessage();
   */
  stream(params: StreamMessageParams, options?: StreamOptions): MessageStream;
}
