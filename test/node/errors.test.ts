// Every error path of the REST client, driven by the mock's fault injection over loopback:
// status → class mapping, retries (and when messages.send must not retry), idempotency keys,
// timeouts, aborts, malformed replies, bad input that never reaches the network.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';
import {
  APIConnectionError,
  APIError,
  APITimeoutError,
  APIUserAbortError,
  AuiClient,
  AuiError,
  AuthenticationError,
  BadRequestError,
  InternalServerError,
  InvalidRequestError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  ResponseValidationError,
  UnprocessableEntityError,
} from '../../src/index.node.ts';
import { serveOnLoopback } from '../fixtures/http.ts';
import { clientFor, mockServer, rejection, TEST_KEY } from '../fixtures/mock.ts';

const mock = await mockServer();
const aui = clientFor(mock);
const task = await aui.tasks.create({ user_id: 'errors' });

/** Every error these tests saw; the last test scans them all for the key. */
const seen: unknown[] = [];
async function failure(promise: PromiseLike<unknown>): Promise<any> {
  const error = await rejection(promise);
  seen.push(error);
  return error;
}
function since(start: number) {
  return mock.requests.slice(start);
}

test('400 is a BadRequestError with description, extra_data and "400 <description>: <message>"', async () => {
  mock.failRest({ match: 'POST /message', status: 400 });
  const error = await failure(aui.messages.send({ task_id: task.id, text: 'something flagged' }));
  assert.ok(error instanceof BadRequestError && error instanceof APIError && error instanceof AuiError);
  assert.equal(error.status, 400);
  assert.equal(error.description, 'Content moderation triggered');
  assert.equal(error.extra_data?.moderation_category, 'harmful_content');
  assert.equal(
    error.message,
    '400 Content moderation triggered: The message was flagged by content moderation.',
  );
  assert.equal(error.delivered, false);
  assert.ok(error.requestId, 'x-request-id read into the error');
});

test('403 and 404 map to their classes; other statuses stay APIError', async () => {
  mock.failRest({ match: 'GET /tasks/*', status: 403, body: { detail: 'Forbidden' } });
  const denied = await failure(aui.tasks.get(task.id));
  assert.ok(denied instanceof PermissionDeniedError);
  assert.equal(denied.message, '403 Forbidden');
  mock.failRest({ match: 'GET /tasks/*', status: 404, body: { detail: 'Task not found' } });
  assert.ok((await failure(aui.tasks.get(task.id))) instanceof NotFoundError);
  mock.failRest({ match: 'GET /tasks/*', status: 418, body: { detail: 'teapot' } });
  const other = await failure(aui.tasks.get(task.id));
  assert.ok(other instanceof APIError && !(other instanceof NotFoundError));
  assert.equal(other.status, 418);
});

test('422 issues come out the same from detail[], errors[], {} and a non-JSON body', async () => {
  mock.failRest({
    match: 'POST /tasks',
    status: 422,
    body: { detail: [{ loc: ['body', 'user_id'], msg: 'field required', type: 'value_error.missing' }] },
  });
  const fromDetail = await failure(aui.tasks.create({ user_id: 'x' }));
  assert.ok(fromDetail instanceof UnprocessableEntityError);
  assert.deepEqual(fromDetail.issues, [
    { path: ['body', 'user_id'], message: 'field required', type: 'value_error.missing' },
  ]);
  assert.equal(fromDetail.message, '422 body.user_id: field required');

  mock.failRest({
    match: 'POST /tasks',
    status: 422,
    body: { errors: [{ loc: ['query', 'page', 0], msg: 'not an int', type: 'type_error' }] },
  });
  const fromErrors = await failure(aui.tasks.create({ user_id: 'x' }));
  assert.deepEqual(fromErrors.issues, [
    { path: ['query', 'page', 0], message: 'not an int', type: 'type_error' },
  ]);

  mock.failRest({ match: 'POST /tasks', status: 422, body: {} });
  const empty = await failure(aui.tasks.create({ user_id: 'x' }));
  assert.ok(empty instanceof UnprocessableEntityError);
  assert.deepEqual(empty.issues, []);
  assert.deepEqual(empty.body, {});

  mock.failRest({ match: 'POST /tasks', status: 422, body: 'Unprocessable', contentType: 'text/plain' });
  const text = await failure(aui.tasks.create({ user_id: 'x' }));
  assert.deepEqual(text.issues, []);
  assert.equal(text.body, 'Unprocessable');
});

test('500, 500, 200: retried to success with the same Idempotency-Key and a key on every attempt', async () => {
  const start = mock.requests.length;
  mock.failRest({ match: 'POST /tasks', status: 500, times: 2 });
  const created = await aui.tasks.create({ user_id: 'retry' });
  assert.equal(created.user_id, 'retry');
  const attempts = since(start);
  assert.equal(attempts.length, 3);
  const keys = new Set(attempts.map((r) => r.headers['idempotency-key']));
  assert.equal(keys.size, 1, 'one Idempotency-Key reused on every attempt');
  assert.ok([...keys][0]);
  assert.ok(attempts.every((r) => r.headers['x-network-api-key'] === TEST_KEY));
  // A second logical call gets a new key.
  await aui.tasks.create({ user_id: 'retry' });
  assert.notEqual(mock.requests.at(-1)!.headers['idempotency-key'], [...keys][0]);
});

test('retries stop at maxRetries: 5xx becomes InternalServerError after 1 + maxRetries attempts', async () => {
  const start = mock.requests.length;
  mock.failRest({ match: 'GET /tasks/*', status: 503, times: 5 });
  const error = await failure(aui.tasks.get(task.id, { maxRetries: 1 }));
  assert.ok(error instanceof InternalServerError);
  assert.equal(error.status, 503);
  assert.equal(since(start).length, 2);
  mock.reset();
});

test('408 and 409 are retried', async () => {
  const fresh = await aui.tasks.create({ user_id: 'r' });
  const start = mock.requests.length;
  mock.failRest({ match: 'GET /tasks/*', status: 408, body: { detail: 'timeout' } });
  mock.failRest({ match: 'GET /tasks/*', status: 409, body: { detail: 'conflict' } });
  assert.equal((await aui.tasks.get(fresh.id)).id, fresh.id);
  assert.equal(since(start).length, 3);
});

test('429 with Retry-After: waits as told, then RateLimitError.retryAfterMs when retries run out', async () => {
  const fresh = await aui.tasks.create({ user_id: 'r' });
  mock.failRest({ match: 'GET /tasks/*', status: 429, headers: { 'retry-after': '0.2' } });
  const started = Date.now();
  assert.equal((await aui.tasks.get(fresh.id)).id, fresh.id);
  assert.ok(Date.now() - started >= 190, 'Retry-After honoured');

  mock.failRest({ match: 'GET /tasks/*', status: 429, headers: { 'retry-after': '7' }, times: 3 });
  const error = await failure(aui.tasks.get(fresh.id, { maxRetries: 0 }));
  assert.ok(error instanceof RateLimitError);
  assert.equal(error.retryAfterMs, 7000);
  mock.reset();
});

test('401 → the key provider is asked again with forceRefresh → success; not counted in maxRetries', async () => {
  const fresh = await aui.tasks.create({ user_id: 'r' });
  const asked: boolean[] = [];
  const rotating = clientFor(mock, {
    maxRetries: 0,
    apiKey: {
      getKey: ({ forceRefresh }) => (asked.push(forceRefresh), forceRefresh ? 'API_KEY_new' : 'API_KEY_old'),
    },
  });
  mock.setApiKey(['API_KEY_new', TEST_KEY]);
  const start = mock.requests.length;
  const got = await rotating.tasks.get(fresh.id);
  assert.equal(got.id, fresh.id);
  assert.deepEqual(asked, [false, true]);
  assert.deepEqual(
    since(start).map((r) => r.headers['x-network-api-key']),
    ['API_KEY_old', 'API_KEY_new'],
  );
  mock.setApiKey(TEST_KEY);
});

test('401 twice is an AuthenticationError with the server body, after exactly one refresh', async () => {
  let calls = 0;
  const bad = clientFor(mock, { apiKey: () => (calls++, 'API_KEY_wrong') });
  const start = mock.requests.length;
  const error = await failure(bad.tasks.create({ user_id: 'x' }));
  assert.ok(error instanceof AuthenticationError);
  assert.equal(error.status, 401);
  assert.deepEqual(error.body, { detail: 'Not authenticated' });
  assert.match(error.message, /^401 Not authenticated — the key from your `apiKey` function was refused by /);
  assert.match(error.message, /asked again with `forceRefresh: true`/);
  assert.equal(calls, 2);
  assert.equal(since(start).length, 2);
});

test('messages.send is not retried after a 5xx: it may have reached AUI (delivered: unknown)', async () => {
  const start = mock.requests.length;
  mock.failRest({ match: 'POST /message', status: 502 });
  const error = await failure(aui.messages.send({ task_id: task.id, text: 'once only' }));
  assert.ok(error instanceof InternalServerError);
  assert.equal(error.delivered, 'unknown');
  assert.equal(since(start).length, 1);
});

test('messages.send is retried on 429/503 with Retry-After (the server said it did not take it)', async () => {
  const fresh = await aui.tasks.create({ user_id: 'r' });
  const start = mock.requests.length;
  mock.failRest({ match: 'POST /message', status: 503, headers: { 'retry-after': '0' } });
  mock.failRest({ match: 'POST /message', status: 429, headers: { 'retry-after': '0' } });
  const message = await aui.messages.send({ task_id: fresh.id, text: 'eventually' });
  assert.equal(typeof message.text, 'string');
  const attempts = since(start);
  assert.equal(attempts.length, 3);
  assert.equal(new Set(attempts.map((r) => r.headers['idempotency-key'])).size, 1);
});

test('messages.send after a timeout fails with delivered: unknown and is not retried', async () => {
  const start = mock.requests.length;
  mock.failRest({ match: 'POST /message', delayMs: 400, passThrough: true });
  const error = await failure(aui.messages.send({ task_id: task.id, text: 'slow' }, { timeout: 100 }));
  assert.ok(error instanceof APITimeoutError && error instanceof APIConnectionError);
  assert.equal(error.delivered, 'unknown');
  assert.equal(since(start).length, 1);
});

test('a GET that times out is retried, then APITimeoutError', async () => {
  const start = mock.requests.length;
  mock.failRest({ match: 'GET /tasks/*', delayMs: 300, times: 2 });
  const error = await failure(aui.tasks.get(task.id, { timeout: 60, maxRetries: 1 }));
  assert.ok(error instanceof APITimeoutError);
  assert.match(error.message, /timed out after 60 ms/);
  assert.equal(since(start).length, 2);
  mock.reset();
});

test(
  'the timeout covers the body: a reply that stalls after its headers is retried, then APITimeoutError',
  { timeout: 5_000 },
  async () => {
    // A server the mock cannot imitate: headers and half a body, then silence on an open socket.
    let stalled = 0;
    const { origin } = await serveOnLoopback((_req, res) => {
      stalled++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"id":"half');
    });
    const client = new AuiClient({ apiKey: TEST_KEY, baseUrl: origin, logLevel: 'off' });
    const error = await failure(client.tasks.get('t1', { timeout: 100, maxRetries: 1 }));
    assert.ok(error instanceof APITimeoutError, String(error));
    assert.equal(stalled, 2, 'one retry after the first stall');
  },
);

test('a dropped connection is retried for reads', async () => {
  const fresh = await aui.tasks.create({ user_id: 'r' });
  const start = mock.requests.length;
  mock.failRest({ match: 'GET /tasks/*', hangUp: true });
  assert.equal((await aui.tasks.get(fresh.id)).id, fresh.id);
  assert.equal(since(start).length, 2);
});

test('connection refused: messages.send is retried (never reached AUI) and ends as APIConnectionError, delivered false', async () => {
  const port = await closedPort();
  const offline = new AuiClient({
    apiKey: TEST_KEY,
    baseUrl: `http://127.0.0.1:${port}/api/ia-controller`,
    maxRetries: 1,
    logLevel: 'off',
  });
  let keyAsked = 0;
  const counting = new AuiClient({
    apiKey: () => (keyAsked++, TEST_KEY),
    baseUrl: `http://127.0.0.1:${port}/x`,
    maxRetries: 1,
    logLevel: 'off',
  });
  const error = await failure(offline.messages.send({ task_id: 't', text: 'hi' }));
  assert.ok(error instanceof APIConnectionError && !(error instanceof APITimeoutError));
  assert.equal(error.delivered, false);
  assert.match(error.message, /ECONNREFUSED/);
  await failure(counting.messages.send({ task_id: 't', text: 'hi' }));
  assert.equal(keyAsked, 2, 'two attempts, the key asked before each');
});

test('a 200 whose body is HTML is a ResponseValidationError, not a crash', async () => {
  mock.failRest({ match: 'GET /tasks/*', status: 200, body: '<html><body>Gateway login</body></html>' });
  const error = await failure(aui.tasks.get(task.id));
  assert.ok(error instanceof ResponseValidationError);
  assert.match(error.message, /expected a JSON reply, got text\/html/);
});

test('a 200 with truncated JSON is a ResponseValidationError', async () => {
  mock.failRest({
    match: 'GET /tasks/*',
    status: 200,
    body: '{"id": "abc", "user_',
    contentType: 'application/json',
  });
  assert.ok((await failure(aui.tasks.get(task.id))) instanceof ResponseValidationError);
});

test('a reply with the wrong shape fails with the field path', async () => {
  mock.failRest({
    match: 'POST /message',
    status: 200,
    body: { id: 'm1', text: 'ok', cards: [{ name: 7, parameters: [] }] },
  });
  const error = await failure(aui.messages.send({ task_id: task.id, text: 'x' }));
  assert.ok(error instanceof ResponseValidationError);
  assert.deepEqual(error.path, ['cards', 0, 'name']);
  assert.match(
    error.message,
    /messages\.send: unexpected reply from AUI: cards\.0\.name must be a string, got 7$/,
  );

  mock.failRest({ match: 'GET /tasks', status: 200, body: { tasks: [], total: '3', page: 1, size: 10 } });
  const page = await failure(aui.tasks.list({ user_id: 'x' }));
  assert.deepEqual(page.path, ['total']);
});

test('bad input fails before any network call, with the field path', async () => {
  const start = mock.requests.length;
  const cases: Array<[PromiseLike<unknown> | (() => unknown), Array<string | number>]> = [
    [aui.tasks.create({} as never), ['params', 'user_id']],
    [aui.tasks.create({ user_id: '' }), ['params', 'user_id']],
    [aui.tasks.list({ user_id: 'u', page: 0 }), ['params', 'page']],
    [aui.tasks.get(42 as never), ['task_id']],
    [aui.tasks.messages(''), ['task_id']],
    [aui.messages.send({ task_id: task.id, text: 5 } as never), ['params', 'text']],
    [aui.messages.send({ task_id: task.id, context: { url: 3 } } as never), ['params', 'context', 'url']],
    [aui.traceInfo(task.id, ''), ['message_id']],
    [aui.textConversation({ phoneNumber: '555-1234', channel: 'sms' }), ['params', 'phoneNumber']],
    [aui.textConversation({ phoneNumber: '+14155550123', channel: 'fax' as never }), ['params', 'channel']],
    [
      aui.renderWidget({ task_id: task.id, integration_code: 'I', card_template_code: 'c' } as never),
      ['params', 'variables'],
    ],
    [aui.tasks.get(task.id, { timeout: -5 }), ['options', 'timeout']],
    [aui.tasks.get(task.id, { maxRetries: 1.5 }), ['options', 'maxRetries']],
    [() => aui.tasks.iterate({ user_id: 7 } as never), ['params', 'user_id']],
    [() => new AuiClient({ apiKey: TEST_KEY, baseUrl: 'ftp://example.com' }), ['options', 'baseUrl']],
    [() => new AuiClient({ apiKey: TEST_KEY, region: 'mars' as never }), ['options', 'region']],
    [() => new AuiClient({ apiKey: '' }), ['apiKey']],
  ];
  for (const [call, path] of cases) {
    let error: any;
    if (typeof call === 'function') {
      try {
        call();
      } catch (thrown) {
        error = thrown;
      }
    } else {
      error = await failure(call);
    }
    assert.ok(
      error instanceof InvalidRequestError,
      `expected InvalidRequestError for ${path.join('.')}, got ${error}`,
    );
    assert.deepEqual(error.path, path);
    seen.push(error);
  }
  assert.equal(since(start).length, 0, 'no request was sent');
});

test('a missing key is a clear error before any request', async () => {
  const saved = process.env.AUI_NETWORK_API_KEY;
  delete process.env.AUI_NETWORK_API_KEY;
  try {
    const start = mock.requests.length;
    const error = await failure(
      new AuiClient({ baseUrl: mock.url, logLevel: 'off' }).tasks.create({ user_id: 'u' }),
    );
    assert.ok(error instanceof InvalidRequestError);
    assert.match(error.message, /AUI_NETWORK_API_KEY/);
    assert.equal(since(start).length, 0);
  } finally {
    if (saved !== undefined) process.env.AUI_NETWORK_API_KEY = saved;
  }
});

test('an abort before the call sends nothing; an abort during a backoff wait ends it at once', async () => {
  const start = mock.requests.length;
  const error = await failure(aui.tasks.get(task.id, { signal: AbortSignal.abort() }));
  assert.ok(error instanceof APIUserAbortError);
  assert.equal(since(start).length, 0);

  mock.failRest({ match: 'GET /tasks/*', status: 503, headers: { 'retry-after': '30' } });
  const controller = new AbortController();
  const started = Date.now();
  setTimeout(() => controller.abort(), 100);
  const waiting = await failure(aui.tasks.get(task.id, { signal: controller.signal }));
  assert.ok(waiting instanceof APIUserAbortError);
  assert.ok(Date.now() - started < 2000, 'the 30 s Retry-After wait was cut short');
  mock.reset();
});

test('an abort while the key is still loading ends the call there: APIUserAbortError, nothing sent', async () => {
  const start = mock.requests.length;
  // A provider that ignores the signal, and one that honours it (rejecting with its own AbortError).
  const deaf = clientFor(mock, {
    apiKey: () => new Promise<string>((resolve) => setTimeout(() => resolve(TEST_KEY), 200)),
  });
  const heeding = clientFor(mock, {
    apiKey: ({ signal }) =>
      new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => resolve(TEST_KEY), 5_000);
        signal?.addEventListener(
          'abort',
          () => (clearTimeout(timer), reject(new DOMException('aborted', 'AbortError'))),
        );
      }),
  });
  for (const client of [deaf, heeding]) {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const started = Date.now();
    const error = await failure(
      client.messages.send({ task_id: task.id, text: 'never sent' }, { signal: controller.signal }),
    );
    assert.ok(error instanceof APIUserAbortError, String(error));
    assert.ok(Date.now() - started < 1_000, 'the heeding provider stops at once');
  }
  await new Promise((resolve) => setTimeout(resolve, 250)); // the deaf provider's key arrives now
  assert.equal(since(start).length, 0, 'no request reached the server');
});

test('an abort during the request ends it as APIUserAbortError', async () => {
  const fresh = await aui.tasks.create({ user_id: 'r' });
  mock.failRest({ match: 'GET /tasks/*', delayMs: 2000 });
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 50);
  assert.ok(
    (await failure(aui.tasks.get(fresh.id, { signal: controller.signal }))) instanceof APIUserAbortError,
  );
  mock.reset();
});

test('a server that echoes the key in its error body does not leak it', async () => {
  const odd = 'sk-not-an-aui-shaped-key-123';
  mock.setApiKey([TEST_KEY]);
  mock.failRest({ match: 'POST /tasks', status: 401, body: { detail: `Key ${odd} is not valid` }, times: 2 });
  const error = await failure(clientFor(mock, { apiKey: odd }).tasks.create({ user_id: 'x' }));
  assert.ok(error instanceof AuthenticationError);
  assert.doesNotMatch(error.message, new RegExp(odd));
  assert.doesNotMatch(JSON.stringify(error), new RegExp(odd));
  mock.failRest({
    match: 'POST /tasks',
    status: 400,
    body: { description: 'bad', message: `header x-network-api-key: ${TEST_KEY}` },
  });
  seen.push(await failure(aui.tasks.create({ user_id: 'x' })));
});

test('no error seen in this file carries the key: message, stack, JSON.stringify, util.inspect', async () => {
  const { inspect } = await import('node:util');
  assert.ok(seen.length > 30);
  for (const error of seen) {
    for (const text of [
      String(error),
      (error as Error).stack ?? '',
      JSON.stringify(error),
      inspect(error, { depth: 10, showHidden: true }),
    ]) {
      assert.ok(!text.includes(TEST_KEY), `key leaked in ${(error as Error).name}: ${text.slice(0, 200)}`);
      assert.ok(!text.includes('API_KEY_'), `key-shaped text leaked in ${(error as Error).name}`);
    }
    assert.equal((error as { cause?: unknown }).cause, undefined, 'no library error attached as cause');
  }
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
