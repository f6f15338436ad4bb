/**
 * `toNodeListener`: the proxy on `node:http`, Express and anything else that takes its listener.
 * @module aui-messaging/server/node
 */
// server/node-listener — entry of `aui-messaging/server/node`: `toNodeListener(handler)` adapts
// the Fetch handler to `node:http`. The Node request becomes a Fetch `Request` (./node-request);
// the `Response` is written back chunk by chunk as it is produced, so SSE is never buffered, and
// a browser that goes away aborts the request's signal and cancels the body (which aborts the
// upstream turn). Every answer leaves the connection usable or closes it cleanly.
// Node only. Imports node:http types, shared/, ./node-request, ./errors, ./respond, ./types.
// Never mock, cli or browser.
/// <reference types="node" />
import type { IncomingMessage, ServerResponse } from 'node:http';
import { followAbort } from '../shared/abort.ts';
import { Refusal } from './errors.ts';
import { IncomingBody, mayHaveBody, METHODS_FETCH_CANNOT_CARRY, toRequest } from './node-request.ts';
import { errorResponse } from './respond.ts';
import type { AuiHandler } from './types.ts';

// What the proxy's routes answer to; the handler itself names the methods of each route.
const PROXY_METHODS = ['GET', 'POST'];

const FAILED =
  '{"error":{"type":"InternalServerError","status":500,"message":"The server failed to handle the request."}}';

/**
 * Adapts a `createAuiHandler` handler to `node:http` (and to anything that takes its listener:
 * Express, Fastify's `serverFactory`, Next.js custom servers). Streams are written as they are
 * produced; a browser that disconnects aborts the upstream turn. The handler answers its own
 * errors, so the listener never throws.
 *
 * @example
 * import http from 'node:http';
 * import { envKey } from 'aui-messaging';
 * import { createAuiHandler } from 'aui-messaging/server';
 * import { toNodeListener } from 'aui-messaging/server/node';
 *
 * const handler = createAuiHandler({ apiKey: envKey('AUI_NETWORK_API_KEY'), authorize });
 * http.createServer(toNodeListener(handler)).listen(3000);
 */
// Generic so a handler typed for a Workers-style `env` is accepted too; Node passes no env.
export function toNodeListener<Env = unknown>(
  handler: AuiHandler<Env>,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    serve(handler, req, res).catch(() => {
      // The handler answers its own errors; this is a broken socket or a bug in the piping.
      try {
        if (res.headersSent) res.destroy();
        else res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' }).end(FAILED);
      } catch {
        res.destroy();
      }
    });
  };
}

async function serve<Env>(
  handler: AuiHandler<Env>,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const controller = new AbortController();
  // 'close' before the response finished means the browser (or its connection) went away.
  res.once('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  if (METHODS_FETCH_CANNOT_CARRY.has(req.method ?? '')) {
    await writeResponse(methodNotAllowed(req.method ?? ''), res, controller.signal);
    return;
  }
  const body = mayHaveBody(req) ? new IncomingBody(req) : undefined;
  const response = await handler(toRequest(req, controller.signal, body));
  if (controller.signal.aborted) {
    await response.body?.cancel().catch(() => undefined);
    return;
  }
  body?.discardUnread(res);
  await writeResponse(response, res, controller.signal);
}

/** The proxy's own 405 for TRACE and the like, which no Fetch handler can be asked about. */
function methodNotAllowed(method: string): Response {
  const refusal = new Refusal(
    405,
    `${method} is not allowed; use ${PROXY_METHODS.join(' or ')}.`,
    {},
    { allow: PROXY_METHODS.join(', ') },
  );
  return errorResponse(refusal);
}

async function writeResponse(response: Response, res: ServerResponse, signal: AbortSignal): Promise<void> {
  const head: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') head[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length) head['set-cookie'] = cookies;
  res.writeHead(response.status, head);
  if (!response.body) {
    res.end();
    return;
  }
  res.flushHeaders(); // an event stream must reach the browser before its first event
  const reader = response.body.getReader();
  // The browser left: cancelling the body stops what produces it (an SSE body aborts the turn).
  const stopFollowing = followAbort(signal, () => {
    reader.cancel().catch(() => undefined);
  });
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done || signal.aborted) break;
      if (!res.write(value)) await drained(res);
    }
    if (!signal.aborted) res.end();
  } finally {
    stopFollowing();
  }
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
