/**
 * schemas/wire — the API's response types, and the valibot schemas that check the part of each
 * reply the SDK relies on (ids, text, the types of what it reads). Everything else passes through
 * untouched (`looseObject`): the API grows, and a field we never read must not break a user.
 * The TypeScript types are written out here (richer than the checks, and free of valibot types).
 * Imports: valibot, errors (isRecord).
 */
import * as v from 'valibot';
import { isRecord } from '../shared/values.ts';

/* ------------------------------------------------------------------------------- types */

export interface Task {
  id: string;
  user_id: string;
  title?: string;
  welcome_message?: string | null;
  followup_suggestions?: string[] | null;
}

export interface TaskPage {
  tasks: Task[];
  total: number;
  page: number;
  size: number;
}

export interface Party {
  id: string;
  type: 'user' | 'agent' | '3p' | (string & {});
  email?: string | null;
}

export type ParameterType =
  | 'boolean'
  | 'numeric'
  | 'string'
  | 'datetime'
  | 'date'
  | 'time'
  | 'object'
  | 'list_of_objects'
  | 'enum'
  | 'array'
  | (string & {});

/** A product parameter in the `cards` shape. */
export interface CardParameter {
  param?: string;
  title: string;
  value?: unknown;
  type?: ParameterType;
}

/** A product card (the server's current shape). */
export interface Card {
  id: string;
  name: string;
  category?: string;
  query?: Record<string, unknown>;
  parameters: CardParameter[];
  sub_entities?: Array<{ name: string; items: Array<{ parameters: CardParameter[]; index?: number }> }>;
  self_review?: Record<string, unknown>;
  is_recommended?: boolean;
  rendered_jsx?: string;
}

/** A product option (the documented shape: `options` / `variants_options`). */
export interface ProductOption {
  is_recommended: boolean;
  widget_parameters: Array<{ title: string; value: unknown; type?: ParameterType }>;
}

/** A message: the agent's reply (REST or the socket's final frame) or a history entry. */
export interface Message {
  id: string;
  created_at: string;
  text: string;
  sender?: Party;
  receiver?: Party;
  cards?: Card[];
  options?: ProductOption[];
  variants_options?: ProductOption[];
  followup_suggestions?: string[] | null;
  welcome_message?: string | null;
  executed_workflows?: string[];
  url?: string;
  /** Present when trace flags were requested; typed loosely, never validated. */
  trace_info?: TraceInfo;
}

export interface TraceInfo {
  input: { message: string };
  context?: Record<string, unknown>;
  understanding?: Record<string, unknown>;
  decisions?: Array<Record<string, unknown>>;
  response: { type: string; message: string; suggestions?: string[]; [k: string]: unknown };
  rules_evaluations?: Array<Record<string, unknown>>;
  latency?: { elapsed: number; unit?: string; time_to_first_token?: number };
}

export interface AgentContext {
  title?: string;
  params?: Array<{ param: string; title: string; value?: unknown; [k: string]: unknown }>;
  entities?: Array<{ name: string; [k: string]: unknown }>;
  static_context?: Array<Record<string, unknown>>;
}

export interface FollowupSuggestions {
  suggestions?: string[];
  metadata_id?: string;
}

export interface TextConversation {
  status: boolean;
  data: Record<string, string>;
  message: string;
  statusCode: number;
}

export interface RenderedWidget {
  rendered_jsx: string;
}

/* ------------------------------------------------------------------------------ schemas */

/** A value of one `typeof` type. A custom rule rather than v.number() and friends: every valibot
 * function used costs bytes in every app (schemas/params has the rest of this vocabulary). */
export const typed = <T>(type: 'string' | 'number' | 'boolean' | 'function') =>
  v.custom<T>((value) => typeof value === type, type);

/** A string (valibot's own `string()` would be one more function in every bundle). */
export const str = typed<string>('string');
const strings = v.array(str);

const count = typed<number>('number');

export const TaskSchema = v.looseObject({
  id: str,
  user_id: str,
  title: v.optional(str),
  welcome_message: v.nullish(str),
  followup_suggestions: v.nullish(strings),
});

export const TaskPageSchema = v.looseObject({
  tasks: v.optional(v.array(TaskSchema), []),
  total: count,
  page: count,
  size: count,
});

const ParameterSchema = v.looseObject({ title: v.optional(str) });
const OptionSchema = v.looseObject({ widget_parameters: v.optional(v.array(ParameterSchema)) });

export const MessageSchema = v.looseObject({
  id: str,
  text: str,
  created_at: v.optional(str),
  sender: v.optional(v.looseObject({ type: str })),
  cards: v.nullish(
    v.array(v.looseObject({ name: v.optional(str), parameters: v.nullish(v.array(ParameterSchema)) })),
  ),
  options: v.nullish(v.array(OptionSchema)),
  variants_options: v.nullish(v.array(OptionSchema)),
  followup_suggestions: v.nullish(strings),
});

export const MessagesSchema = v.array(MessageSchema);

// Replies the SDK hands over without reading: only their outer type is checked.
export const AnyObjectSchema = v.custom<Record<string, unknown>>(isRecord, 'an object');

export const FollowupSuggestionsSchema = v.looseObject({
  suggestions: v.optional(strings),
  metadata_id: v.optional(str),
});

export const RenderedWidgetSchema = v.looseObject({ rendered_jsx: str });
