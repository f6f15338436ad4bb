// The proxy handler (`aui-messaging/server`) against the mock AUI server: real Fetch `Request`
// objects straight into the handler, and the same handler behind `toNodeListener` on a real
// node:http server on 127.0.0.1. Each security rule of the proxy has its own test, named
// "security: …"; `mock.requests` shows what reached upstream (and what did not).
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { connect, createServer as createTcpServer, type AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import { MessageStream, SSE_HEADERS, type Message, type Task } from '../../src/index.node.ts';
import { createAuiHandler as createWebHandler } from '../../src/server/handler.ts';
import {
  createAuiHandler,
  type AuiHandler,
  type AuiHandlerOptions,
  type TurnCounter,
} from '../../src/server/handler.node.ts';
import { toNodeListener } from '../../src/server/node-listener.ts';
import { Ownership } from '../../src/server/ownership.ts';
import type { RecordedRequest } from '../../src/mock/index.ts';
import { serveOnLoopback } from '../fixtures/http.ts';
import { clientFor, mockServer, TEST_KEY } from '../fixtures/mock.ts';

const mock = await mockServer();
const ORIGIN = 'https://app.test';
const BASE = `${ORIGIN}/api/aui`;
const API = '/api/ia-controller/api/v1/external';

// The app's own auth: a bearer token per user. Counts calls, to show refusals that come first never reach it.
let authorizeCalls = 0;
const authorize = (request: Request) => {
  authorizeCalls++;
  const user = /^Bearer (\w+)$/.exec(request.headers.get('authorization') ?? '')?.[1];
  return user ? { userId: user } : null;
};

function proxy(options: Partial<AuiHandlerOptions> = {}): AuiHandler {
  return createAuiHandler({ apiKey: TEST_KEY, baseUrl: mock.url, wsUrl: mock.wsUrl, authorize, ...options });
}
const handler = proxy();

interface Call {
  user?: string | null;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** A browser-like same-origin request for `path` under the base. */
function req(
  method: string,
  path: string,
  { user = 'alice', body, headers = {}, signal }: Call = {},
): Request {
  const all: Record<string, string> = {};
  if (user) all.authorization = `Bearer ${user}`;
  if (body !== undefined) all['content-type'] = 'application/json';
  const init: RequestInit = { method, headers: { ...all, ...headers } };
  if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
  if (signal) init.signal = signal;
  return new Request(`${BASE}${path}`, init);
}

async function errorOf(response: Response): Promise<Record<string, any>> {
  assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
  return ((await response.json()) as { error: Record<string, any> }).error;
}

async function createTask(user = 'alice', h: AuiHandler = handler): Promise<Task> {
  const response = await h(req('POST', '/tasks', { user, body: {} }));
  assert.equal(response.status, 200);
  return (await response.json()) as Task;
}

/** Reads an SSE response as the browser client would: the concatenated deltas and the final message. */
async function turnOf(response: Response): Promise<{ deltas: string; message: Message }> {
  const stream = MessageStream.fromReadableStream(response.body!);
  let deltas = '';
  stream.on('text', (delta) => (deltas += delta));
  const message = await stream.finalMessage();
  return { deltas, message };
}

/** Upstream REST calls as `METHOD /path-under-external`. */
const paths = (requests: RecordedRequest[]) =>
  requests.filter((r) => r.method !== 'WS').map((r) => `${r.method} ${r.path.replace(API, '')}`);

/** Upstream requests made while `run` ran. */
async function upstreamDuring(run: () => Promise<unknown>) {
  const before = mock.requests.length;
  await run();
  return mock.requests.slice(before);
}

/** A node:http server running `toNodeListener(h)` on 127.0.0.1, closed after the file. */
async function serve(h: AuiHandler) {
  const served = await serveOnLoopback(toNodeListener(h));
  return { ...served, url: `${served.origin}/api/aui` };
}

/** A TCP relay in front of the mock: it sees the upstream WebSocket's TCP connection open and close. */
async function relayToMock() {
  const events: Array<{ opened: number; closed?: number }> = [];
  const server = createTcpServer((client) => {
    const entry: { opened: number; closed?: number } = { opened: Date.now() };
    events.push(entry);
    const upstream = connect(mock.port, '127.0.0.1');
    client.pipe(upstream).pipe(client);
    const end = () => {
      entry.closed ??= Date.now();
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const port = (server.address() as AddressInfo).port;
  return { events, wsUrl: `ws://127.0.0.1:${port}/api/ia-controller/api/v1/external/session` };
}

const waitFor = async (check: () => boolean, ms = 3000) => {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

/* ------------------------------------------------------------------------------ routes */

test('the five routes work with real Requests: create, list, messages, send, stream (SSE, deltas = final text)', async () => {
  const task = await createTask('routes');
  assert.equal(task.user_id, 'routes');

  const list = await handler(req('GET', '/tasks?page=1&size=5', { user: 'routes' }));
  assert.equal(list.status, 200);
  assert.equal(list.headers.get('cache-control'), 'no-store');
  const page = (await list.json()) as { tasks: Task[]; total: number };
  assert.deepEqual(
    page.tasks.map((t) => t.id),
    [task.id],
  );

  const sent = await handler(
    req('POST', '/messages', { user: 'routes', body: { task_id: task.id, text: 'hello' } }),
  );
  assert.equal(sent.status, 200);
  assert.match(((await sent.json()) as Message).text, /hello/);

  const streamed = await handler(
    req('POST', '/messages/stream', { user: 'routes', body: { task_id: task.id, text: 'a microwave' } }),
  );
  assert.equal(streamed.status, 200);
  for (const [name, value] of Object.entries(SSE_HEADERS)) assert.equal(streamed.headers.get(name), value);
  const { deltas, message } = await turnOf(streamed);
  assert.ok(message.text.length > 20);
  assert.equal(deltas, message.text);

  const history = await handler(req('GET', `/tasks/${task.id}/messages`, { user: 'routes' }));
  assert.equal(history.status, 200);
  assert.equal(((await history.json()) as Message[]).length, 4);
});

test('the web build of the handler (aui-messaging/server) serves the same routes', async () => {
  const web = createWebHandler({ apiKey: TEST_KEY, baseUrl: mock.url, wsUrl: mock.wsUrl, authorize });
  const response = await web(req('POST', '/tasks', { user: 'web', body: {} }));
  assert.equal(response.status, 200);
  assert.equal(((await response.json()) as Task).user_id, 'web');
  assert.equal((await web.GET(req('GET', '/tasks', { user: 'web' }), { params: {} })).status, 200);
});

test('check order: unknown path 404, wrong method 405 (allow), missing auth 401, non-JSON 415, oversized 413, bad id 404, other user 404', async () => {
  authorizeCalls = 0;
  const upstream = await upstreamDuring(async () => {
    for (const path of [
      '',
      '/',
      '/nope',
      '/tasks/',
      '/tasks/abc',
      '/tasks/abc/messages/x',
      '/messages/stream/x',
    ]) {
      const response = await handler(req('GET', path, { user: null }));
      assert.equal(response.status, 404, path);
      assert.equal((await errorOf(response)).type, 'NotFoundError');
    }
    assert.equal((await handler(new Request(`${ORIGIN}/elsewhere/tasks`))).status, 404);

    const wrong = await handler(req('DELETE', '/tasks', { user: null }));
    assert.equal(wrong.status, 405);
    assert.equal(wrong.headers.get('allow'), 'GET, POST');
    assert.equal(
      (await handler(req('GET', '/messages/stream', { user: null }))).headers.get('allow'),
      'POST',
    );
    assert.equal(
      (await handler(req('POST', '/tasks/abc/messages', { user: null, body: {} }))).headers.get('allow'),
      'GET',
    );
    assert.equal(authorizeCalls, 0, 'paths and methods are refused before authorize runs');

    const anonymous = await handler(
      req('POST', '/messages', { user: null, body: 'x', headers: { 'content-type': 'text/plain' } }),
    );
    assert.equal(anonymous.status, 401);
    assert.equal((await errorOf(anonymous)).type, 'AuthenticationError');

    const big = 'x'.repeat(70 * 1024);
    const plain = await handler(
      req('POST', '/messages', { body: big, headers: { 'content-type': 'text/plain' } }),
    );
    assert.equal(plain.status, 415, 'content type is checked before size');

    const oversized = await handler(req('POST', '/messages', { body: { task_id: '../bad', text: big } }));
    assert.equal(oversized.status, 413, 'size is checked before the id');
    const longText = await handler(
      req('POST', '/messages', { body: { task_id: '../bad', text: 'y'.repeat(16_001) } }),
    );
    assert.equal(longText.status, 413, 'maxTextLength 16 000 by default');
    assert.equal(
      (await handler(req('POST', '/messages', { body: { task_id: '../bad', text: 'y'.repeat(16_000) } })))
        .status,
      404,
    );
  });
  assert.deepEqual(upstream, [], 'none of these reached AUI');

  const bobs = await createTask('bob');
  const response = await handler(req('GET', `/tasks/${bobs.id}/messages`));
  assert.equal(response.status, 404);
});

test('bad input is a 400 InvalidRequestError naming the field, before anything goes upstream', async () => {
  const task = await createTask();
  const upstream = await upstreamDuring(async () => {
    const cases: Array<[unknown, string]> = [
      ['{not json', 'body'],
      [[1, 2], 'body'],
      [{ text: 'hi' }, 'task_id'],
      [{ task_id: task.id }, 'text'],
      [{ task_id: task.id, text: '' }, 'text'],
      [{ task_id: task.id, text: 42 }, 'text'],
    ];
    for (const [body, field] of cases) {
      const response = await handler(req('POST', '/messages', { body }));
      assert.equal(response.status, 400, JSON.stringify(body));
      const error = await errorOf(response);
      assert.equal(error.type, 'InvalidRequestError');
      assert.deepEqual(error.path, [field]);
    }
    assert.equal((await handler(req('GET', '/tasks?size=1000'))).status, 400);
    assert.equal((await handler(req('GET', '/tasks?page=0'))).status, 400);
  });
  // Only the ownership check of the one well-formed id may have gone upstream (it is cached from create).
  assert.deepEqual(upstream, []);
});

/* ---------------------------------------------------------------------- security rules */

test('security: user_id comes only from authorize (a browser-sent user_id is ignored)', async () => {
  const upstream = await upstreamDuring(async () => {
    const created = await handler(req('POST', '/tasks', { user: 'alice', body: { user_id: 'mallory' } }));
    assert.equal(((await created.json()) as Task).user_id, 'alice');
    const listed = await handler(req('GET', '/tasks?user_id=mallory&page=1', { user: 'alice' }));
    assert.equal(listed.status, 200);
  });
  assert.deepEqual(upstream[0]!.body, { user_id: 'alice', task_origin_type: 'web-widget' });
  assert.deepEqual(upstream[1]!.query, { user_id: 'alice', page: '1' });
  assert.ok(!JSON.stringify(upstream).includes('mallory'));
});

test("security: another user's task is 404, exactly like a task that does not exist", async () => {
  const alices = await createTask('alice');
  const missing = await handler(req('GET', '/tasks/0123456789abcdef01234567/messages', { user: 'bob' }));
  const upstream = await upstreamDuring(async () => {
    for (const request of [
      req('GET', `/tasks/${alices.id}/messages`, { user: 'bob' }),
      req('POST', '/messages', { user: 'bob', body: { task_id: alices.id, text: 'let me in' } }),
      req('POST', '/messages/stream', { user: 'bob', body: { task_id: alices.id, text: 'let me in' } }),
    ]) {
      const response = await handler(request);
      assert.equal(response.status, 404);
      assert.deepEqual(await response.json(), {
        error: { type: 'NotFoundError', status: 404, message: 'Not found.' },
      });
    }
  });
  assert.deepEqual(await missing.json(), {
    error: { type: 'NotFoundError', status: 404, message: 'Not found.' },
  });
  // One ownership lookup (then cached); bob's turn never reached AUI.
  assert.deepEqual(paths(upstream), [`GET /tasks/${alices.id}`]);
  assert.equal(mock.sockets.messages.filter((m) => (m as { text?: string }).text === 'let me in').length, 0);
  // The owner still gets in.
  assert.equal((await handler(req('GET', `/tasks/${alices.id}/messages`, { user: 'alice' }))).status, 200);
});

test('security: ownership falls back to scanning tasks.iterate when tasks.get is missing (404/405), cached per (user, task)', async () => {
  const h = proxy(); // its own verdict cache
  const own = await createTask('carol', proxy());
  const bobs = await createTask('bob', proxy());
  mock.failRest({ match: 'GET /tasks/*', status: 405, body: { detail: 'Method Not Allowed' } });
  const upstream = await upstreamDuring(async () => {
    assert.equal((await h(req('GET', `/tasks/${own.id}/messages`, { user: 'carol' }))).status, 200);
    assert.equal((await h(req('GET', `/tasks/${bobs.id}/messages`, { user: 'carol' }))).status, 404);
    // Cached: no second lookup for either verdict.
    assert.equal((await h(req('GET', `/tasks/${own.id}/messages`, { user: 'carol' }))).status, 200);
    assert.equal((await h(req('GET', `/tasks/${bobs.id}/messages`, { user: 'carol' }))).status, 404);
  });
  assert.deepEqual(paths(upstream), [
    `GET /tasks/${own.id}`, // 405: the endpoint is missing
    'GET /tasks', // carol's list has the task
    `GET /tasks/${own.id}/messages`,
    'GET /tasks', // bob's task is not in carol's list (tasks.get no longer tried)
    `GET /tasks/${own.id}/messages`,
  ]);
  assert.equal(upstream[1]!.query.user_id, 'carol');

  // A 404 from tasks.get for a task the user does own also means "no such endpoint".
  const h2 = proxy();
  mock.failRest({ match: 'GET /tasks/*', status: 404, body: { detail: 'Not Found' } });
  assert.equal((await h2(req('GET', `/tasks/${own.id}/messages`, { user: 'carol' }))).status, 200);

  // The verdict cache is a bounded LRU (1 000 entries in the handler).
  let gets = 0;
  const get = (id: string) => {
    gets++;
    return Promise.resolve({ id, user_id: 'u' });
  };
  const fake = { tasks: { get } } as never;
  const small = new Ownership(2);
  for (const id of ['a', 'b', 'a', 'c', 'a', 'b']) await small.owns(fake, 'u', id);
  assert.equal(gets, 4, 'a, b, c, then b again after it was evicted');
});

test('security: browser-supplied agent, agent_variables and context are dropped unless transform sets them', async () => {
  const task = await createTask();
  const extras = {
    agent: { agent_id: 'evil' },
    agent_variables: { role: 'admin' },
    context: { url: 'https://evil.test' },
    include_business_trace: true,
    user_id: 'mallory',
  };
  const plain = await upstreamDuring(async () => {
    await handler(req('POST', '/tasks', { body: extras }));
    await handler(req('POST', '/messages', { body: { task_id: task.id, text: 'plain', ...extras } }));
    await turnOf(
      await handler(
        req('POST', '/messages/stream', { body: { task_id: task.id, text: 'plain stream', ...extras } }),
      ),
    );
  });
  assert.deepEqual(plain[0]!.body, { user_id: 'alice', task_origin_type: 'web-widget' });
  assert.deepEqual(plain[1]!.body, { task_id: task.id, text: 'plain' });
  assert.deepEqual(plain[1]!.query, { is_external_api: 'true' });
  assert.deepEqual(mock.sockets.messages.at(-1), { task_id: task.id, text: 'plain stream' });

  // transform decides; it sees only the allowlisted body and cannot move the turn to another task or user.
  const seen: unknown[] = [];
  const shaped = proxy({
    transform: (body, user) => {
      seen.push(body);
      return {
        ...body,
        task_id: 'someone-elses',
        user_id: 'mallory',
        context: { url: `https://shop.test/${user.userId}` },
        agent_variables: { tier: 'gold' },
      };
    },
  });
  const ownTask = await createTask('alice', shaped);
  const withTransform = await upstreamDuring(async () => {
    await shaped(req('POST', '/messages', { body: { task_id: ownTask.id, text: 'shaped', ...extras } }));
    await turnOf(
      await shaped(
        req('POST', '/messages/stream', { body: { task_id: ownTask.id, text: 'shaped stream', ...extras } }),
      ),
    );
  });
  assert.deepEqual(seen, [
    { user_id: 'alice' },
    { task_id: ownTask.id, text: 'shaped' },
    { task_id: ownTask.id, text: 'shaped stream' },
  ]);
  assert.deepEqual(withTransform[0]!.body, {
    task_id: ownTask.id,
    text: 'shaped',
    user_id: 'mallory',
    context: { url: 'https://shop.test/alice' },
    agent_variables: { tier: 'gold' },
  });
  assert.equal((mock.sockets.messages.at(-1) as { task_id: string }).task_id, ownTask.id);
  assert.deepEqual((mock.sockets.messages.at(-1) as { context: unknown }).context, {
    url: 'https://shop.test/alice',
  });
  const created = mock.requests.filter((r) => r.method === 'POST' && r.path === `${API}/tasks`).at(-1)!;
  assert.equal(
    (created.body as { user_id: string }).user_id,
    'alice',
    'transform cannot change user_id on create',
  );
});

test('security: ids are checked against ^[A-Za-z0-9_-]{1,128}$ and encoded upstream — ..%2F never reaches another upstream path', async () => {
  const task = await createTask();
  const upstream = await upstreamDuring(async () => {
    for (const path of [
      '/tasks/..%2F..%2Ftasks/messages',
      '/tasks/..%2f/messages',
      '/tasks/%2e%2e%2Fmessage/messages',
      `/tasks/${task.id}%2F..%2F${task.id}/messages`,
      '/tasks/a%20b/messages',
      '/tasks/%E0%A4%A/messages',
      `/tasks/${'a'.repeat(129)}/messages`,
    ]) {
      const response = await handler(req('GET', path));
      assert.equal(response.status, 404, path);
    }
    for (const task_id of ['../message', `${task.id}/../x`, 'a b', 'a'.repeat(129), '%2e%2e']) {
      assert.equal(
        (await handler(req('POST', '/messages', { body: { task_id, text: 'hi' } }))).status,
        404,
        task_id,
      );
      assert.equal(
        (await handler(req('POST', '/messages/stream', { body: { task_id, text: 'hi' } }))).status,
        404,
        task_id,
      );
    }
  });
  assert.deepEqual(upstream, [], 'no bad id reached AUI at all');
  const ok = await upstreamDuring(() => handler(req('GET', `/tasks/${task.id}/messages`)));
  assert.deepEqual(
    ok.map((r) => r.path),
    [`${API}/tasks/${task.id}/messages`],
  );
});

test('security (CSRF): a POST without content-type application/json is 415 and reaches nothing', async () => {
  authorizeCalls = 0;
  const task = await createTask();
  const upstream = await upstreamDuring(async () => {
    for (const type of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/jsonp',
      undefined,
    ]) {
      const headers: Record<string, string> = {};
      if (type) headers['content-type'] = type;
      const request = new Request(`${BASE}/messages`, {
        method: 'POST',
        headers: { authorization: 'Bearer alice', ...headers },
        body: JSON.stringify({ task_id: task.id, text: 'csrf' }),
      });
      if (!type) request.headers.delete('content-type');
      const response = await handler(request);
      assert.equal(response.status, 415, String(type));
      assert.equal((await errorOf(response)).status, 415);
    }
    assert.equal(
      (
        await handler(
          req('POST', '/tasks', { body: {}, headers: { 'content-type': 'application/json; charset=utf-8' } }),
        )
      ).status,
      200,
    );
  });
  assert.deepEqual(paths(upstream), ['POST /tasks']);
});

test('security (CSRF): with cors off, cross-site Sec-Fetch-Site or a foreign Origin is 403 before authorize runs', async () => {
  const task = await createTask();
  authorizeCalls = 0;
  const send = (headers: Record<string, string>) =>
    handler(req('POST', '/messages', { body: { task_id: task.id, text: 'csrf' }, headers }));
  const upstream = await upstreamDuring(async () => {
    for (const headers of [
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'cross-site', origin: ORIGIN }, // a forged Origin does not beat the browser's own verdict
      { origin: 'https://evil.test' },
      { origin: 'null' },
      { origin: 'http://app.test' }, // another scheme is another origin
      { origin: 'https://evil.test', 'sec-fetch-site': 'same-site' },
    ]) {
      const response = await send(headers);
      assert.equal(response.status, 403, JSON.stringify(headers));
      assert.equal((await errorOf(response)).type, 'PermissionDeniedError');
      assert.equal(response.headers.get('access-control-allow-origin'), null);
    }
    assert.equal(
      (await handler(req('GET', '/tasks', { headers: { 'sec-fetch-site': 'cross-site' } }))).status,
      403,
      'GETs too',
    );
  });
  assert.equal(authorizeCalls, 0);
  assert.deepEqual(upstream, []);
  // Same-origin browsers pass — including behind a TLS-terminating proxy, where the server sees
  // http:// but the browser's Sec-Fetch-Site says same-origin.
  assert.equal((await send({ origin: ORIGIN, 'sec-fetch-site': 'same-origin' })).status, 200);
  assert.equal((await send({ origin: ORIGIN })).status, 200);
  assert.equal((await send({})).status, 200);
  assert.equal((await send({ origin: 'http://app.test', 'sec-fetch-site': 'same-origin' })).status, 200);
});

test('security (CORS): with cors: { origins }, preflights are answered and access-control-allow-origin is set only for listed origins', async () => {
  const friend = 'https://widget.partner.test';
  const h = proxy({ cors: { origins: [friend] } });
  const preflight = (origin: string) =>
    h(
      new Request(`${BASE}/messages/stream`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization, content-type',
        },
      }),
    );
  const ok = await preflight(friend);
  assert.equal(ok.status, 204);
  assert.equal(ok.headers.get('access-control-allow-origin'), friend);
  assert.equal(ok.headers.get('access-control-allow-methods'), 'POST');
  assert.equal(ok.headers.get('access-control-allow-headers'), 'authorization, content-type');
  assert.match(ok.headers.get('vary') ?? '', /origin/i);
  const evil = await preflight('https://evil.test');
  assert.equal(evil.status, 403);
  assert.equal(evil.headers.get('access-control-allow-origin'), null);

  const cross = { 'sec-fetch-site': 'cross-site' };
  const listed = await h(req('POST', '/tasks', { body: {}, headers: { ...cross, origin: friend } }));
  assert.equal(listed.status, 200);
  assert.equal(listed.headers.get('access-control-allow-origin'), friend);
  const unlisted = await h(
    req('POST', '/tasks', { body: {}, headers: { ...cross, origin: 'https://evil.test' } }),
  );
  assert.equal(unlisted.status, 403);
  assert.equal(unlisted.headers.get('access-control-allow-origin'), null);
  // Errors for a listed origin are readable by it (so the page can show them).
  const denied = await h(req('GET', '/tasks', { user: null, headers: { ...cross, origin: friend } }));
  assert.equal(denied.status, 401);
  assert.equal(denied.headers.get('access-control-allow-origin'), friend);
  // With cors off, OPTIONS is just a method the routes do not have.
  assert.equal(
    (await handler(new Request(`${BASE}/tasks`, { method: 'OPTIONS', headers: { origin: friend } }))).status,
    405,
  );
});

test('security: no browser header (cookie, authorization, x-forwarded-*, …) is forwarded upstream', async () => {
  const browser = {
    cookie: 'session=browser-cookie-secret',
    'x-forwarded-for': '203.0.113.7',
    'x-forwarded-host': 'evil.test',
    'x-forwarded-proto': 'gopher',
    'x-real-ip': '203.0.113.8',
    forwarded: 'for=203.0.113.9',
    referer: `${ORIGIN}/chat`,
    'user-agent': 'BrowserAgent/1.0',
    'accept-language': 'xx-browser',
    'x-network-api-key': 'browser-supplied-key',
    'x-custom-browser': 'browser-custom',
    'idempotency-key': 'browser-idem',
    origin: ORIGIN,
  };
  const task = await createTask();
  const upstream = await upstreamDuring(async () => {
    await handler(req('POST', '/tasks', { body: {}, headers: browser }));
    await handler(req('GET', '/tasks', { headers: browser }));
    await handler(req('GET', `/tasks/${task.id}/messages`, { headers: browser }));
    await handler(
      req('POST', '/messages', { body: { task_id: task.id, text: 'headers' }, headers: browser }),
    );
    await turnOf(
      await handler(
        req('POST', '/messages/stream', { body: { task_id: task.id, text: 'headers' }, headers: browser }),
      ),
    );
  });
  assert.ok(
    upstream.some((r) => r.method === 'WS'),
    'the WebSocket upgrade is checked too',
  );
  // Names the SDK never sets must be absent; for the rest (the SDK's own user-agent, key and
  // idempotency key, fetch's accept-language), the browser's values must be nowhere.
  const never = [
    'cookie',
    'authorization',
    'x-forwarded-for',
    'x-forwarded-host',
    'x-forwarded-proto',
    'x-real-ip',
    'forwarded',
    'referer',
    'origin',
    'x-custom-browser',
  ];
  for (const request of upstream) {
    for (const name of never)
      assert.equal(request.headers[name], undefined, `${request.method} ${request.path}: ${name}`);
    const text = JSON.stringify(request);
    for (const value of Object.values(browser))
      assert.ok(!text.includes(value), `${request.method} ${request.path} carries ${value}`);
    if (request.headers['x-network-api-key'] !== undefined)
      assert.equal(request.headers['x-network-api-key'], TEST_KEY);
  }
});

test('security: the key and upstream internals (bodies, headers, request ids, stacks) never appear in a response', async (t) => {
  const logged = t.mock.method(console, 'error', () => undefined);
  const forbidden = [
    TEST_KEY,
    'Traceback',
    'internal-host',
    'req-secret-id',
    'x-request-id',
    'x-internal',
    'extra_data',
    String(mock.port),
    '    at ',
    'stack',
  ];
  const client = clientFor(mock, { maxRetries: 0 });
  const h = proxy({ client });
  const task = await createTask('alice', h);
  const internals = {
    detail: `Traceback (most recent call last): internal-host:5432 key=${TEST_KEY}`,
    extra_data: { sql: 'select *' },
  };
  const headers = { 'x-request-id': 'req-secret-id', 'x-internal': 'yes' };
  const seen: Array<{ status: number; text: string; headers: string }> = [];
  const record = async (response: Response) => {
    seen.push({
      status: response.status,
      text: await response.text(),
      headers: JSON.stringify([...response.headers]),
    });
  };
  const send = () => h(req('POST', '/messages', { body: { task_id: task.id, text: 'fail please' } }));

  mock.failRest({ match: 'POST /message', status: 500, body: internals, headers });
  await record(await send());
  mock.failRest({ match: 'POST /message', status: 401, body: internals, headers, times: 2 }); // the refresh retry too
  await record(await send());
  mock.failRest({
    match: 'POST /message',
    status: 400,
    body: {
      description: 'Content Moderation',
      message: 'That request is not allowed.',
      extra_data: { rule: 'internal-host' },
    },
    headers,
  });
  await record(await send());
  mock.failRest({
    match: 'POST /message',
    status: 429,
    body: internals,
    headers: { ...headers, 'retry-after': '7' },
  });
  const limited = await send();
  assert.equal(limited.headers.get('retry-after'), '7');
  await record(limited);
  mock.failRest({ match: 'POST /message', status: 200, body: '<html>internal-host</html>', headers });
  await record(await send());
  mock.failTurn({
    kind: 'error-frame',
    error: { status_code: 500, description: 'Internal', message: `Traceback internal-host ${TEST_KEY}` },
  });
  await record(await h(req('POST', '/messages/stream', { body: { task_id: task.id, text: 'fail stream' } })));
  const refused = proxy({ client: clientFor(mock, { baseUrl: 'http://127.0.0.1:9', maxRetries: 0 }) });
  await record(await refused(req('GET', '/tasks')));
  const throwing = proxy({
    authorize: () => {
      throw new Error(`db at internal-host failed with ${TEST_KEY}`);
    },
  });
  await record(await throwing(req('GET', '/tasks')));

  assert.deepEqual(
    seen.map((s) => s.status),
    [502, 502, 400, 429, 502, 200, 502, 500],
  );
  for (const { text, headers: h } of seen) {
    for (const secret of forbidden) {
      assert.ok(!text.includes(secret), `body leaks ${secret}: ${text}`);
      assert.ok(!h.includes(secret), `headers leak ${secret}: ${h}`);
    }
  }
  assert.match(
    seen[2]!.text,
    /Content Moderation: That request is not allowed\./,
    'a moderation message is the user’s to see',
  );
  const sseError = /event: error\ndata: (.*)\n/.exec(seen[5]!.text)?.[1];
  assert.deepEqual(JSON.parse(sseError!), {
    error: {
      type: 'InternalServerError',
      status: 502,
      message: 'AUI failed to handle the request.',
      delivered: 'unknown',
    },
  });
  // The operator still learns why, in a redacted log line.
  const lines = logged.mock.calls.map((c) => JSON.stringify(c.arguments));
  assert.ok(lines.some((l) => l.includes('rejected the network API key')));
  assert.ok(lines.every((l) => !l.includes(TEST_KEY)));
});

/* ------------------------------------------------------------------ limits, keys, SSE */

test('turnsPerMinute: 429 with retry-after past the limit, per user, through a pluggable counter', async () => {
  const hits: Array<[string, number]> = [];
  const counts = new Map<string, number>();
  const counter: TurnCounter = {
    hit: (key, windowMs) => {
      hits.push([key, windowMs]);
      const count = (counts.get(key) ?? 0) + 1;
      counts.set(key, count);
      return Promise.resolve(count);
    },
  };
  const h = proxy({ limits: { turnsPerMinute: 2, counter } });
  const task = await createTask('dave', h);
  const upstream = await upstreamDuring(async () => {
    for (const expected of [200, 200, 429]) {
      const response = await h(
        req('POST', '/messages', { user: 'dave', body: { task_id: task.id, text: `turn ${expected}` } }),
      );
      assert.equal(response.status, expected);
      if (expected === 429) {
        assert.equal(response.headers.get('retry-after'), '60');
        assert.deepEqual(await errorOf(response), {
          type: 'RateLimitError',
          status: 429,
          message: 'More than 2 messages a minute; try again later.',
          retry_after_ms: 60_000,
        });
      }
    }
    assert.equal(
      (await h(req('POST', '/messages/stream', { user: 'dave', body: { task_id: task.id, text: 'stream' } })))
        .status,
      429,
      'streams count too',
    );
  });
  assert.equal(upstream.filter((r) => r.method === 'POST' || r.method === 'WS').length, 2);
  assert.deepEqual(hits[0], ['aui-turns:dave', 60_000]);
  // Without a counter, the in-memory default applies; without turnsPerMinute there is no limit.
  const memory = proxy({ limits: { turnsPerMinute: 1 } });
  const own = await createTask('erin', memory);
  const first = await memory(
    req('POST', '/messages', { user: 'erin', body: { task_id: own.id, text: 'a' } }),
  );
  const second = await memory(
    req('POST', '/messages', { user: 'erin', body: { task_id: own.id, text: 'b' } }),
  );
  assert.deepEqual([first.status, second.status], [200, 429]);
});

test('apiKey as a function of env (Workers bindings) is read on every request from the env passed to the handler', async (t) => {
  t.mock.method(console, 'error', () => undefined); // the wrong key below is logged for the operator
  const envs: unknown[] = [];
  mock.setApiKey([TEST_KEY, 'API_KEY_rotated_9876543210']);
  try {
    const h = createAuiHandler<{ AUI_KEY: string }>({
      apiKey: (env) => env.AUI_KEY,
      baseUrl: mock.url,
      wsUrl: mock.wsUrl,
      authorize: (request, env) => (envs.push(env), authorize(request)),
    });
    const upstream = await upstreamDuring(async () => {
      assert.equal(
        (await h.fetch(req('POST', '/tasks', { body: {} }), { AUI_KEY: TEST_KEY }, {})).status,
        200,
      );
      assert.equal((await h(req('GET', '/tasks'), { AUI_KEY: 'API_KEY_rotated_9876543210' })).status, 200);
      const wrong = await h.fetch(req('GET', '/tasks'), { AUI_KEY: 'API_KEY_wrong_000000' });
      assert.equal(
        wrong.status,
        502,
        'AUI refusing the key is the server’s problem, not a 401 for the browser',
      );
    });
    // (AUI's 401 makes the client ask the provider once more, with forceRefresh: the same env, the same key.)
    assert.deepEqual(
      upstream.map((r) => r.headers['x-network-api-key']),
      [TEST_KEY, 'API_KEY_rotated_9876543210', 'API_KEY_wrong_000000', 'API_KEY_wrong_000000'],
    );
    assert.deepEqual(envs, [
      { AUI_KEY: TEST_KEY },
      { AUI_KEY: 'API_KEY_rotated_9876543210' },
      { AUI_KEY: 'API_KEY_wrong_000000' },
    ]);
  } finally {
    mock.setApiKey(TEST_KEY);
  }
  assert.throws(() => createAuiHandler({ apiKey: TEST_KEY } as never), /authorize/);
});

test('SSE: a `: ping` comment every 15 s keeps an idle stream open', async (t) => {
  t.mock.timers.enable({ apis: ['setInterval'] });
  const task = await createTask();
  mock.failTurn({ kind: 'slow', frameDelayMs: 400 });
  const response = await handler(
    req('POST', '/messages/stream', { body: { task_id: task.id, text: 'slowly' } }),
  );
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  t.mock.timers.tick(14_999);
  t.mock.timers.tick(1);
  t.mock.timers.tick(15_000);
  while ((text.match(/^: ping$/gm) ?? []).length < 2) text += decoder.decode((await reader.read()).value);
  assert.equal((text.match(/^: ping$/gm) ?? []).length, 2);
  await reader.cancel();
});

test('a cancelled response body or an aborted request signal aborts the upstream turn', async () => {
  const relay = await relayToMock();
  const h = proxy({ wsUrl: relay.wsUrl });
  const task = await createTask('alice', h);
  mock.setReply({
    text: 'slow words '.repeat(30).trim(),
    chunks: Array.from({ length: 30 }, (_, i) => (i ? ' slow words' : 'slow words')),
  });
  try {
    for (const how of ['signal', 'cancel'] as const) {
      mock.failTurn({ kind: 'slow', frameDelayMs: 100 });
      const controller = new AbortController();
      const started = Date.now();
      const response = await h(
        req('POST', '/messages/stream', {
          body: { task_id: task.id, text: `abort by ${how}` },
          signal: controller.signal,
        }),
      );
      const reader = response.body!.getReader();
      assert.match(new TextDecoder().decode((await reader.read()).value), /event: text/);
      if (how === 'signal') controller.abort();
      else await reader.cancel();
      const socket = relay.events.at(-1)!;
      await waitFor(() => socket.closed !== undefined, 2000);
      assert.ok(
        socket.closed! - started < 2000,
        `the upstream socket closed ${socket.closed! - started} ms in, long before the 3 s turn ends`,
      );
    }
  } finally {
    mock.setReply(undefined as never);
  }
});

/* --------------------------------------------------------------- through toNodeListener */

test('toNodeListener: SSE streams through node:http as it is produced, not buffered', async () => {
  const { url } = await serve(handler);
  const task = await createTask();
  const words = ['Ten', ' words', ' arrive', ' one', ' by', ' one,', ' sixty', ' ms', ' apart', '.'];
  mock.setReply({ text: words.join(''), chunks: words });
  after(() => mock.setReply(undefined as never));
  mock.failTurn({ kind: 'slow', frameDelayMs: 60 });
  const started = Date.now();
  const response = await fetch(`${url}/messages/stream`, {
    method: 'POST',
    headers: {
      authorization: 'Bearer alice',
      'content-type': 'application/json',
      origin: new URL(url).origin,
    },
    body: JSON.stringify({ task_id: task.id, text: 'a microwave' }),
  });
  assert.equal(response.status, 200);
  for (const [name, value] of Object.entries(SSE_HEADERS)) assert.equal(response.headers.get(name), value);
  const arrivals: Array<[number, string]> = [];
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    const chunk = decoder.decode(value, { stream: true });
    text += chunk;
    arrivals.push([Date.now() - started, chunk]);
  }
  const firstText = arrivals.find(([, c]) => c.includes('event: text'))![0];
  const end = arrivals.find(([, c]) => c.includes('event: end'))![0];
  assert.ok(
    end - firstText > 200,
    `events arrived as produced (first text at ${firstText} ms, end at ${end} ms)`,
  );
  assert.ok(arrivals.length > 5);
  const { deltas, message } = await turnOf(new Response(text));
  assert.equal(deltas, message.text);
  assert.equal(message.text, words.join(''));
  mock.setReply(undefined as never);

  // Plain JSON routes and refusals come through the listener unchanged too.
  const listed = await fetch(`${url}/tasks`, { headers: { authorization: 'Bearer alice' } });
  assert.equal(listed.status, 200);
  const wrong = await fetch(`${url}/tasks`, { method: 'PUT' });
  assert.equal(wrong.status, 405);
  assert.equal(wrong.headers.get('allow'), 'GET, POST');
});

test('toNodeListener: a browser that disconnects mid-stream aborts the upstream turn (the mock sees its socket close)', async () => {
  const relay = await relayToMock();
  const h = proxy({ wsUrl: relay.wsUrl });
  const { url } = await serve(h);
  const task = await createTask('alice', h);
  mock.setReply({
    text: 'slow words '.repeat(30).trim(),
    chunks: Array.from({ length: 30 }, (_, i) => (i ? ' slow words' : 'slow words')),
  });
  mock.failTurn({ kind: 'slow', frameDelayMs: 100 });
  try {
    const controller = new AbortController();
    const started = Date.now();
    const response = await fetch(`${url}/messages/stream`, {
      method: 'POST',
      headers: { authorization: 'Bearer alice', 'content-type': 'application/json' },
      body: JSON.stringify({ task_id: task.id, text: 'then I leave' }),
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    let first = '';
    while (!first.includes('event: text')) first += new TextDecoder().decode((await reader.read()).value);
    controller.abort();
    const socket = relay.events.at(-1)!;
    await waitFor(() => socket.closed !== undefined, 2500);
    assert.ok(
      socket.closed! - started < 2000,
      `upstream socket closed ${socket.closed! - started} ms in; the turn would have run 3 s`,
    );
    // The mock stopped streaming when its client left, and stored the (unfinished) turn's reply early.
    await waitFor(() => mock.history(task.id).length === 2, 1000);
    assert.ok(Date.now() - started < 2500);
  } finally {
    mock.setReply(undefined as never);
  }
});

test('toNodeListener: the body cap is enforced while reading (chunked, no content-length), not by trusting content-length', async () => {
  const { url } = await serve(handler);
  const task = await createTask();
  const upstream = await upstreamDuring(async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const request = httpRequest(
        `${url}/messages`,
        {
          method: 'POST',
          headers: {
            authorization: 'Bearer alice',
            'content-type': 'application/json',
            'transfer-encoding': 'chunked',
          },
        },
        (response) => {
          response.resume();
          resolve(response.statusCode!);
        },
      );
      request.on('error', reject);
      request.write(`{"task_id":"${task.id}","text":"`);
      for (let i = 0; i < 10; i++) request.write('x'.repeat(10 * 1024));
      request.end('"}');
    });
    assert.equal(status, 413);
  });
  assert.deepEqual(upstream, []);

  // Straight into the handler: a body that never ends is cut off just past the cap.
  let pulled = 0;
  let cancelled = false;
  const endless = new ReadableStream<Uint8Array>({
    pull(controller) {
      pulled++;
      controller.enqueue(new Uint8Array(16 * 1024).fill(120));
    },
    cancel() {
      cancelled = true;
    },
  });
  const response = await handler(
    new Request(`${BASE}/messages`, {
      method: 'POST',
      headers: { authorization: 'Bearer alice', 'content-type': 'application/json', 'content-length': '10' },
      body: endless,
      duplex: 'half',
    } as RequestInit),
  );
  assert.equal(response.status, 413);
  assert.ok(pulled <= 6, `read ${pulled} chunks of 16 KiB for a 64 KiB cap`);
  assert.ok(cancelled);
});
