// The browser client (`aui-messaging/browser`) run in Node against the real proxy: a handler
// served by `toNodeListener` on a node:http server on 127.0.0.1, in front of the mock AUI server.
// Every route, the stream's text invariant, and each error class rebuilt from the proxy's
// JSON/SSE envelopes — the same classes the full SDK throws.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  APIConnectionError,
  APIError,
  APIUserAbortError,
  AuthenticationError,
  BadRequestError,
  createProxyClient,
  InvalidRequestError,
  NotFoundError,
  RateLimitError,
  TurnInterruptedError,
  UnprocessableEntityError,
  type MessageStream,
  type Task,
} from '../../src/browser/proxy-client.ts';
import { createAuiHandler } from '../../src/server/handler.node.ts';
import { toNodeListener } from '../../src/server/node-listener.ts';
import { serveOnLoopback } from '../fixtures/http.ts';
import { mockServer, rejection, TEST_KEY } from '../fixtures/mock.ts';

const mock = await mockServer();
const API = '/api/ia-controller/api/v1/external';
const authorize = (request: Request) => {
  const user = /^Bearer (\w+)$/.exec(request.headers.get('authorization') ?? '')?.[1];
  return user ? { userId: user } : null;
};
const upstream = { apiKey: TEST_KEY, baseUrl: mock.url, wsUrl: mock.wsUrl, authorize };
const main = toNodeListener(createAuiHandler(upstream));
// A second mount with a turn limit of one per minute, for the 429.
const limited = toNodeListener(
  createAuiHandler({ ...upstream, basePath: '/limited', limits: { turnsPerMinute: 1 } }),
);

const { origin, sockets } = await serveOnLoopback((req, res) =>
  (req.url?.startsWith('/limited/') ? limited : main)(req, res),
);

const clientAs = (user: string | null, path = '/api/aui') =>
  createProxyClient({
    url: `${origin}${path}`,
    ...(user ? { headers: { authorization: `Bearer ${user}` } } : {}),
  });
const aui = clientAs('alice');

/** Runs a stream to its end; checks that the deltas add up to the final text. */
async function run(stream: MessageStream) {
  let deltas = '';
  stream.on('text', (delta, snapshot) => {
    deltas += delta;
    assert.equal(deltas, snapshot);
  });
  const message = await stream.finalMessage();
  return { deltas, message };
}

test('tasks.create, list, iterate and messages go through the proxy: no user_id, no key in the browser', async () => {
  const created: Task[] = [];
  for (let i = 0; i < 3; i++) created.push(await aui.tasks.create());
  assert.ok(created.every((task) => task.user_id === 'alice' && typeof task.welcome_message === 'string'));
  const creates = mock.requests.filter((r) => r.method === 'POST' && r.path === `${API}/tasks`);
  assert.deepEqual(creates.at(-1)!.body, { user_id: 'alice', task_origin_type: 'web-widget' });

  const page = await aui.tasks.list({ page: 2, size: 2 });
  assert.equal(page.total, 3);
  assert.deepEqual(
    page.tasks.map((t) => t.id),
    [created[2]!.id],
  );
  assert.equal((await aui.tasks.list()).tasks.length, 3);

  const all: string[] = [];
  for await (const task of aui.tasks.iterate({ size: 2 })) all.push(task.id);
  assert.deepEqual(
    all,
    created.map((t) => t.id),
  );

  assert.deepEqual(await aui.tasks.messages(created[0]!.id), []);
});

test('messages.send returns the agent message; messages.stream emits deltas that add up to the final text', async () => {
  const task = await aui.tasks.create();
  const sent = await aui.messages.send({ task_id: task.id, text: 'hello' });
  assert.match(sent.text, /hello/);

  const stream = aui.messages.stream({ task_id: task.id, text: 'a microwave' });
  const events: string[] = [];
  stream
    .on('text', () => events.push('text'))
    .on('message', () => events.push('message'))
    .on('end', () => events.push('end'));
  const { deltas, message } = await run(stream);
  assert.equal(deltas, message.text);
  assert.match(message.text, /microwave/);
  assert.ok(events.filter((e) => e === 'text').length > 3);
  assert.deepEqual(events.slice(-2), ['message', 'end']);
  assert.equal((await aui.tasks.messages(task.id)).length, 4);

  // for await works on the same stream type.
  const kinds: string[] = [];
  for await (const event of aui.messages.stream({ task_id: task.id, text: 'again' })) kinds.push(event.type);
  assert.equal(kinds.at(-1), 'message');
});

test('401: no session → AuthenticationError', async () => {
  const error = await rejection(clientAs(null).tasks.create());
  assert.ok(error instanceof AuthenticationError);
  assert.equal(error.status, 401);
});

test("404: a missing task and another user's task → the same NotFoundError", async () => {
  const alices = await aui.tasks.create();
  const missing = await rejection(aui.tasks.messages('0123456789abcdef01234567'));
  const foreign = await rejection(clientAs('bob').tasks.messages(alices.id));
  const foreignTurn = await rejection(
    clientAs('bob').messages.stream({ task_id: alices.id, text: 'hi' }).finalMessage(),
  );
  for (const error of [missing, foreign, foreignTurn]) {
    assert.ok(error instanceof NotFoundError);
    assert.equal(error.status, 404);
    assert.equal(error.message, 'Not found.');
  }
  assert.ok((await rejection(aui.tasks.messages('../../tasks'))) instanceof NotFoundError);
});

test('413: a text over maxTextLength → APIError with status 413', async () => {
  const task = await aui.tasks.create();
  const error = await rejection(aui.messages.send({ task_id: task.id, text: 'x'.repeat(16_001) }));
  assert.ok(error instanceof APIError);
  assert.equal(error.status, 413);
  assert.equal(error.name, 'APIError');
});

test('415: a body that is not application/json → APIError with status 415', async () => {
  const task = await aui.tasks.create();
  const plain = createProxyClient({
    url: `${origin}/api/aui`,
    headers: { authorization: 'Bearer alice' },
    fetch: (input, init) =>
      fetch(input, {
        ...init,
        headers: { ...(init?.headers as Record<string, string>), 'content-type': 'text/plain' },
      }),
  });
  const error = await rejection(plain.messages.send({ task_id: task.id, text: 'hi' }));
  assert.ok(error instanceof APIError);
  assert.equal(error.status, 415);
});

test('422 from AUI → UnprocessableEntityError with the same issues, delivered preserved', async () => {
  const task = await aui.tasks.create();
  mock.failRest({
    match: 'POST /message',
    status: 422,
    body: { detail: [{ loc: ['body', 'text'], msg: 'field required', type: 'value_error.missing' }] },
  });
  const error = await rejection(aui.messages.send({ task_id: task.id, text: 'hi' }));
  assert.ok(error instanceof UnprocessableEntityError);
  assert.equal(error.status, 422);
  assert.deepEqual(error.issues, [
    { path: ['body', 'text'], message: 'field required', type: 'value_error.missing' },
  ]);
  assert.equal(error.delivered, false);
});

test('400 from AUI mid-stream (an error frame) → BadRequestError from the SSE error event', async () => {
  const task = await aui.tasks.create();
  mock.failTurn({
    kind: 'error-frame',
    afterFrames: 2,
    error: { status_code: 400, description: 'Content Moderation', message: 'Not allowed.' },
  });
  const stream = aui.messages.stream({ task_id: task.id, text: 'something bad' });
  const error = await rejection(stream.finalMessage());
  assert.ok(error instanceof BadRequestError);
  assert.equal(error.status, 400);
  assert.match(error.message, /Content Moderation: Not allowed\./);
});

test('429: over turnsPerMinute → RateLimitError with retryAfterMs, for send and stream', async () => {
  const client = clientAs('frank', '/limited');
  const task = await client.tasks.create();
  await client.messages.send({ task_id: task.id, text: 'one' });
  for (const attempt of [
    client.messages.send({ task_id: task.id, text: 'two' }),
    client.messages.stream({ task_id: task.id, text: 'three' }).finalMessage(),
  ]) {
    const error = await rejection(attempt);
    assert.ok(error instanceof RateLimitError);
    assert.equal(error.status, 429);
    // What is left of the user's one-minute window (the proxy reads it from the window's edge).
    assert.ok(error.retryAfterMs! > 50_000 && error.retryAfterMs! <= 60_000, String(error.retryAfterMs));
  }
});

test('a stream cut off mid-turn → TurnInterruptedError with the partial text', async () => {
  const task = await aui.tasks.create();
  const words = Array.from({ length: 20 }, (_, i) => `w${i} `);
  mock.setReply({ text: words.join(''), chunks: words });
  mock.failTurn({ kind: 'slow', frameDelayMs: 50 });
  try {
    const stream = aui.messages.stream({ task_id: task.id, text: 'cut me off' });
    stream.once('text', () => {
      for (const socket of sockets) socket.destroy(); // the connection to the proxy drops
    });
    const error = await rejection(stream.finalMessage());
    assert.ok(error instanceof TurnInterruptedError);
    assert.equal(error.delivered, 'unknown');
    assert.ok(error.partialText.startsWith('w0'));
    assert.equal(error.partialText, stream.currentText);
  } finally {
    mock.setReply(undefined as never);
  }
});

test('the proxy unreachable → APIConnectionError; the caller aborting → APIUserAbortError', async () => {
  const nowhere = createProxyClient({ url: 'http://127.0.0.1:9/api/aui' });
  assert.ok((await rejection(nowhere.tasks.create())) instanceof APIConnectionError);
  assert.ok(
    (await rejection(nowhere.messages.stream({ task_id: 'abc', text: 'hi' }).finalMessage())) instanceof
      APIConnectionError,
  );

  const task = await aui.tasks.create();
  const controller = new AbortController();
  const stream = aui.messages.stream({ task_id: task.id, text: 'never mind' }, { signal: controller.signal });
  stream.once('text', () => controller.abort());
  assert.ok((await rejection(stream.finalMessage())) instanceof APIUserAbortError);
});

test('outside a browser a relative url is made without a throw (SSR), and each call fails with InvalidRequestError naming url, before any request', async () => {
  for (const url of ['/api/aui', 'api/aui', '//app.example/api/aui']) {
    // Next.js and React Router render client components on the server first: making the
    // client there must not throw, only calling it may.
    const calls: unknown[] = [];
    const recordingFetch: typeof fetch = (input, init) => {
      calls.push(input);
      return fetch(input, init);
    };
    const client = createProxyClient({ url, fetch: recordingFetch });
    const expected = (error: unknown) =>
      error instanceof InvalidRequestError &&
      error.message ===
        `createProxyClient: the relative url '${url}' needs a page to resolve against; outside a browser pass an absolute URL such as http://localhost:3000/api/aui.` &&
      error.path.join('.') === 'url';
    assert.ok(expected(await rejection(client.tasks.create())));
    assert.ok(
      expected(await rejection(client.messages.stream({ task_id: 'abc', text: 'hi' }).finalMessage())),
    );
    assert.deepEqual(calls, [], 'no request was made');
  }
  assert.throws(
    () => createProxyClient({ url: 'localhost:3000/api/aui' }),
    (error: unknown) =>
      error instanceof InvalidRequestError &&
      error.message === "createProxyClient: url 'localhost:3000/api/aui' is not an http or https URL.",
  );
  for (const options of [{ url: '' }, {}, undefined]) {
    assert.throws(
      () => createProxyClient(options as never),
      (error: unknown) =>
        error instanceof InvalidRequestError &&
        error.message ===
          "createProxyClient: url is required (where createAuiHandler is mounted, such as '/api/aui').",
    );
  }
});

test('an absolute url with trailing slashes reaches the same routes', async () => {
  const client = createProxyClient({
    url: `${origin}/api/aui//`,
    headers: { authorization: 'Bearer alice' },
  });
  const task = await client.tasks.create();
  assert.equal(task.user_id, 'alice');
});
