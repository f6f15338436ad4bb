// schemas/input — what callers may pass: each method's params (the interface users see, and its
// schema beside it), request options, session options and client options. Checked before any
// network call, so bad input costs nothing and its error names the field (schemas/check words it).
//
// Objects are `looseObject`: a field the SDK does not know still reaches the server (the API
// grows faster than SDKs); `checkInput` hands back the caller's own object. Each params interface
// is written once, and `schemaFor` ties its schema to it, so the compiler rejects a field added,
// dropped, made optional or retyped on one side only. Optional fields say `| undefined` because
// the schemas accept an explicit `undefined`, so callers with `exactOptionalPropertyTypes` may
// pass one too. The option interfaces belong to their owners (client, session, http); their
// schemas here check the options the SDK reads.
// A leaf: imports valibot and runtime/logger (the log levels).

import * as v from 'valibot';
import { LEVELS } from '../runtime/logger.ts';

/* ------------------------------------------------------------ tying a schema to its interface */

/** True when A and B are the same type: assignable both ways is not enough (optional fields). */
type Same<A, B> = (<X>() => X extends A ? 1 : 2) extends <X>() => X extends B ? 1 : 2 ? true : false;

/** The named fields of an object type, without an index signature (`looseObject` adds one). */
type Declared<T> = { [K in keyof T as string extends K ? never : number extends K ? never : K]: T[K] };

type Matches<T, S extends v.GenericSchema> =
  Same<Declared<v.InferOutput<S>>, Declared<T>> extends true
    ? unknown
    : { 'the schema does not match its interface': { interface: T; schema: v.InferOutput<S> } };

/**
 * `schemaFor<CreateTaskParams>()(v.looseObject({ … }))` returns the schema typed as its interface,
 * and compiles only when the schema checks exactly the interface's fields, with the same types.
 */
function schemaFor<T>() {
  return <S extends v.GenericSchema>(schema: S & Matches<T, S>) => schema as v.GenericSchema<T>;
}

/* ----------------------------------------------------------------------------- shared rules */

/** Task, message and user ids: opaque non-empty strings (encoded when they go into a path). */
export const IdSchema = v.pipe(v.string(), v.nonEmpty());

/** A free-form JSON object the SDK forwards without reading it (variables, request bodies). */
export const FreeFormSchema = v.record(v.string(), v.unknown());

const RetryCount = v.pipe(v.number(), v.integer(), v.minValue(0));
const Milliseconds = v.pipe(v.number(), v.minValue(1));
const HeaderValues = v.record(v.string(), v.string());
const E164 = /^\+[1-9]\d{1,14}$/;

/** The regions AUI serves from; client/options maps each to its URL. */
export const REGIONS = ['gcp', 'azure', 'aws'] as const;

/* ------------------------------------------------------------------------------------ tasks */

/** The agent that answers in a task, and which of its versions. Default: the network's agent. */
export interface TaskAgent {
  /** Which agent of the network answers. */
  agent_id?: string | undefined;
  /** Pin one version of it, say a draft under test. */
  version_id?: string | undefined;
  /** Pin the version with this tag, e.g. `'v8.14'`. */
  version_tag?: string | undefined;
  /** Run the agent in bundle mode. */
  bundle_mode?: boolean | undefined;
}

const TaskAgentSchema = schemaFor<TaskAgent>()(
  v.looseObject({
    agent_id: v.optional(v.string()),
    version_id: v.optional(v.string()),
    version_tag: v.optional(v.string()),
    bundle_mode: v.optional(v.boolean()),
  }),
);

/** What `aui.tasks.create` takes. */
export interface CreateTaskParams {
  /** Your id for the end user this conversation is with. Required, non-empty. */
  user_id: string;
  /** Where the conversation comes from: `'web-widget'`, `'stores'`, `'third-party'`, … Default: the client's `taskOriginType` (`'web-widget'`). */
  task_origin_type?: string | undefined;
  /** The agent (and version) that answers. Default: the network's agent. */
  agent?: TaskAgent | undefined;
}

export const CreateTaskSchema = schemaFor<CreateTaskParams>()(
  v.looseObject({
    user_id: IdSchema,
    task_origin_type: v.optional(v.pipe(v.string(), v.nonEmpty())),
    agent: v.optional(TaskAgentSchema),
  }),
);

/** What `aui.tasks.list` takes (`aui.tasks.iterate` takes the same without `page`). */
export interface ListTasksParams {
  /** Whose tasks. Required, non-empty. */
  user_id: string;
  /** Which page, from 1. Default 1. */
  page?: number | undefined;
  /** Tasks per page, at least 1. Default (the server's) 10. */
  size?: number | undefined;
}

export const ListTasksSchema = schemaFor<ListTasksParams>()(
  v.looseObject({
    user_id: IdSchema,
    page: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
    size: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
  }),
);

/* --------------------------------------------------------------------------------- messages */

/** Extra information for the agent about where the user is. Used by integrations set up at onboarding. */
export interface MessageContext {
  /** The page or product the user is looking at. */
  url?: string | null | undefined;
  /** What is known about the customer, free-form (e.g. `{ budget_range: '300-500' }`). */
  lead_details?: Record<string, unknown> | null | undefined;
  /** Other context fields pass through to the server unchanged. */
  [key: string]: unknown;
}

const MessageContextSchema = schemaFor<MessageContext>()(
  v.looseObject({ url: v.nullish(v.string()), lead_details: v.nullish(FreeFormSchema) }),
);

/** What `aui.messages.send` takes. */
export interface SendMessageParams {
  /** The task (conversation) to send to: `task.id`. Required, non-empty. */
  task_id: string;
  /** What the user says. Optional, as in the server's schema. */
  text?: string | undefined;
  /** Where the user is (a page, what is known about them), for the agent's integrations. */
  context?: MessageContext | null | undefined;
  /** Values for the agent's custom variables, e.g. `{ budget: 400 }`. */
  agent_variables?: Record<string, unknown> | undefined;
  /** Adds understanding and business decisions (rules, tools, params) to the reply's `trace_info`. Default false. */
  include_business_trace?: boolean | undefined;
  /** Adds the context and the integration calls (REST, RAG, MCP) to the reply's `trace_info`. Default false. */
  include_context_trace?: boolean | undefined;
}

export const SendMessageSchema = schemaFor<SendMessageParams>()(
  v.looseObject({
    task_id: IdSchema,
    text: v.optional(v.string()),
    context: v.nullish(MessageContextSchema),
    agent_variables: v.optional(FreeFormSchema),
    include_business_trace: v.optional(v.boolean()),
    include_context_trace: v.optional(v.boolean()),
  }),
);

/** What `aui.messages.stream` and `session.stream` take. */
export interface StreamMessageParams {
  /** The task (conversation) to send to: `task.id`. Required, non-empty. */
  task_id: string;
  /** What the user says. Required, non-empty. */
  text: string;
  /** Where the user is (a page, what is known about them), for the agent's integrations. */
  context?: MessageContext | null | undefined;
}

export const StreamMessageSchema = schemaFor<StreamMessageParams>()(
  v.looseObject({
    task_id: IdSchema,
    text: v.pipe(v.string(), v.nonEmpty()),
    context: v.nullish(MessageContextSchema),
  }),
);

/** What parts of a message's reasoning `aui.traceInfo` returns. */
export interface TraceInfoQuery {
  /** `false` leaves out understanding and business decisions; input and response stay. */
  include_business_logic?: boolean | undefined;
  /** `false` leaves out the context and the integration calls (REST, RAG, MCP). */
  include_context_logic?: boolean | undefined;
}

export const TraceInfoQuerySchema = schemaFor<TraceInfoQuery>()(
  v.looseObject({
    include_business_logic: v.optional(v.boolean()),
    include_context_logic: v.optional(v.boolean()),
  }),
);

/* ------------------------------------------------------------------------------------ other */

/** What `aui.textConversation` takes. */
export interface TextConversationParams {
  /** The user's phone number in E.164 form, e.g. `+14155550123`. */
  phoneNumber: string;
  /** Which channel to start the conversation on. */
  channel: 'whatsapp' | 'sms';
  /** The first message sent to the user. */
  message?: string | undefined;
}

export const TextConversationSchema = schemaFor<TextConversationParams>()(
  v.looseObject({
    phoneNumber: v.pipe(v.string(), v.regex(E164, 'an E.164 phone number (like +14155550123)')),
    channel: v.picklist(['whatsapp', 'sms']),
    message: v.optional(v.string()),
  }),
);

/** What `aui.renderWidget` takes. */
export interface RenderWidgetParams {
  /** The task whose stored interaction data fills the widget. */
  task_id: string;
  /** The integration's code, e.g. `INVENTORY_SEARCH`. */
  integration_code: string;
  /** The card template's code. */
  card_template_code: string;
  /** Values for the integration's variables, by key. */
  variables: Record<string, unknown>;
}

export const RenderWidgetSchema = schemaFor<RenderWidgetParams>()(
  v.looseObject({
    task_id: IdSchema,
    integration_code: IdSchema,
    card_template_code: IdSchema,
    variables: FreeFormSchema,
  }),
);

/* ---------------------------------------------------------------------------------- options */

/**
 * An AbortSignal of this realm or of another one. Next.js runs Edge routes in a sandbox whose
 * `request.signal` is not an instance of the AbortSignal this module sees (iframes and jsdom do
 * the same), so `instanceof` alone would refuse a real signal: a foreign one passes by its shape,
 * which is all the SDK uses (`aborted`, `addEventListener`, `removeEventListener`).
 */
const AbortSignalSchema = v.custom<AbortSignal>(
  (value) => value instanceof AbortSignal || looksLikeAbortSignal(value),
  'an instance of AbortSignal',
);

function looksLikeAbortSignal(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const signal = value as Partial<Record<keyof AbortSignal, unknown>>;
  return (
    typeof signal.aborted === 'boolean' &&
    typeof signal.addEventListener === 'function' &&
    typeof signal.removeEventListener === 'function'
  );
}

/** `RequestOptions` (http/transport): the last argument of every REST method and of `messages.stream`. */
export const RequestOptionsSchema = v.optional(
  v.looseObject({
    signal: v.optional(AbortSignalSchema),
    timeout: v.optional(Milliseconds),
    maxRetries: v.optional(RetryCount),
    headers: v.optional(HeaderValues),
  }),
);

/** `SessionOptions` (session/options): `aui.session(options)` and the client's `session` option. */
export const SessionOptionsSchema = v.optional(
  v.looseObject({
    connectTimeout: v.optional(Milliseconds),
    idleTimeout: v.optional(Milliseconds),
    maxQueueBytes: v.optional(v.pipe(v.number(), v.minValue(1))),
    recoveryTimeout: v.optional(Milliseconds),
    reconnect: v.optional(
      v.looseObject({
        maxRetries: v.optional(RetryCount),
        minDelay: v.optional(v.pipe(v.number(), v.minValue(0))),
        maxDelay: v.optional(v.pipe(v.number(), v.minValue(0))),
        minUptime: v.optional(v.pipe(v.number(), v.minValue(0))),
      }),
    ),
  }),
);

/** `AuiClientOptions` (client/options). `apiKey` is checked by keys/providers, which also reads it. */
export const ClientOptionsSchema = v.optional(
  v.looseObject({
    region: v.optional(v.picklist(REGIONS)),
    baseUrl: v.optional(v.pipe(v.string(), v.url(), v.regex(/^https?:/i, 'an http(s) URL'))),
    wsUrl: v.optional(v.pipe(v.string(), v.url(), v.regex(/^wss?:/i, 'a ws(s) URL'))),
    timeout: v.optional(Milliseconds),
    maxRetries: v.optional(RetryCount),
    taskOriginType: v.optional(v.pipe(v.string(), v.nonEmpty())),
    fetch: v.optional(v.function()),
    WebSocket: v.optional(v.function()),
    headers: v.optional(HeaderValues),
    logLevel: v.optional(v.picklist(LEVELS)),
    session: SessionOptionsSchema,
  }),
);
