/**
 * server/node-listener — entry of `aui-messaging/server/node`: `toNodeListener(handler)` for
 * `node:http` (and anything that takes its listener). The Node request becomes a Fetch
 * `Request` whose body streams in as the handler reads it (the handler counts the bytes) and
 * whose signal aborts when the browser goes away; the `Response` is written back chunk by chunk
 * as it is produced, so SSE is never buffered, and a gone browser cancels the body (which
 * aborts the upstream turn).
 * Node only. Imports: node:http types, ./types. Never mock, cli or browser.
 */
/// <reference types="node" />
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuiHandler } from './types.ts';

const FAILED =
  '{"error":{"type":"InternalServerError","status":500,"message":"The server failed to handle the request."}}';

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
  const body = { cut: false };
  const response = await handler(toRequest(req, controller.signal, body));
  if (controller.signal.aborted) {
    await response.body?.cancel().catch(() => undefined);
    return;
  }
  // A body refused mid-way (413) was not read to its end: what is left of it would be parsed
  // as the next request on this connection, so the connection closes after the answer.
  if (body.cut) res.shouldKeepAlive = false;
  await writeResponse(response, res, controller.signal);
}

function toRequest(req: IncomingMessage, signal: AbortSignal, body: { cut: boolean }): Request {
  const url = requestUrl(req);
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2)
    headers.append(req.rawHeaders[i] as string, req.rawHeaders[i + 1] as string);
  const method = req.method ?? 'GET';
  const init: RequestInit & { duplex?: 'half' } = { method, headers, signal };
  if (method !== 'GET' && method !== 'HEAD') {
    init.body = bodyStream(req, body);
    init.duplex = 'half'; // undici requires it for a streamed body
  }
  return new Request(url, init);
}

/** The URL the browser asked for, as far as this socket knows (a proxy in front may have changed scheme or host). */
function requestUrl(req: IncomingMessage): URL {
  const scheme = (req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
  try {
    return new URL(req.url ?? '/', `${scheme}://${req.headers.host ?? 'localhost'}`);
  } catch {
    // A Host header no URL can hold: route on the path alone (origin checks then see a foreign origin).
    return new URL(req.url?.startsWith('/') ? req.url : '/', `${scheme}://invalid-host.invalid`);
  }
}

/** The request body, pulled as the handler reads it; a cancel stops reading, nothing more is buffered. */
function bodyStream(req: IncomingMessage, body: { cut: boolean }): ReadableStream<Uint8Array> {
  let ended = false;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      req.on('data', (chunk: Buffer) => {
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if ((controller.desiredSize ?? 0) <= 0) req.pause();
      });
      req.once('end', () => {
        ended = true;
        controller.close();
      });
      req.once('error', (error) => {
        ended = true;
        controller.error(error);
      });
      req.pause();
    },
    pull() {
      if (!ended) req.resume();
    },
    cancel() {
      if (ended) return;
      ended = body.cut = true;
      req.pause();
      req.removeAllListeners('data');
    },
  });
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
  const stop = () => void reader.cancel().catch(() => undefined);
  signal.addEventListener('abort', stop, { once: true });
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done || signal.aborted) break;
      if (!res.write(value)) await drained(res);
    }
    if (!signal.aborted) res.end();
  } finally {
    signal.removeEventListener('abort', stop);
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
