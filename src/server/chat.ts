// server/chat — the proxy as `useChat`'s endpoint (`protocol: 'ai-sdk'`): `POST {basePath}` takes
// what the AI SDK's default chat transport posts (`{ id, messages, trigger }`) and answers with a
// UI message stream (ai/). Only the text of the last message, the user's, goes upstream. The
// chat's AUI task travels in the chat itself: this route puts it in each answer's metadata
// (`taskId`) and reads it back from the latest assistant message that has one — checked for
// ownership like any task id a browser sends — so a chat continues on its task on any server
// instance, with no store; a chat without one gets a new task. Every other field the browser sent
// (earlier messages, parts, ids, `body` extras) stays here. Refusals are plain text: `useChat`
// shows a failed response's body as `error.message`.
// Imports: ai/, shared/, ./*. Never keys, mock or browser.

import { uiMessageStreamResponse } from '../ai/response.ts';
import { toUIMessageStream } from '../ai/ui-message-stream.ts';
import { isRecord } from '../shared/values.ts';
import { type ActionContext, mustOwn, newTask, shape, type TurnParams } from './actions.ts';
import { badInput, type PublicError, publicError, Refusal } from './errors.ts';
import { checkId } from './input.ts';
import { checkTurnRate } from './limits.ts';

/** Where `useChat` posts by default: the default `basePath` with `protocol: 'ai-sdk'`. */
export const CHAT_BASE_PATH = '/api/chat';

/** The default body cap with `protocol: 'ai-sdk'`: `useChat` posts the whole conversation each turn. */
export const CHAT_MAX_BODY_BYTES = 1024 * 1024;

const TRIGGERS: readonly unknown[] = ['submit-message', 'regenerate-message'];

/** One `useChat` request: the last user message goes to the chat's task (a new one on the first). */
export async function chat(ctx: ActionContext): Promise<Response> {
  const input = chatInput(ctx.body, ctx.limits.maxTextLength);
  if (input.task_id !== undefined) await mustOwn(ctx, input.task_id);
  // Before a new chat's task is made: a user past the limit creates no task either.
  await checkTurnRate(ctx.limits, ctx.user.userId);
  const task_id = input.task_id ?? (await newTask(ctx)).id;
  const params = { ...(await shape(ctx, { task_id, text: input.text })), task_id } as TurnParams;
  // The request's signal is the browser's connection: when it goes, the upstream turn goes.
  const turn = ctx.client.messages.stream(params, { signal: ctx.request.signal });
  const chunks = toUIMessageStream(turn, {
    taskId: task_id,
    // The wording every browser gets from the proxy: never upstream internals or the key.
    onError: (error) => publicError(error).envelope.message,
  });
  return uiMessageStreamResponse(chunks, ctx.headers);
}

/** What `useChat` reads of a refusal or failure: the public message as text, with the status. */
export function chatErrorResponse(error: PublicError, headers: Record<string, string> = {}): Response {
  return new Response(error.envelope.message, {
    status: error.status,
    headers: {
      'content-type': 'text/plain; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      ...headers,
      ...error.headers,
    },
  });
}

/**
 * The text of the last message (a user's) and the chat's task id, if it has one; nothing else.
 * Length first (413), then shape (400), then the task id (404 when malformed).
 */
function chatInput(
  body: Record<string, unknown>,
  maxTextLength: number,
): { text: string; task_id: string | undefined } {
  const { messages, trigger } = body;
  if (!Array.isArray(messages)) throw badInput('messages must be a list of chat messages.', 'messages');
  if (trigger !== undefined && !TRIGGERS.includes(trigger))
    throw badInput("trigger must be 'submit-message' or 'regenerate-message'.", 'trigger');
  const last: unknown = messages.at(-1);
  if (!isRecord(last) || last.role !== 'user')
    throw badInput('The last message must be the user’s.', 'messages');
  const text = textOf(last);
  if (text.length > maxTextLength)
    throw new Refusal(413, `The text is longer than ${maxTextLength} characters.`);
  if (text === '') throw badInput('The last message has no text.', 'messages');
  return { text, task_id: chatTask(messages) };
}

/** A UI message's text parts, one per line; files and other parts do not go to AUI. */
function textOf(message: Record<string, unknown>): string {
  const parts = Array.isArray(message.parts) ? message.parts : [];
  const texts: string[] = [];
  for (const part of parts) {
    if (isRecord(part) && part.type === 'text' && typeof part.text === 'string') texts.push(part.text);
  }
  return texts.join('\n');
}

/** The task named by the latest assistant message that names one (set by this route's answers). */
function chatTask(messages: unknown[]): string | undefined {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i];
    if (!isRecord(message) || message.role !== 'assistant' || !isRecord(message.metadata)) continue;
    if (message.metadata.taskId !== undefined) return checkId(message.metadata.taskId);
  }
  return undefined;
}
