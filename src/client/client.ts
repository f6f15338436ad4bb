/**
 * client/client — `AuiClient`: every REST endpoint of the AUI Messaging API as a typed method.
 * Each method checks its input (no request is sent for bad input), builds the wire call (path
 * parameters encoded, query vs body decided here) and hands it to the transport.
 * Imports: http, schemas, errors, keys (through options). Never mock, cli or server.
 */
import { APIPromise } from '../http/api-promise.ts';
import { type CallSpec, createTransport, type RequestOptions, type Transport } from '../http/transport.ts';
import { checkInput } from '../schemas/check.ts';
import {
  type CreateTaskParams,
  CreateTaskSchema,
  FreeFormSchema,
  IdSchema,
  type ListTasksParams,
  ListTasksSchema,
  type RenderWidgetParams,
  RenderWidgetSchema,
  RequestOptionsSchema,
  type SendMessageParams,
  SendMessageSchema,
  SessionOptionsSchema,
  type StreamMessageParams,
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
  type Message,
  type RenderedWidget,
  type Task,
  type TaskPage,
  type TextConversation,
  type TraceInfo,
} from '../schemas/wire.ts';
import { type AuiClientOptions, resolveOptions, type ResolvedOptions } from './options.ts';
import { webSocketSource, type WebSocketSource } from '../runtime/websocket.ts';
import {
  type ResolvedSessionOptions,
  resolveSessionOptions,
  type SessionOptions,
} from '../session/options.ts';
import { WatermarkStore } from '../session/recovery.ts';
import {
  Session,
  type HistoryOptions,
  type SessionDeps,
  type SessionKind,
  type StreamOptions,
  type StreamParams,
} from '../session/session.ts';
import { MessageStream } from '../stream/message-stream.ts';

export class AuiClient {
  // `declare`: set in the constructor; no class-field definitions emitted for them.
  declare readonly tasks: {
    create(params: CreateTaskParams, options?: RequestOptions): APIPromise<Task>;
    list(params: ListTasksParams, options?: RequestOptions): APIPromise<TaskPage>;
    iterate(params: Omit<ListTasksParams, 'page'>, options?: RequestOptions): AsyncIterable<Task>;
    get(task_id: string, options?: RequestOptions): APIPromise<Task>;
    messages(task_id: string, options?: RequestOptions): APIPromise<Message[]>;
  };
  declare readonly messages: {
    send(params: SendMessageParams, options?: RequestOptions): APIPromise<Message>;
    /** Streams the agent's answer over its own short-lived WebSocket (open → one turn → close). */
    stream(params: StreamMessageParams, options?: StreamOptions): MessageStream;
  };
  /** @internal the normalised options, shared with the streaming engine. */
  declare protected readonly config: ResolvedOptions;
  readonly #call: Transport;
  // Where each task's history stood before its last turn: what recovery compares against.
  readonly #watermarks = new WatermarkStore();
  #sessionShared: [SessionDeps, ResolvedSessionOptions] | undefined;

  constructor(options: AuiClientOptions = {}) {
    this.config = resolveOptions(options);
    this.#call = createTransport(this.config);
    this.tasks = {
      create: (params, options) =>
        this.#rest('tasks.create', options, TaskSchema, (check) => ({
          path: 'tasks',
          body: {
            ...check(CreateTaskSchema, params),
            task_origin_type: params.task_origin_type ?? this.config.taskOriginType,
          },
        })),
      list: (params, options) =>
        this.#rest('tasks.list', options, TaskPageSchema, (check) => ({
          path: 'tasks',
          query: { ...check(ListTasksSchema, params) },
        })),
      iterate: (params, options) => {
        // Bad params throw here; bad options reject the first page (tasks.list checks them), still before any request.
        checkInput(ListTasksSchema, params, 'tasks.iterate', 'params');
        return this.#iterate(params, options);
      },
      get: (task_id, options) =>
        this.#rest('tasks.get', options, TaskSchema, (check) => ({
          path: `tasks/${check(IdSchema, task_id, 'task_id')}`,
        })),
      messages: (task_id, options) =>
        this.#rest('tasks.messages', options, MessagesSchema, (check) => ({
          path: `tasks/${check(IdSchema, task_id, 'task_id')}/messages`,
        })),
    };
    this.messages = {
      send: (params, options) =>
        this.#rest('messages.send', options, MessageSchema, (check) => {
          const { include_business_trace, include_context_trace, ...body } = check(SendMessageSchema, params);
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
        return this.#session('one-shot').stream(params as StreamParams, options);
      },
    };
  }

  /**
   * A long-lived WebSocket session for servers and CLIs: one socket across turns, one turn at a
   * time, the rest queued. `session.stream(params)`, `session.state`, `on('state')`, `close()`.
   */
  session(options?: SessionOptions): Session {
    checkInput(SessionOptionsSchema, options, 'session', 'options');
    return this.#session('long-lived', options);
  }

  /** How this build finds a WebSocket; the Node build overrides it with the lazy `ws` fallback. */
  protected webSocket(): WebSocketSource | Promise<WebSocketSource> {
    return webSocketSource(this.config.WebSocket);
  }

  #session(kind: SessionKind, options?: SessionOptions): Session {
    // What every session of this client shares, built once: a thousand idle sessions should not
    // carry a thousand copies of the same closures.
    const shared = (this.#sessionShared ??= [
      {
        wsUrl: this.config.wsUrl,
        keys: this.config.keys,
        log: this.config.log,
        webSocket: () => this.webSocket(),
        history: (task_id: string, options?: HistoryOptions) => this.tasks.messages(task_id, options),
        watermarks: this.#watermarks,
      },
      resolveSessionOptions(this.config.session),
    ]);
    return new Session(
      shared[0],
      options ? resolveSessionOptions(this.config.session, options) : shared[1],
      kind,
    );
  }

  /** Parameters, entities and static context the agent holds (`POST /agent-context`). */
  agentContext(body: Record<string, unknown> = {}, options?: RequestOptions): APIPromise<AgentContext> {
    return this.#rest('agentContext', options, UnreadReplySchema, (check) => ({
      path: 'agent-context',
      body: check(FreeFormSchema, body, 'body'),
    }));
  }

  /** Follow-up suggestions (`POST /direct-followup-suggestions`), e.g. `{ context: { task_id } }`. */
  followupSuggestions(
    body: Record<string, unknown> = {},
    options?: RequestOptions,
  ): APIPromise<FollowupSuggestions> {
    return this.#rest('followupSuggestions', options, FollowupSuggestionsSchema, (check) => ({
      path: 'direct-followup-suggestions',
      body: check(FreeFormSchema, body, 'body'),
    }));
  }

  /** The reasoning trace of one message. */
  traceInfo(
    task_id: string,
    message_id: string,
    query: TraceInfoQuery = {},
    options?: RequestOptions,
  ): APIPromise<TraceInfo> {
    return this.#rest('traceInfo', options, UnreadReplySchema, (check) => ({
      path: `tasks/${check(IdSchema, task_id, 'task_id')}/messages/${check(IdSchema, message_id, 'message_id')}/trace-info`,
      query: { ...check(TraceInfoQuerySchema, query, 'query') },
    }));
  }

  /** Starts a WhatsApp or SMS conversation (`POST /text/conversation`). */
  textConversation(params: TextConversationParams, options?: RequestOptions): APIPromise<TextConversation> {
    return this.#rest('textConversation', options, UnreadReplySchema, (check) => ({
      path: 'text/conversation',
      body: check(TextConversationSchema, params),
      unsafe: true,
    }));
  }

  /** Renders a widget card from integration data (`POST /widgets`). */
  renderWidget(params: RenderWidgetParams, options?: RequestOptions): APIPromise<RenderedWidget> {
    return this.#rest('renderWidget', options, RenderedWidgetSchema, (check) => ({
      path: 'widgets',
      body: check(RenderWidgetSchema, params),
    }));
  }

  async *#iterate(params: Omit<ListTasksParams, 'page'>, options?: RequestOptions): AsyncGenerator<Task> {
    for (let page = 1; ; page++) {
      const result = await this.tasks.list({ ...params, page }, options);
      yield* result.tasks;
      if (
        result.tasks.length === 0 ||
        result.tasks.length < result.size ||
        page * result.size >= result.total
      )
        return;
    }
  }

  /**
   * One REST call: `build` checks the input (through `check`, which names the call and the
   * argument) and returns the path under the API, the query and the body (a body makes it a
   * POST: see http/transport). Bad input becomes a rejected APIPromise, so `await` and `.catch` see it like any other
   * error, and no request is sent.
   */
  #rest<T>(
    where: string,
    options: RequestOptions | undefined,
    schema: CallSpec['schema'],
    build: (check: Check) => Omit<CallSpec, 'schema' | 'where'>,
  ): APIPromise<T> {
    try {
      const check: Check = (inputSchema, value, root = 'params') => {
        checkInput(inputSchema, value, where, root);
        return (typeof value === 'string' ? encodeURIComponent(value) : value) as typeof value;
      };
      check(RequestOptionsSchema, options, 'options');
      const spec = build(check);
      return this.#call<T>({ ...spec, path: `api/v1/external/${spec.path}`, schema, where }, options);
    } catch (error) {
      return new APIPromise<T>(Promise.reject(error));
    }
  }
}

/** Checks one argument of a call; returns it, a string encoded for a URL path. */
type Check = <V>(schema: CallSpec['schema'], value: V, root?: string) => V;
