// client/client — `AuiClient`: every REST endpoint of the AUI Messaging API as a typed method,
// and the two ways into streaming (`messages.stream`, `session()`). A REST method checks its
// input (bad input sends nothing), then builds its request — path parameters encoded by
// `pathOf`, query or body — and hands it to the transport. Streaming goes to session/, which
// gets what it needs from here as `SessionDeps`.
// Imports: http, schemas, session, stream, runtime, shared, ./options. Never mock, cli or server.

import { APIPromise, type WithResponse } from '../http/api-promise.ts';
import { type CallSpec, createTransport, type RequestOptions, type Transport } from '../http/transport.ts';
import { checkInput } from '../schemas/check.ts';
import {
  CreateTaskSchema,
  FreeFormSchema,
  IdSchema,
  type ListTasksParams,
  ListTasksSchema,
  type RenderWidgetParams,
  RenderWidgetSchema,
  RequestOptionsSchema,
  SendMessageSchema,
  SessionOptionsSchema,
  StreamMessageSchema,
  type TextConversationParams,
  TextConversationSchema,
  type TraceInfoQuery,
  TraceInfoQuerySchema,
} from '../schemas/input.ts';
import {
  FollowupSuggestionsSchema,
  MessageSchema,
  MessagesSchema,
  RenderedWidgetSchema,
  TaskPageSchema,
  TaskSchema,
  UnreadReplySchema,
  type AgentContext,
  type FollowupSuggestions,
  type RenderedWidget,
  type Task,
  type TextConversation,
  type TraceInfo,
} from '../schemas/wire.ts';
import {
  type ResolvedSessionOptions,
  resolveSessionOptions,
  type SessionOptions,
} from '../session/options.ts';
import type { SessionDeps } from '../session/engine.ts';
import { Session } from '../session/session.ts';
import type { StreamParams } from '../session/turn.ts';
import { WatermarkStore } from '../session/watermarks.ts';
import { isLastPage } from '../shared/pages.ts';
import { MessageStream } from '../stream/message-stream.ts';
import { type AuiClientOptions, resolveOptions, type ResolvedOptions } from './options.ts';
import type { MessagesApi, TasksApi } from './methods.ts';
import { webSocketFor } from './websocket.ts';

/**
 * A client for the AUI Messaging API: tasks (conversations), messages over REST, and the agent's
 * answer streamed token by token over a WebSocket. Runs on servers and at the edge (Node,
 * Workers, Vercel Edge, Deno, Bun); in a browser, use `aui-messaging/browser` behind
 * `aui-messaging/server` so the key stays on your server.
 *
 * @example
 * const aui = new AuiClient(); // the key comes from AUI_NETWORK_API_KEY
 * const task = await aui.tasks.create({ user_id: 'user_123' });
 * const stream = aui.messages.stream({ task_id: task.id, text: 'A quiet dishwasher?' });
 * stream.on('text', (delta) => process.stdout.write(delta));
 * console.log(productsOf(await stream.finalMessage()));
 */
export class AuiClient {
  /** Tasks: the conversations between your end users and the agent. */
  declare readonly tasks: TasksApi;
  /** Messages: send one and get the agent's reply, or stream the reply as it is written. */
  declare readonly messages: MessagesApi;
  readonly #config: ResolvedOptions;
  readonly #call: Transport;
  // What every session of this client shares (held, not copied: a thousand idle sessions carry one).
  readonly #sessionDeps: SessionDeps;
  readonly #sessionDefaults: ResolvedSessionOptions;

  /**
   * Checks and normalises `options`; nothing is sent until the first call.
   * @throws InvalidRequestError when an option has the wrong type or value
   *   (`new AuiClient: options.baseUrl must be an http(s) URL, got "ftp://…"`) or `apiKey` is empty.
   * @throws AuiError when a raw key is used in a browser without `dangerouslyAllowBrowser`.
   */
  constructor(options: AuiClientOptions = {}) {
    this.#config = resolveOptions(options);
    this.#call = createTransport(this.#config);
    this.#sessionDeps = {
      wsUrl: this.#config.wsUrl,
      keys: this.#config.keys,
      log: this.#config.log,
      webSocket: () => webSocketFor(this, this.#config.WebSocket),
      history: (task_id, options) => this.tasks.messages(task_id, options),
      // Where each task's history stood before its last turn: what recovery compares against.
      watermarks: new WatermarkStore(),
    };
    this.#sessionDefaults = resolveSessionOptions(this.#config.session);
    this.tasks = {
      create: (params, options) =>
        this.#rest('tasks.create', options, TaskSchema, (checked) => ({
          path: 'tasks',
          body: {
            ...checked(CreateTaskSchema, params),
            task_origin_type: params.task_origin_type ?? this.#config.taskOriginType,
          },
        })),
      list: (params, options) =>
        this.#rest('tasks.list', options, TaskPageSchema, (checked) => ({
          path: 'tasks',
          query: { ...checked(ListTasksSchema, params) },
        })),
      iterate: (params, options) => {
        // Bad params throw here; bad options reject the first page (tasks.list checks them), still before any request.
        checkInput(ListTasksSchema, params, 'tasks.iterate', 'params');
        return this.#pages(params, options);
      },
      get: (task_id, options) =>
        this.#rest('tasks.get', options, TaskSchema, (checked) => ({
          path: pathOf('tasks', checked(IdSchema, task_id, 'task_id')),
        })),
      messages: (task_id, options) =>
        this.#rest('tasks.messages', options, MessagesSchema, (checked) => ({
          path: pathOf('tasks', checked(IdSchema, task_id, 'task_id'), 'messages'),
        })),
    };
    this.messages = {
      send: (params, options) =>
        this.#rest('messages.send', options, MessageSchema, (checked) => {
          const { include_business_trace, include_context_trace, ...body } = checked(
            SendMessageSchema,
            params,
          );
          return {
            path: 'message',
            query: { is_external_api: true, include_business_trace, include_context_trace },
            body,
            unsafe: true,
          };
        }),
      stream: (params, options) => {
        try {
          checkInput(StreamMessageSchema, params, 'messages.stream', 'params');
          checkInput(RequestOptionsSchema, options, 'messages.stream', 'options');
        } catch (error) {
          return new MessageStream((sink) => queueMicrotask(() => sink.fail(error)));
        }
        // One turn on its own socket: open, send, stream the answer, close.
        const session = new Session(this.#sessionDeps, this.#sessionDefaults, 'one-shot');
        return session.stream(params as StreamParams, options);
      },
    };
  }

  /**
   * Opens a long-lived session: one WebSocket kept open across turns, for servers and CLIs that
   * hold a conversation. One turn streams at a time; the others wait in a queue.
   * `options` override the client's `session` defaults for this session only.
   * @throws InvalidRequestError when an option has the wrong type or value.
   * @example
   * const session = aui.session();
   * const text = await session.stream({ task_id, text: 'Hi' }).finalText();
   * await session.close();
   */
  session(options?: SessionOptions): Session {
    checkInput(SessionOptionsSchema, options, 'session', 'options');
    const resolved = options ? resolveSessionOptions(this.#config.session, options) : this.#sessionDefaults;
    return new Session(this.#sessionDeps, resolved, 'long-lived');
  }

  /**
   * What the agent holds about a task: its parameters, entities and static context
   * (`POST /agent-context`). The body is sent as given, e.g. `{ task_id }`.
   * @throws InvalidRequestError when `body` is not an object; the API's errors as for every call.
   */
  agentContext(body: Record<string, unknown> = {}, options?: RequestOptions): APIPromise<AgentContext> {
    return this.#rest('agentContext', options, UnreadReplySchema, (checked) => ({
      path: 'agent-context',
      body: checked(FreeFormSchema, body, 'body'),
    }));
  }

  /**
   * Questions the user could ask next (`POST /direct-followup-suggestions`), e.g.
   * `aui.followupSuggestions({ context: { task_id } })`. The body is sent as given.
   * @throws InvalidRequestError when `body` is not an object; the API's errors as for every call.
   */
  followupSuggestions(
    body: Record<string, unknown> = {},
    options?: RequestOptions,
  ): APIPromise<FollowupSuggestions> {
    return this.#rest('followupSuggestions', options, FollowupSuggestionsSchema, (checked) => ({
      path: 'direct-followup-suggestions',
      body: checked(FreeFormSchema, body, 'body'),
    }));
  }

  /**
   * How the agent arrived at one of its messages: understanding, decisions, integration calls.
   * By default the whole trace; `query` can leave parts out.
   * @throws InvalidRequestError when an id is empty; `NotFoundError` for an unknown task or message.
   */
  traceInfo(
    task_id: string,
    message_id: string,
    query: TraceInfoQuery = {},
    options?: RequestOptions,
  ): APIPromise<TraceInfo> {
    return this.#rest('traceInfo', options, UnreadReplySchema, (checked) => ({
      path: pathOf(
        'tasks',
        checked(IdSchema, task_id, 'task_id'),
        'messages',
        checked(IdSchema, message_id, 'message_id'),
        'trace-info',
      ),
      query: { ...checked(TraceInfoQuerySchema, query, 'query') },
    }));
  }

  /**
   * Starts a WhatsApp or SMS conversation with a phone number (`POST /text/conversation`).
   * Not retried once it may have reached AUI (it sends a message).
   * @throws InvalidRequestError when the number is not E.164 or the channel is not `'whatsapp'`/`'sms'`.
   */
  textConversation(params: TextConversationParams, options?: RequestOptions): APIPromise<TextConversation> {
    return this.#rest('textConversation', options, UnreadReplySchema, (checked) => ({
      path: 'text/conversation',
      body: checked(TextConversationSchema, params),
      unsafe: true,
    }));
  }

  /**
   * Renders a widget card from an integration's data (`POST /widgets`).
   * @throws InvalidRequestError when a field is missing or empty.
   */
  renderWidget(params: RenderWidgetParams, options?: RequestOptions): APIPromise<RenderedWidget> {
    return this.#rest('renderWidget', options, RenderedWidgetSchema, (checked) => ({
      path: 'widgets',
      body: checked(RenderWidgetSchema, params),
    }));
  }

  /** The tasks of `tasks.iterate`, one page requested at a time, as they are read. */
  async *#pages(params: Omit<ListTasksParams, 'page'>, options?: RequestOptions): AsyncGenerator<Task> {
    for (let page = 1; ; page++) {
      const result = await this.tasks.list({ ...params, page }, options);
      yield* result.tasks;
      if (isLastPage(page, result)) return;
    }
  }

  /**
   * One REST call named `where`. `request` returns what to send — the path under
   * `api/v1/external/`, the query, the body (a body makes it a POST: see http/transport) — and
   * reads each argument through `checked`, which throws for bad input. That error becomes a
   * rejected APIPromise, so `await` and `.catch` see it like any other, and nothing is sent.
   */
  #rest<T>(
    where: string,
    options: RequestOptions | undefined,
    reply: CallSpec['schema'],
    request: (checked: Checked) => Omit<CallSpec, 'schema' | 'where'>,
  ): APIPromise<T> {
    const checked: Checked = (schema, value, root = 'params') => checkInput(schema, value, where, root);
    // An async function runs up to its first `await` at once: the checks run (and the request
    // starts) during this call, and a check's throw becomes the promise's rejection.
    const send = async (): Promise<WithResponse<T>> => {
      checked(RequestOptionsSchema, options, 'options');
      const spec = request(checked);
      const path = `api/v1/external/${spec.path}`;
      return this.#call<T>({ ...spec, path, schema: reply, where }, options).withResponse();
    };
    return new APIPromise<T>(send());
  }
}

/** Returns `value` once `schema` accepts it (as the argument `root`, default `params`); throws otherwise. */
type Checked = <V>(schema: CallSpec['schema'], value: V, root?: string) => V;

/** A path under the API from its segments, each encoded: an id cannot reach another path. */
function pathOf(...segments: string[]): string {
  return segments.map(encodeURIComponent).join('/');
}
