// The proxy's `protocol: 'ai-sdk'` route (`useChat`'s endpoint) against the mock AUI server: real
// Fetch `Request`s into the handler, as test/node/server.test.ts does for the five proxy routes.
// Every proxy rule still holds here — check order, authorize, ownership, limits, CSRF, no browser
// field forwarded, no upstream internals — and the answer is the AI SDK's UI message stream.
// (The AI SDK's own reading of that stream, ai 6 and 7, is in test/fixtures/ai-sdk.ts.)
import assert from 'node:assert/strict';
import { connect, createServer as createTcpServer, type AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import { InvalidRequestError } from '../../src/index.node.ts';
import type { RecordedRequest } from '../../src/mock/index.ts';
import { createAuiHandler, type AuiHandler, type AuiHandlerOptions } from '../../src/server/handler.node.ts';
import { clientFor, mockServer, TEST_KEY } from '../fixtures/mock.ts';

const mock = await mockServer();
const ORIGIN = 'https://app.test';
const API = '/api/ia-controller/api/v1/external';

const authorize = (request: Request) => {
  const user = /^Bearer (\w+)$/.exec(request.headers.get('authorization') ?? '')?.[1];
  return user ? { userId: user } : null;
};

function chatHandler(options: Partial<AuiHandlerOptions> = {}): AuiHandler {
  return createAuiHandler({
    protocol: 'ai-sdk',
    apiKey: TEST_KEY,
    baseUrl: mock.url,
    wsUrl: mock.wsUrl,
    authorize,
    ...options,
  });
}
const handler = chatHandler();

const userMessage = (text: string, id = 'u1') => ({ id, role: 'user', parts: [{ type: 'text', text }] });
const answerOn = (taskId: string) => ({
  id: 'a1',
  role: 'assistant',
  metadata: { taskId },
  parts: [{ type: 'text', text: 'Earlier answer.' }],
});

interface Call {
  user?: string | null;
  body?: unknown;
  headers?: Record<string, string>;
  method?: string;
  path?: string;
  signal?: AbortSignal;
}

/** What useChat's default transport sends: a same-origin JSON POST of `{ id, messages, trigger }`. */
function post({
  user = 'alice',
  body,
  headers = {},
  method = 'POST',
  path = '/api/chat',
  signal,
}: Call = {}) {
  const all: Record<string, string> = { 'content-type': 'application/json' };
  if (user) all.authorization = `Bearer ${user}`;
  const init: RequestInit = { method, headers: { ...all, ...headers } };
  if (method === 'POST') init.body = typeof body === 'string' ? body : JSON.stringify(body ?? {});
  if (signal) init.signal = signal;
  return new Request(`${ORIGIN}${path}`, init);
}

const chatBody = (messages: unknown[], extra: Record<string, unknown> = {}) => ({
  id: 'chat-1',
  messages,
  trigger: 'submit-message',
  ...extra,
});

/** The UI message chunks of a response (`data: <json>` lines), and whether it ended with `[DONE]`. */
async function chunksOf(response: Response): Promise<{ chunks: any[]; done: boolean }> {
  const data = (await response.text())
    .split('\n\n')
    .filter((event) => event.startsWith('data: '))
    .map((event) => event.slice('data: '.length));
  const done = data.at(-1) === '[DONE]';
  return { chunks: (done ? data.slice(0, -1) : data).map((line) => JSON.parse(line)), done };
}

/** Upstream requests made while `run` ran. */
async function upstreamDuring(run: () => Promise<unknown>): Promise<RecordedRequest[]> {
  const before = mock.requests.length;
  await run();
  return mock.requests.slice(before);
}

async function taskOf(user: string): Promise<string> {
  return (await clientFor(mock).tasks.create({ user_id: user })).id;
}

test('a first message makes a task for the signed-in user and answers with the UI message stream', async () => {
  const upstream = await upstreamDuring(async () => {
    const response = await handler(post({ body: chatBody([userMessage('I need a microwave')]) }));
    assert.equal(response.status, 200);
    // The headers of the AI SDK's createUIMessageStreamResponse.
    assert.equal(response.headers.get('content-type'), 'text/event-stream');
    assert.equal(response.headers.get('x-vercel-ai-ui-message-stream'), 'v1');
    assert.equal(response.headers.get('cache-control'), 'no-cache');
    assert.equal(response.headers.get('x-accel-buffering'), 'no');
    const { chunks, done } = await chunksOf(response);
    assert.ok(done, 'the stream ends with data: [DONE]');
    assert.equal(chunks[0].type, 'start');
    assert.match(chunks[0].messageMetadata.taskId, /^[A-Za-z0-9_-]+$/);
    assert.deepEqual(
      [...new Set(chunks.map((c) => c.type))],
      ['start', 'text-start', 'text-delta', 'text-end', 'data-products', 'data-suggestions', 'finish'],
    );
  });
  const created = upstream.find((r) => r.method === 'POST' && r.path === `${API}/tasks`);
  assert.deepEqual((created?.body as { user_id?: string }).user_id, 'alice');
});

test('check order, each refusal as plain text (what useChat shows as error.message), nothing upstream', async () => {
  const long = chatHandler({ limits: { maxTextLength: 10, maxBodyBytes: 2000 } });
  const cases: Array<[string, Request, number, string, AuiHandler?]> = [
    ['unknown path', post({ path: '/api/chat/more', body: chatBody([]) }), 404, 'Not found.'],
    ['the other protocol’s path', post({ path: '/api/aui/tasks', body: {} }), 404, 'Not found.'],
    ['GET', post({ method: 'GET' }), 405, 'Use POST.'],
    [
      'cross-site',
      post({ headers: { 'sec-fetch-site': 'cross-site' }, body: chatBody([]) }),
      403,
      'Cross-site requests are not allowed.',
    ],
    ['signed out', post({ user: null, body: chatBody([userMessage('hi')]) }), 401, 'Not signed in.'],
    [
      'form post',
      post({ headers: { 'content-type': 'text/plain' }, body: '{}' }),
      415,
      'Send the body as application/json.',
    ],
    [
      'body too large',
      post({ body: chatBody([userMessage('x'.repeat(3000))]) }),
      413,
      'The request body is larger than 2000 bytes.',
      long,
    ],
    [
      'text too long',
      post({ body: chatBody([userMessage('x'.repeat(11))]) }),
      413,
      'The text is longer than 10 characters.',
      long,
    ],
    ['no messages', post({ body: { id: 'c' } }), 400, 'messages must be a list of chat messages.'],
    [
      'bad trigger',
      post({ body: chatBody([userMessage('hi')], { trigger: 'resume' }) }),
      400,
      "trigger must be 'submit-message' or 'regenerate-message'.",
    ],
    [
      'last is not the user’s',
      post({ body: chatBody([userMessage('hi'), answerOn('t1')]) }),
      400,
      'The last message must be the user’s.',
    ],
    [
      'no text',
      post({ body: chatBody([{ role: 'user', parts: [{ type: 'file', url: 'x' }] }]) }),
      400,
      'The last message has no text.',
    ],
    [
      'malformed task id',
      post({ body: chatBody([answerOn('../../admin'), userMessage('hi')]) }),
      404,
      'Not found.',
    ],
  ];
  for (const [name, request, status, text, h = handler] of cases) {
    const upstream = await upstreamDuring(async () => {
      const response = await h(request);
      assert.equal(response.status, status, name);
      assert.equal(response.headers.get('content-type'), 'text/plain; charset=utf-8', name);
      assert.equal(await response.text(), text, name);
      if (status === 405) assert.equal(response.headers.get('allow'), 'POST');
    });
    assert.deepEqual(upstream, [], `${name}: nothing reached AUI`);
  }
});

test("security: a chat naming another user's task is 404, like a task that does not exist, and nothing is sent", async () => {
  const bobs = await taskOf('bob');
  for (const taskId of [bobs, 'no-such-task']) {
    const before = mock.sockets.messages.length;
    const response = await handler(
      post({ body: chatBody([userMessage('a'), answerOn(taskId), userMessage('b')]) }),
    );
    assert.equal(response.status, 404);
    assert.equal(await response.text(), 'Not found.');
    assert.equal(mock.sockets.messages.length, before, 'no turn sent');
  }
});

test('security: only the last user message and the checked task id go upstream; browser extras only through transform', async () => {
  const task = await taskOf('alice');
  const seen: Array<Record<string, unknown>> = [];
  const h = chatHandler({
    transform: (body) => {
      seen.push(body);
      return body.text ? { ...body, context: { source: 'transform' }, task_id: 'forced-away' } : body;
    },
  });
  const messages = [
    userMessage('an earlier question', 'u0'),
    answerOn(task),
    { ...userMessage('the question'), metadata: { taskId: 'x' }, agent: 'evil', user_id: 'mallory' },
  ];
  const before = mock.sockets.messages.length;
  const response = await h(
    post({
      body: chatBody(messages, {
        user_id: 'mallory',
        agent: 'evil',
        agent_variables: { a: 1 },
        context: { b: 2 },
      }),
      headers: { cookie: 'session=secret', 'x-forwarded-for': '10.0.0.1' },
    }),
  );
  assert.equal(response.status, 200);
  await response.text();
  assert.deepEqual(seen, [{ task_id: task, text: 'the question' }], 'transform sees the allowlisted turn');
  const sent = mock.sockets.messages.slice(before) as Array<Record<string, unknown>>;
  assert.equal(sent.length, 1);
  // transform's context goes; its task_id does not: ownership checked is ownership used.
  assert.deepEqual(sent[0], { task_id: task, text: 'the question', context: { source: 'transform' } });
  for (const r of mock.requests.slice(-3)) {
    assert.equal(r.headers.cookie, undefined);
    assert.equal(r.headers['x-forwarded-for'], undefined);
  }
});

test('a new chat calls transform for the task, then for the turn', async () => {
  const seen: Array<Record<string, unknown>> = [];
  const h = chatHandler({
    transform: (body) => {
      seen.push(body);
      return body;
    },
  });
  const response = await h(post({ body: chatBody([userMessage('hello')]) }));
  const { chunks } = await chunksOf(response);
  const taskId = chunks[0].messageMetadata.taskId;
  assert.deepEqual(seen, [{ user_id: 'alice' }, { task_id: taskId, text: 'hello' }]);
});

test('turnsPerMinute: past the limit 429 with retry-after (plain text), and a new chat makes no task', async () => {
  const h = chatHandler({ limits: { turnsPerMinute: 1 } });
  const first = await h(post({ user: 'dave', body: chatBody([userMessage('one')]) }));
  assert.equal(first.status, 200);
  await first.text();
  const upstream = await upstreamDuring(async () => {
    const second = await h(post({ user: 'dave', body: chatBody([userMessage('two')]) }));
    assert.equal(second.status, 429);
    assert.equal(second.headers.get('retry-after'), '60');
    assert.equal(await second.text(), 'More than 1 messages a minute; try again later.');
  });
  assert.deepEqual(upstream, [], 'no task made, nothing sent');
});

test('useChat posts the whole conversation: 1 MiB is the default body cap with protocol ai-sdk', async () => {
  const task = await taskOf('alice');
  const history = Array.from({ length: 60 }, (_, i) => [
    userMessage('q'.repeat(1000), `u${i}`),
    answerOn(task),
  ]).flat();
  const body = chatBody([...history, userMessage('and now?')]);
  assert.ok(JSON.stringify(body).length > 64 * 1024, 'over the 64 KiB of the other routes');
  const response = await handler(post({ body }));
  assert.equal(response.status, 200);
  await response.text();
});

test('a failed turn: the error chunk carries the proxy’s public wording, never upstream internals or the key', async () => {
  const task = await taskOf('alice');
  mock.failTurn({
    kind: 'error-frame',
    afterFrames: 1,
    error: { status_code: 500, description: 'Traceback at internal-host:5432', message: `key=${TEST_KEY}` },
  });
  const response = await handler(post({ body: chatBody([answerOn(task), userMessage('hi')]) }));
  assert.equal(response.status, 200);
  const raw = await response.clone().text();
  const { chunks, done } = await chunksOf(response);
  assert.deepEqual(chunks.at(-1), { type: 'error', errorText: 'AUI failed to handle the request.' });
  assert.ok(done);
  for (const secret of [TEST_KEY, 'Traceback', 'internal-host', '5432'])
    assert.ok(!raw.includes(secret), secret);
});

test('the route and its defaults: POST at basePath (default /api/chat), handler.POST for Next.js, unknown protocol fails at creation', async () => {
  const custom = chatHandler({ basePath: '/chat/' });
  const response = await custom.POST(post({ path: '/chat', body: chatBody([userMessage('hi')]) }), {
    params: {},
  });
  assert.equal(response.status, 200);
  await response.text();
  assert.equal((await custom(post({ path: '/api/chat', body: chatBody([userMessage('hi')]) }))).status, 404);
  assert.throws(
    () => createAuiHandler({ authorize, apiKey: TEST_KEY, protocol: 'ai' as never }),
    (error) => error instanceof InvalidRequestError && /protocol/.test(error.message),
  );
});

test('security (CORS): with cors on, a listed origin gets its preflight and headers on the stream', async () => {
  const h = chatHandler({ cors: { origins: ['https://other.test'] } });
  const preflight = await h(
    new Request(`${ORIGIN}/api/chat`, {
      method: 'OPTIONS',
      headers: { origin: 'https://other.test', 'access-control-request-method': 'POST' },
    }),
  );
  assert.equal(preflight.status, 204);
  assert.equal(preflight.headers.get('access-control-allow-methods'), 'POST');
  const response = await h(
    post({ headers: { origin: 'https://other.test' }, body: chatBody([userMessage('hi')]) }),
  );
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('access-control-allow-origin'), 'https://other.test');
  await response.text();
  const foreign = await h(
    post({ headers: { origin: 'https://evil.test' }, body: chatBody([userMessage('hi')]) }),
  );
  assert.equal(foreign.status, 403);
});

test('a cancelled response body or an aborted request aborts the upstream turn (its socket closes)', async () => {
  const relay = await relayToMock();
  const h = chatHandler({ wsUrl: relay.wsUrl });
  const task = await taskOf('alice');
  for (const how of ['signal', 'cancel'] as const) {
    mock.failTurn({ kind: 'slow', frameDelayMs: 300 });
    const controller = new AbortController();
    const started = Date.now();
    const response = await h(
      post({ body: chatBody([answerOn(task), userMessage(`abort by ${how}`)]), signal: controller.signal }),
    );
    const reader = response.body!.getReader();
    let text = '';
    while (!text.includes('text-delta')) text += new TextDecoder().decode((await reader.read()).value);
    if (how === 'signal') controller.abort();
    else await reader.cancel();
    const socket = relay.events.at(-1)!;
    await waitFor(() => socket.closed !== undefined);
    assert.ok(
      socket.closed! - started < 1500,
      `${how}: the upstream socket closed ${socket.closed! - started} ms in`,
    );
  }
});

test('an idle turn gets a `: keep-alive` comment every 15 s', async (t) => {
  t.mock.timers.enable({ apis: ['setInterval'] });
  const task = await taskOf('alice');
  mock.failTurn({ kind: 'slow', frameDelayMs: 400 });
  const response = await handler(post({ body: chatBody([answerOn(task), userMessage('slowly')]) }));
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  t.mock.timers.tick(15_000);
  t.mock.timers.tick(15_000);
  while ((text.match(/^: keep-alive$/gm) ?? []).length < 2)
    text += decoder.decode((await reader.read()).value);
  assert.equal((text.match(/^: keep-alive$/gm) ?? []).length, 2);
  await reader.cancel();
});

test('a turn that ended stops its keep-alive timer, even when nobody read the body (no timer keeps the process up)', async (t) => {
  t.mock.timers.enable({ apis: ['setInterval'] });
  const task = await taskOf('alice');
  const controller = new AbortController();
  const response = await handler(
    post({ body: chatBody([answerOn(task), userMessage('ended early')]), signal: controller.signal }),
  );
  controller.abort(); // the turn ends (an `abort` chunk); the body is not read yet
  await new Promise((resolve) => setTimeout(resolve, 200));
  t.mock.timers.tick(60_000);
  const text = await response.text();
  assert.equal((text.match(/^: keep-alive$/gm) ?? []).length, 0, 'no keep-alive after the end');
  assert.match(text, /"type":"abort"}\n\ndata: \[DONE\]\n\n$/);
});

/* ------------------------------------------------------------------------------ helpers */

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

async function waitFor(check: () => boolean, ms = 3000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
