// server/actions — what each of the five routes does once the request passed the common checks
// (path, method, origin, auth, content type, body size): per-route input, ownership, the turn
// limit, `transform`, then one upstream call. The body that goes upstream is built here from
// the allowlisted input, `user_id` from `authorize`, and `transform`'s additions; the ids are
// forced back after `transform` so ownership checked is ownership used. No browser header is
// ever passed on: the client sends only its own.
// Imports: client (type), schemas (type), shared/, ./*. Never keys, mock or browser.

import type { AuiClient } from '../client/client.ts';
import type { Task } from '../schemas/wire.ts';
import { isRecord } from '../shared/values.ts';
import { notFound } from './errors.ts';
import { messageInput, pageInput, taskIdFromPath } from './input.ts';
import { checkTurnRate, type ResolvedLimits } from './limits.ts';
import type { Ownership } from './ownership.ts';
import { json } from './respond.ts';
import type { ProxyRoute } from './routes.ts';
import { sseResponse } from './sse.ts';
import type { AuiHandlerOptions, AuiUser } from './types.ts';

/** What a route's action gets: the request, its checked parts, and the handler's shared state. */
export interface ActionContext {
  request: Request;
  url: URL;
  user: AuiUser;
  body: Record<string, unknown>;
  rawId: string | undefined;
  client: AuiClient;
  limits: ResolvedLimits;
  ownership: Ownership;
  transform: AuiHandlerOptions['transform'];
  headers: Record<string, string>;
}

export const ACTIONS: Record<ProxyRoute, (ctx: ActionContext) => Promise<Response>> = {
  async createTask(ctx) {
    return json(await newTask(ctx), 200, ctx.headers);
  },

  async listTasks(ctx) {
    const page = await ctx.client.tasks.list(
      { user_id: ctx.user.userId, ...pageInput(ctx.url.searchParams) },
      signal(ctx),
    );
    return json(page, 200, ctx.headers);
  },

  async taskMessages(ctx) {
    const task_id = taskIdFromPath(ctx.rawId ?? '');
    await mustOwn(ctx, task_id);
    return json(await ctx.client.tasks.messages(task_id, signal(ctx)), 200, ctx.headers);
  },

  async send(ctx) {
    const params = await turn(ctx);
    return json(await ctx.client.messages.send(params, signal(ctx)), 200, ctx.headers);
  },

  async stream(ctx) {
    const params = await turn(ctx);
    // The request's signal is the browser's connection: when it goes, the upstream turn goes.
    return sseResponse(ctx.client.messages.stream(params, signal(ctx)), ctx.headers);
  },
};

/** A task for the signed-in user (also a new chat's, with `protocol: 'ai-sdk'`), remembered as theirs. */
export async function newTask(ctx: ActionContext): Promise<Task> {
  const { user, client, ownership } = ctx;
  const params = { ...(await shape(ctx, { user_id: user.userId })), user_id: user.userId };
  const task = await client.tasks.create(params, signal(ctx));
  ownership.remember(user.userId, task.id);
  return task;
}

/** The checks and body shared by `/messages` and `/messages/stream`. */
async function turn(ctx: ActionContext): Promise<TurnParams> {
  const input = messageInput(ctx.body, ctx.limits.maxTextLength);
  await mustOwn(ctx, input.task_id);
  await checkTurnRate(ctx.limits, ctx.user.userId);
  // The client checks the rest (text type, context shape) whatever transform returned.
  return { ...(await shape(ctx, input)), task_id: input.task_id } as TurnParams;
}

export type TurnParams = { task_id: string; text: string } & Record<string, unknown>;

export async function mustOwn(ctx: ActionContext, task_id: string): Promise<void> {
  if (!(await ctx.ownership.owns(ctx.client, ctx.user.userId, task_id, ctx.request.signal))) throw notFound();
}

/** The app's `transform`, given a copy of the allowlisted body: the only way extras reach AUI. */
export async function shape(
  ctx: ActionContext,
  body: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  if (!ctx.transform) return body;
  const out = await ctx.transform({ ...body }, ctx.user);
  if (!isRecord(out)) throw new TypeError('transform must return an object.');
  return out;
}

const signal = (ctx: ActionContext) => ({ signal: ctx.request.signal });
