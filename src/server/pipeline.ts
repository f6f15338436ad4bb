// server/pipeline — one request through the proxy, checks in this order: unknown path
// 404, wrong method 405 (or a CORS preflight), cross-site 403, missing auth 401, non-JSON POST
// 415, oversized body 413; then the route's own checks (bad id 404, another user's task 404,
// turn limit 429) in ./actions. Every failure becomes a public error (./errors). Shared by the
// web and Node builds of the handler, which differ only in how a client is made. With
// `protocol: 'ai-sdk'` the same checks guard the one `useChat` route (./chat) instead.
// Imports: errors/, ./*. Never keys, mock or browser.

import { InvalidRequestError } from '../errors/errors.ts';
import { ACTIONS } from './actions.ts';
import { readJson, requireJson } from './body.ts';
import { chat, CHAT_BASE_PATH, CHAT_MAX_BODY_BYTES, chatErrorResponse } from './chat.ts';
import { notFound, publicError, Refusal } from './errors.ts';
import { resolveLimits } from './limits.ts';
import { checkOrigin, corsHeaders, preflight } from './origin.ts';
import { Ownership } from './ownership.ts';
import { errorResponse } from './respond.ts';
import { matchChatRoute, matchRoute, normaliseBase } from './routes.ts';
import type { AuiHandler, AuiHandlerOptions } from './types.ts';
import { type MakeClient, upstreamClients } from './upstream.ts';

const ROUTES = { ...ACTIONS, chat };

export function buildHandler<Env>(options: AuiHandlerOptions<Env>, make: MakeClient): AuiHandler<Env> {
  // Checked once, at creation: a proxy without authorize would hand the key to anyone.
  if (typeof options?.authorize !== 'function')
    throw new InvalidRequestError('createAuiHandler: `authorize` is required.', ['authorize']);
  const protocol = options.protocol ?? 'aui';
  if (protocol !== 'aui' && protocol !== 'ai-sdk')
    throw new InvalidRequestError("createAuiHandler: `protocol` must be 'aui' or 'ai-sdk'.", ['protocol']);
  const forChat = protocol === 'ai-sdk';
  const base = normaliseBase(options.basePath ?? (forChat ? CHAT_BASE_PATH : '/api/aui'));
  const limits = resolveLimits(
    forChat ? { maxBodyBytes: CHAT_MAX_BODY_BYTES, ...options.limits } : options.limits,
  );
  const matchPath = forChat ? matchChatRoute : matchRoute;
  const answerError = forChat ? chatErrorResponse : errorResponse;
  const origins = options.cors ? new Set(options.cors.origins) : undefined;
  const ownership = new Ownership();
  const clientFor = upstreamClients(options, make);

  async function handle(request: Request, env?: Env): Promise<Response> {
    let headers: Record<string, string> = {};
    try {
      const url = new URL(request.url);
      const match = matchPath(url.pathname, base, request.method);
      if (match.kind === 'unknown') throw notFound();
      headers = corsHeaders(request, origins);
      if (request.method === 'OPTIONS' && origins) return preflight(request, origins, match.allow);
      if (match.kind === 'method')
        throw new Refusal(405, `Use ${match.allow.join(' or ')}.`, {}, { allow: match.allow.join(', ') });
      checkOrigin(request, origins);
      const user = await options.authorize(request, env);
      if (!user) throw new Refusal(401, 'Not signed in.');
      if (typeof user.userId !== 'string' || user.userId === '')
        throw new TypeError('authorize must return { userId: string } or null.');
      let body: Record<string, unknown> = {};
      if (request.method === 'POST') {
        requireJson(request);
        body = await readJson(request, limits.maxBodyBytes);
      }
      const client = await clientFor(env);
      return await ROUTES[match.route]({
        request,
        url,
        user,
        body,
        rawId: match.rawId,
        client,
        limits,
        ownership,
        transform: options.transform,
        headers,
      });
    } catch (error) {
      return answerError(publicError(error), headers);
    }
  }

  const handler = ((request: Request, env?: Env) => handle(request, env)) as AuiHandler<Env>;
  // Next.js and Remix pass a context object, not an env, as the second argument: ignore it.
  handler.GET = (request) => handle(request);
  handler.POST = (request) => handle(request);
  handler.OPTIONS = (request) => handle(request);
  handler.fetch = (request, env) => handle(request, env);
  return handler;
}
