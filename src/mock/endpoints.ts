// The /api/v1/external endpoints of the mock: routing (404/405/401 in FastAPI's order),
// FastAPI-style validation and the handlers, answering in the API's documented wire shapes.

import { API_PREFIX, validationBody } from './faults.ts';
import { agentMessage, resolveReply, traceInfo, userMessage } from './messages.ts';
import type { MockState } from './state.ts';
import { uuid, WELCOME_SUGGESTIONS, type StoredTask } from './store.ts';

export type Body = { kind: 'empty' } | { kind: 'json'; value: unknown } | { kind: 'invalid'; raw: string };

export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

interface Ctx {
  state: MockState;
  params: Record<string, string>;
  query: URLSearchParams;
  body: Body;
}

type Handler = (ctx: Ctx) => Reply;

interface Route {
  method: string;
  pattern: string[];
  handler: Handler;
}

const NOT_FOUND: Reply = { status: 404, body: { detail: 'Not Found' } };
const TASK_NOT_FOUND: Reply = { status: 404, body: { detail: 'Task not found' } };
const UNAUTHENTICATED: Reply = { status: 401, body: { detail: 'Not authenticated' } };

const json = (body: unknown, status = 200): Reply => ({ status, body });
const invalid = (loc: (string | number)[], msg?: string, type?: string): Reply =>
  json(validationBody(loc, msg, type), 422);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function flag(query: URLSearchParams, name: string): boolean {
  const v = query.get(name);
  return v !== null && /^(true|1|yes|on)$/i.test(v);
}

type Checked = { ok: true; value: Record<string, unknown> } | { ok: false; reply: Reply };

/** FastAPI-like body validation: a JSON object, or a 422 in the documented detail shape. */
function objectBody(body: Body, allowEmpty = false): Checked {
  const fail = (reply: Reply): Checked => ({ ok: false, reply });
  if (body.kind === 'empty') return allowEmpty ? { ok: true, value: {} } : fail(invalid(['body']));
  if (body.kind === 'invalid') {
    return fail(invalid(['body', 0], 'Expecting value: line 1 column 1 (char 0)', 'value_error.jsondecode'));
  }
  if (!isObject(body.value)) return fail(invalid(['body'], 'value is not a valid dict', 'type_error.dict'));
  return { ok: true, value: body.value };
}

/** Checks required string fields in order; the first missing one is reported. */
function requireStrings(body: Record<string, unknown>, names: string[]): Reply | undefined {
  for (const name of names) {
    if (body[name] === undefined || body[name] === null) return invalid(['body', name]);
    if (typeof body[name] !== 'string') return invalid(['body', name], 'str type expected', 'type_error.str');
  }
  return undefined;
}

function positiveInt(query: URLSearchParams, name: string, fallback: number): number | Reply {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) {
    return invalid(['query', name], 'value is not a valid integer', 'type_error.integer');
  }
  return n;
}

const createTask: Handler = ({ state, body }) => {
  const checked = objectBody(body);
  if (!checked.ok) return checked.reply;
  const b = checked.value;
  const bad = requireStrings(b, ['user_id']);
  if (bad) return bad;
  return json(state.store.createTask(b.user_id as string));
};

const listTasks: Handler = ({ state, query }) => {
  const user_id = query.get('user_id');
  if (user_id === null) return invalid(['query', 'user_id']);
  const page = positiveInt(query, 'page', 1);
  if (typeof page !== 'number') return page;
  const size = positiveInt(query, 'size', 10);
  if (typeof size !== 'number') return size;
  const all = state.store.listTasks(user_id);
  return json({ tasks: all.slice((page - 1) * size, page * size), total: all.length, page, size });
};

const getTask: Handler = ({ state, params }) => {
  const task = state.store.getTask(params.task_id ?? '');
  return task ? json(task) : TASK_NOT_FOUND;
};

const taskMessages: Handler = ({ state, params }) => {
  const id = params.task_id ?? '';
  return state.store.getTask(id) ? json(state.store.history(id)) : TASK_NOT_FOUND;
};

const sendMessage: Handler = ({ state, query, body }) => {
  const checked = objectBody(body);
  if (!checked.ok) return checked.reply;
  const b = checked.value;
  const bad = requireStrings(b, ['task_id']);
  if (bad) return bad;
  if (b.text !== undefined && b.text !== null && typeof b.text !== 'string') {
    return invalid(['body', 'text'], 'str type expected', 'type_error.str');
  }
  const task = state.store.getTask(b.task_id as string);
  if (!task) return TASK_NOT_FOUND;
  const text = typeof b.text === 'string' ? b.text : '';
  const shape = state.options.productShape;
  state.store.append(task.id, userMessage(task, text, shape));
  const turn = state.store.userTurns(task.id);
  const reply = resolveReply(state.reply, { task_id: task.id, text, turn });
  const message = agentMessage(task, reply, text, shape);
  state.store.append(task.id, message);
  const business = flag(query, 'include_business_trace') || flag(query, 'include_trace_info');
  const context = flag(query, 'include_context_trace') || flag(query, 'include_trace_info');
  if (!business && !context) return json(message);
  // The stored history entry stays without trace_info; only this response carries it.
  return json({ ...message, trace_info: traceInfo(text, message.text, { business, context }) });
};

const agentContext: Handler = ({ body }) => {
  const checked = objectBody(body);
  if (!checked.ok) return checked.reply;
  return json({
    title: 'Built-in microwave search',
    params: [
      { param: 'category', title: 'Category', value: 'microwaves' },
      { param: 'capacity', title: 'Capacity', value: '20 liters' },
    ],
    entities: [],
    static_context: [],
  });
};

const followupSuggestions: Handler = ({ state, body }) => {
  const checked = objectBody(body, true);
  if (!checked.ok) return checked.reply;
  const b = checked.value;
  // With context.task_id, echo the suggestions of that task's last agent message.
  const ctx = b.context;
  const taskId = isObject(ctx) && typeof ctx.task_id === 'string' ? ctx.task_id : undefined;
  const last = taskId
    ? [...state.store.history(taskId)].reverse().find((m) => m.sender.type === 'agent')
    : undefined;
  const suggestions =
    last && last.followup_suggestions.length > 0 ? last.followup_suggestions : [...WELCOME_SUGGESTIONS];
  return json({ suggestions, metadata_id: uuid() });
};

const messageTrace: Handler = ({ state, params, query }) => {
  const taskId = params.task_id ?? '';
  if (!state.store.getTask(taskId)) return TASK_NOT_FOUND;
  const message = state.store.findMessage(taskId, params.message_id ?? '');
  if (!message) return json({ detail: 'Message not found' }, 404);
  const history = state.store.history(taskId);
  const at = history.indexOf(message);
  // For an agent entry the input is the user entry before it; for a user entry, its own text.
  const input = message.sender.type === 'agent' ? (history[at - 1]?.text ?? '') : message.text;
  const output = message.sender.type === 'agent' ? message.text : (history[at + 1]?.text ?? '');
  return json(
    traceInfo(input, output, {
      business: query.get('include_business_logic') !== 'false',
      context: query.get('include_context_logic') !== 'false',
    }),
  );
};

const textConversation: Handler = ({ state, body }) => {
  const checked = objectBody(body);
  if (!checked.ok) return checked.reply;
  const b = checked.value;
  const bad = requireStrings(b, ['phoneNumber', 'channel']);
  if (bad) return bad;
  const task: StoredTask = state.store.createTask(b.phoneNumber as string);
  return json({ status: true, data: { task_id: task.id }, message: 'Conversation started', statusCode: 200 });
};

function attr(v: unknown): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return (s ?? '').replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

const renderWidget: Handler = ({ state, body }) => {
  const checked = objectBody(body);
  if (!checked.ok) return checked.reply;
  const b = checked.value;
  const bad = requireStrings(b, ['task_id', 'integration_code', 'card_template_code']);
  if (bad) return bad;
  if (!isObject(b.variables)) return invalid(['body', 'variables']);
  if (!state.store.getTask(b.task_id as string)) return TASK_NOT_FOUND;
  const vars = Object.entries(b.variables).map(
    ([k, v]) => ` ${k.replace(/[^A-Za-z0-9_-]/g, '_')}="${attr(v)}"`,
  );
  return json({
    rendered_jsx: `<Card template="${attr(b.card_template_code)}" integration="${attr(b.integration_code)}"${vars.join('')} />`,
  });
};

const ROUTES: Route[] = [
  { method: 'POST', pattern: ['tasks'], handler: createTask },
  { method: 'GET', pattern: ['tasks'], handler: listTasks },
  { method: 'GET', pattern: ['tasks', ':task_id'], handler: getTask },
  { method: 'GET', pattern: ['tasks', ':task_id', 'messages'], handler: taskMessages },
  {
    method: 'GET',
    pattern: ['tasks', ':task_id', 'messages', ':message_id', 'trace-info'],
    handler: messageTrace,
  },
  { method: 'POST', pattern: ['message'], handler: sendMessage },
  { method: 'POST', pattern: ['agent-context'], handler: agentContext },
  { method: 'POST', pattern: ['direct-followup-suggestions'], handler: followupSuggestions },
  { method: 'POST', pattern: ['text', 'conversation'], handler: textConversation },
  { method: 'POST', pattern: ['widgets'], handler: renderWidget },
];

function matchRoute(pattern: string[], segments: string[]): Record<string, string> | undefined {
  if (pattern.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i] as string;
    const s = segments[i] as string;
    if (p.startsWith(':')) params[p.slice(1)] = s;
    else if (p !== s) return undefined;
  }
  return params;
}

/** Routing order as in FastAPI: unknown path 404, wrong method 405, then the key, then the handler. */
export function route(
  state: MockState,
  method: string,
  pathname: string,
  headers: Record<string, string>,
  query: URLSearchParams,
  body: Body,
): Reply {
  if (pathname !== API_PREFIX && !pathname.startsWith(API_PREFIX + '/')) return NOT_FOUND;
  let segments: string[];
  try {
    segments = pathname
      .slice(API_PREFIX.length)
      .split('/')
      .filter((s) => s !== '')
      .map(decodeURIComponent);
  } catch {
    return NOT_FOUND;
  }
  const hits = ROUTES.map((r) => ({ r, params: matchRoute(r.pattern, segments) })).filter((h) => h.params);
  if (hits.length === 0) return NOT_FOUND;
  const hit = hits.find((h) => h.r.method === method);
  if (!hit || !hit.params) {
    return {
      status: 405,
      body: { detail: 'Method Not Allowed' },
      headers: { allow: hits.map((h) => h.r.method).join(', ') },
    };
  }
  if (!state.keyOk(headers['x-network-api-key'])) return UNAUTHENTICATED;
  return hit.r.handler({ state, params: hit.params, query, body });
}
