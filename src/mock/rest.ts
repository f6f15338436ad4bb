// The mock's REST transport: CORS and preflights, request recording, REST fault
// application, and writing replies (x-request-id on every response).

/// <reference types="node" />
import { Buffer } from 'node:buffer';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { route, type Body, type Reply } from './endpoints.ts';
import { defaultFaultBody } from './faults.ts';
import { headerRecord, queryRecord, type MockState } from './state.ts';
import { uuid } from './store.ts';
import type { RestFault } from './types.ts';

function baseHeaders(extra: Record<string, string> = {}): Record<string, string> {
  // Browsers only let scripts read non-safelisted headers that are exposed.
  const expose = ['x-request-id', 'retry-after', ...Object.keys(extra)];
  return {
    'x-request-id': uuid(),
    'access-control-allow-origin': '*',
    'access-control-expose-headers': [...new Set(expose.map((h) => h.toLowerCase()))].join(', '),
    ...extra,
  };
}

function write(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
  contentType?: string,
): void {
  if (res.destroyed || res.writableEnded) return;
  const raw = typeof body === 'string';
  const text = raw ? body : JSON.stringify(body);
  const type =
    contentType ??
    (raw && body.trimStart().startsWith('<') ? 'text/html; charset=utf-8' : 'application/json');
  const all = baseHeaders(headers);
  // A fault's own content-type header wins over the default.
  if (!Object.keys(all).some((h) => h.toLowerCase() === 'content-type')) all['content-type'] = type;
  if (status === 204 || status === 304) {
    res.writeHead(status, all).end();
    return;
  }
  all['content-length'] = String(Buffer.byteLength(text));
  res.writeHead(status, all).end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseBody(raw: string): Body {
  if (raw === '') return { kind: 'empty' };
  try {
    return { kind: 'json', value: JSON.parse(raw) as unknown };
  } catch {
    return { kind: 'invalid', raw };
  }
}

/** What `requests` records: the parsed JSON, the raw text when it is not JSON, nothing when empty. */
function recordedBody(body: Body): unknown {
  if (body.kind === 'json') return body.value;
  if (body.kind === 'invalid') return body.raw;
  return undefined;
}

function preflight(req: IncomingMessage, res: ServerResponse): void {
  const asked = req.headers['access-control-request-headers'];
  res.writeHead(204, {
    'x-request-id': uuid(),
    'access-control-allow-origin': '*',
    'access-control-allow-methods': 'GET, POST, PUT, PATCH, DELETE, OPTIONS',
    // Echo what was asked: '*' does not cover Authorization and is ignored with credentials.
    'access-control-allow-headers': typeof asked === 'string' && asked !== '' ? asked : '*',
    'access-control-max-age': '600',
    'content-length': '0',
  });
  res.end();
}

async function applyFault(
  state: MockState,
  fault: RestFault,
  res: ServerResponse,
  real: () => Reply,
): Promise<void> {
  if (fault.delayMs !== undefined && fault.delayMs > 0) {
    if (!(await state.timers.sleep(fault.delayMs))) {
      res.destroy();
      return;
    }
  }
  // passThrough runs the real handler even if the client already gave up, so its side
  // effects (a stored message) happen; the fault's status/body/hangUp still decide the answer.
  const passed =
    fault.passThrough || (fault.status === undefined && fault.body === undefined && !fault.hangUp)
      ? real()
      : undefined;
  if (fault.hangUp) {
    res.destroy();
    return;
  }
  if (fault.status === undefined && fault.body === undefined && passed) {
    write(res, passed.status, passed.body, { ...passed.headers, ...fault.headers }, fault.contentType);
    return;
  }
  const status = fault.status ?? 200;
  const body = fault.body !== undefined ? fault.body : defaultFaultBody(status);
  write(res, status, body, fault.headers, fault.contentType);
}

export function createRestListener(state: MockState): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    handle(state, req, res).catch(() => {
      if (!res.headersSent) write(res, 500, defaultFaultBody(500));
      else res.destroy();
    });
  };
}

async function handle(state: MockState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const method = (req.method ?? 'GET').toUpperCase();
  if (method === 'OPTIONS') {
    // Preflights are neither recorded nor matched against faults: they would consume a
    // fault meant for the real request and make browser request counts differ from Node.
    req.resume();
    preflight(req, res);
    return;
  }
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const raw = await readBody(req);
  const body = parseBody(raw);
  const headers = headerRecord(req.headers);
  state.requests.push({
    method,
    path: url.pathname,
    query: queryRecord(url.searchParams),
    headers,
    body: recordedBody(body),
  });
  const real = (): Reply => route(state, method, url.pathname, headers, url.searchParams, body);
  const fault = state.faults.takeRest(method, url.pathname);
  if (fault) {
    await applyFault(state, fault, res, real);
    return;
  }
  const r = real();
  write(res, r.status, r.body, r.headers);
}
