// Property-based fuzzing of the proxy's request parsing: `createAuiHandler` with the mock
// AUI behind it, fed random methods, paths (`..%2F`, encoded junk, odd bases), headers, content
// types and bodies (random JSON, deep nesting, huge strings, `__proto__` keys, bytes that are not
// UTF-8), while upstream sometimes answers with an error that quotes the key and its internals. Every
// request gets a Response — never a throw — with a status the proxy documents and a JSON (or SSE)
// body; the key and upstream's internals are in no body and no header.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { createAuiHandler as createWebHandler } from '../../src/server/handler.ts';
import { createAuiHandler as createNodeHandler } from '../../src/server/handler.node.ts';
import type { AuiHandler } from '../../src/server/types.ts';
import { clientFor, mockServer } from '../fixtures/mock.ts';
import { anyBytes, anyText, deepJsonText, describe, hugeString, params } from '../fixtures/fuzz.ts';

// A key of the shape the pattern redaction once cut in half.
const KEY = 'API_KEY_proxyfuzz.SECRETTAIL+x/y=';
const mock = await mockServer({
  apiKey: KEY,
  reply: ({ text }) => ({ text: `Answer to ${text.slice(0, 40)}` }),
});
const upstream = clientFor(mock, { apiKey: KEY });
const ORIGIN = 'https://app.test';
// Upstream internals (extra_data, request ids, headers) the browser must never see.
const INTERNAL = 'UPSTREAM-INTERNAL-7f3a';

const authorize = (request: Request) => {
  const user = /^Bearer (\w{1,20})$/.exec(request.headers.get('authorization') ?? '')?.[1];
  return user ? { userId: user } : null;
};
const options = { apiKey: KEY, baseUrl: mock.url, wsUrl: mock.wsUrl, authorize };
const HANDLERS: Array<{ name: string; handler: AuiHandler }> = [
  { name: 'web build, defaults', handler: createWebHandler(options) },
  {
    name: 'Node build, CORS and tight limits',
    handler: createNodeHandler({
      ...options,
      cors: { origins: [ORIGIN] },
      limits: { maxBodyBytes: 4096, maxTextLength: 200, turnsPerMinute: 20 },
    }),
  },
];

// What the proxy documents it answers with: 204 only for a CORS preflight, and 422 passed on from AUI
// with its validation issues (server/errors.ts). 500 is for the app's own code throwing: never here.
const DOCUMENTED = new Set([200, 204, 400, 401, 403, 404, 405, 413, 415, 422, 429, 499, 502, 504]);

/* ----------------------------------------------------------------- requests */

const segment = fc.oneof(
  fc.constantFrom(
    'tasks',
    'messages',
    'stream',
    '',
    '..',
    '.',
    '%2e%2e',
    '..%2F..%2F',
    '%2F',
    '%00',
    '%ZZ',
    '%',
  ),
  fc.constantFrom('TASKS', 'tasks;x', 'tasks%20', 'ta%73ks', '__proto__', 'constructor', '@', '~', '$REAL'),
  anyText().map((text) => encodeURIComponent(text)),
  fc.string({ maxLength: 12 }),
);
const path = fc.oneof(
  fc.constantFrom(
    '/api/aui/tasks',
    '/api/aui/tasks/$REAL/messages',
    '/api/aui/messages',
    '/api/aui/messages/stream',
    '/api/aui/tasks/..%2F..%2Fadmin/messages',
    '/api/aui/tasks/%2e%2e%2f/messages',
    '/api/aui//tasks',
    '/api/aui/tasks/',
    '/api/auix/tasks',
    '/api/aui',
  ),
  fc
    .tuple(
      fc.constantFrom('/api/aui', '', '/api', '/API/AUI'),
      fc.array(segment, { minLength: 1, maxLength: 4 }),
    )
    .map(([base, parts]) => `${base}/${parts.join('/')}`),
);
const query = fc.oneof(
  fc.constant(''),
  fc.constantFrom(
    '?page=2&size=5',
    '?page=-1',
    '?size=1e400',
    '?page=__proto__',
    '?user_id=mallory',
    '?page=1&page=2',
  ),
  anyText().map((text) => `?${encodeURIComponent(text)}=${encodeURIComponent(text)}`),
);
const method = fc.oneof(
  fc.constantFrom('GET', 'POST', 'POST', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'get', 'post'),
  fc.stringMatching(/^[A-Za-z-]{1,10}$/),
);
const maybe = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined });
const headers = fc.record({
  authorization: maybe(
    fc.oneof(fc.constantFrom('Bearer alice', 'Bearer bob', 'Bearer ', 'Basic YQ=='), anyText()),
  ),
  'content-type': maybe(
    fc.oneof(
      fc.constantFrom(
        'application/json',
        'application/json; charset=utf-8',
        'APPLICATION/JSON',
        'text/plain',
      ),
      fc.constantFrom('application/jsonx', 'multipart/form-data; boundary=x', '', 'application/json;;;'),
      anyText(),
    ),
  ),
  origin: maybe(fc.oneof(fc.constantFrom(ORIGIN, 'https://evil.test', 'null'), anyText())),
  'sec-fetch-site': maybe(fc.constantFrom('same-origin', 'cross-site', 'same-site', 'none', 'x')),
  'content-length': maybe(fc.constantFrom('0', '5', '999999999', '-1', 'abc')),
  extra: maybe(fc.tuple(fc.stringMatching(/^[a-z][a-z-]{0,15}$/), fc.string({ maxLength: 40 }))),
});

/** Bodies as text (or bytes): turns that nearly make sense, and ones that do not. */
const body = fc.oneof(
  fc
    .record({ task_id: fc.oneof(fc.constant('$REAL'), fc.string({ maxLength: 20 })), text: anyText() })
    .map((value) => JSON.stringify(value)),
  fc
    .record({
      task_id: fc.constant('$REAL'),
      text: fc.string({ maxLength: 30 }),
      agent: fc.jsonValue(),
      context: fc.jsonValue(),
    })
    .map((value) => JSON.stringify(value)),
  fc.jsonValue({ maxDepth: 5 }).map((value) => JSON.stringify(value)),
  deepJsonText(8_000),
  deepJsonText(200).map((deep) => `{"task_id":"$REAL","text":"hi","context":${deep}}`),
  hugeString(200 * 1024).map((text) => JSON.stringify({ task_id: '$REAL', text })),
  fc.constantFrom(
    '{"__proto__":{"user_id":"mallory","polluted":1},"task_id":"$REAL","text":"hi"}',
    '{"constructor":{"prototype":{"polluted":1}},"user_id":"mallory"}',
    '{"task_id":"$REAL","text":"hi","__proto__":null}',
    '',
    'null',
    '[]',
    '{',
  ),
  anyBytes(),
  anyText(),
);

/** Some upstream answers quote the key: the proxy must pass none of it on. */
const upstreamFault = maybe(
  fc.record({
    status: fc.constantFrom(400, 401, 403, 404, 409, 422, 429, 500, 503),
    where: fc.constantFrom(
      'POST /tasks',
      'GET /tasks',
      'GET /tasks/*',
      'GET /tasks/*/messages',
      'POST /message',
    ),
  }),
);

/** Queues the upstream error (quoting the key and internals), if the example drew one. */
function failUpstream(fault: { status: number; where: string } | undefined): void {
  if (!fault) return;
  const body = { detail: `key ${KEY} refused`, message: KEY, extra_data: { [KEY]: KEY, trace: INTERNAL } };
  // `retry-after: 0`: the upstream client's retries need not wait (the fuzz stays fast).
  const headers = {
    'x-request-id': INTERNAL,
    'x-network-api-key': KEY,
    'x-upstream': INTERNAL,
    'retry-after': '0',
  };
  // Three times: more than the upstream client's retries, so a 5xx reaches the proxy.
  mock.failRest({ match: fault.where, status: fault.status, body, headers, times: 3 });
}

function requestOf(
  input: { method: string; path: string; query: string; headers: Record<string, unknown>; body: unknown },
  real: string,
): Request | undefined {
  const withTask = (text: string) => text.replaceAll('$REAL', real);
  const init: RequestInit = { method: input.method, headers: new Headers() };
  try {
    for (const [name, value] of Object.entries(input.headers)) {
      if (value === undefined) continue;
      if (name === 'extra') (init.headers as Headers).set(...(value as [string, string]));
      else (init.headers as Headers).set(name, value as string);
    }
    const upper = input.method.toUpperCase();
    if (upper !== 'GET' && upper !== 'HEAD') {
      init.body = typeof input.body === 'string' ? withTask(input.body) : (input.body as Uint8Array).slice();
    }
    return new Request(`${ORIGIN}${withTask(input.path)}${input.query}`, init);
  } catch {
    return undefined; // not a request a runtime would ever hand over (a forbidden method, a bad header)
  }
}

async function assertAnswered(handler: AuiHandler, request: Request): Promise<void> {
  let response: Response;
  try {
    response = await handler(request);
  } catch (error) {
    assert.fail(`the handler threw ${describe(error)}`);
  }
  const where = `${request.method} ${new URL(request.url).pathname} → ${response.status}`;
  assert.ok(response instanceof Response, where);
  assert.ok(DOCUMENTED.has(response.status), `${where}: an undocumented status`);
  const text = await response.text();
  const type = response.headers.get('content-type') ?? '';
  if (response.status === 204) assert.equal(text, '', where);
  else if (type.startsWith('text/event-stream')) assert.equal(response.status, 200, where);
  else {
    assert.match(type, /^application\/json/, `${where}: content-type ${type}`);
    const parsed = JSON.parse(text) as { error?: { type?: unknown; message?: unknown } };
    if (response.status >= 400) {
      assert.equal(typeof parsed.error?.type, 'string', `${where}: ${text.slice(0, 200)}`);
      assert.equal(typeof parsed.error?.message, 'string', where);
    }
  }
  const exposed = [text, ...[...response.headers].map(([name, value]) => `${name}: ${value}`)];
  for (const piece of exposed) {
    assert.ok(
      !piece.includes(KEY) && !piece.includes('SECRETTAIL'),
      `${where}: the key in ${piece.slice(0, 200)}`,
    );
    assert.ok(!piece.includes(INTERNAL), `${where}: upstream internals in ${piece.slice(0, 200)}`);
  }
  assert.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype was polluted');
}

test('random requests: a documented status, a JSON or SSE body, never a throw, never the key', async () => {
  const requests = fc.record({
    handler: fc.constantFrom(...HANDLERS),
    method,
    path,
    query,
    headers,
    body,
    fault: upstreamFault,
  });
  await fc.assert(
    fc.asyncProperty(requests, async (input) => {
      const real = (await upstream.tasks.create({ user_id: 'alice' })).id;
      const request = requestOf(input, real);
      fc.pre(request !== undefined);
      failUpstream(input.fault);
      try {
        await assertAnswered(input.handler.handler, request);
      } finally {
        mock.reset(); // no fault or task outlives its example
      }
    }),
    params(100),
  );
});

test('the routes themselves, with random bodies and the signed-in user: the same rules', async () => {
  const routes = fc.constantFrom(
    ['POST', '/api/aui/tasks'],
    ['GET', '/api/aui/tasks'],
    ['GET', '/api/aui/tasks/$REAL/messages'],
    ['POST', '/api/aui/messages'],
    ['POST', '/api/aui/messages/stream'],
  );
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...HANDLERS),
      routes,
      query,
      body,
      upstreamFault,
      async ({ handler }, [verb, where], q, b, fault) => {
        const real = (await upstream.tasks.create({ user_id: 'alice' })).id;
        failUpstream(fault);
        const headers = { authorization: 'Bearer alice', 'content-type': 'application/json', origin: ORIGIN };
        const request = requestOf({ method: verb, path: where, query: q, headers, body: b }, real);
        fc.pre(request !== undefined);
        try {
          await assertAnswered(handler, request);
        } finally {
          mock.reset();
        }
      },
    ),
    params(100),
  );
});

test('upstream failures on every route reach the browser without the key or upstream internals', async () => {
  // Each route with the upstream calls it makes (the ownership check reads the task first).
  const routes = fc.constantFrom(
    { verb: 'POST', where: '/api/aui/tasks', body: '{}', upstream: ['POST /tasks'] },
    { verb: 'GET', where: '/api/aui/tasks', body: '', upstream: ['GET /tasks'] },
    {
      verb: 'GET',
      where: '/api/aui/tasks/$REAL/messages',
      body: '',
      upstream: ['GET /tasks/*', 'GET /tasks/*/messages'],
    },
    {
      verb: 'POST',
      where: '/api/aui/messages',
      body: '{"task_id":"$REAL","text":"hi"}',
      upstream: ['GET /tasks/*', 'POST /message'],
    },
    {
      verb: 'POST',
      where: '/api/aui/messages/stream',
      body: '{"task_id":"$REAL","text":"hi"}',
      upstream: ['GET /tasks/*'],
    },
  );
  const cases = fc.tuple(
    fc.constantFrom(...HANDLERS),
    routes,
    fc.constantFrom(400, 401, 403, 404, 409, 422, 429, 500, 502, 503),
    fc.nat(),
  );
  await fc.assert(
    fc.asyncProperty(cases, async ([{ handler }, route, status, pick]) => {
      const real = (await upstream.tasks.create({ user_id: 'alice' })).id;
      failUpstream({ status, where: route.upstream[pick % route.upstream.length]! });
      const headers = { authorization: 'Bearer alice', 'content-type': 'application/json', origin: ORIGIN };
      const input = { method: route.verb, path: route.where, query: '', headers, body: route.body };
      try {
        await assertAnswered(handler, requestOf(input, real)!);
      } finally {
        mock.reset();
      }
    }),
    params(40),
  );
});
