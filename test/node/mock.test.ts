// The mock AUI server over real loopback: REST with global fetch, the session with the
// `ws` client. Run: node --import tsx --test test/node/mock.test.ts
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { WebSocket } from 'ws';
import { startMockAui, type MockAui, type MockAuiOptions } from '../../src/mock/index.ts';

const KEY = 'test-key';
const EXT = '/api/v1/external';

async function start(t: TestContext, options?: MockAuiOptions): Promise<MockAui> {
  const mock = await startMockAui(options);
  t.after(() => mock.close());
  return mock;
}

async function call(mock: MockAui, method: string, path: string, body?: unknown, key: string | null = KEY) {
  const headers: Record<string, string> = {};
  if (key !== null) headers['x-network-api-key'] = key;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(mock.url + EXT + path, {
    method,
    headers,
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { res, text, json: json as any };
}

interface TurnResult {
  frames: unknown[];
  raw: string[];
  final: any;
  close: { code: number; reason: string } | undefined;
}

/** Opens a socket, sends one user frame, collects until the final message or the close. */
function turn(
  url: string,
  msg: unknown,
  opts: { key?: string | null; keepOpen?: boolean } = {},
): Promise<TurnResult> {
  const key = opts.key === undefined ? KEY : opts.key;
  const ws = new WebSocket(key === null ? url : `${url}?network_api_key=${encodeURIComponent(key)}`);
  const out: TurnResult = { frames: [], raw: [], final: undefined, close: undefined };
  return new Promise((resolve, reject) => {
    ws.on('error', (e) => (out.close ? undefined : reject(e)));
    ws.on('open', () => ws.send(JSON.stringify(msg)));
    ws.on('message', (data: Buffer) => {
      const s = data.toString('utf8');
      out.raw.push(s);
      let f: any;
      try {
        f = JSON.parse(s);
      } catch {
        return;
      }
      out.frames.push(f);
      if (typeof f.id === 'string' && typeof f.text === 'string') {
        out.final = f;
        ws.close(1000);
      }
    });
    ws.on('close', (code, reason) => {
      out.close = { code, reason: String(reason) };
      resolve(out);
    });
  });
}

function streamedText(frames: unknown[], mode: 'delta' | 'cumulative'): string {
  const texts = (frames as any[])
    .filter(
      (f) =>
        f.channel?.event_name === 'thread-message-text-content-updated' ||
        f.event === 'thread-message-text-content-updated',
    )
    .map((f) => f.data.text as string);
  return mode === 'delta' ? texts.join('') : (texts.at(-1) ?? '');
}

test('REST: 401 without or with a wrong key, with x-request-id and CORS headers', async (t) => {
  const mock = await start(t);
  for (const key of [null, 'wrong']) {
    const { res, json } = await call(mock, 'POST', '/tasks', { user_id: 'u1' }, key);
    assert.equal(res.status, 401);
    assert.deepEqual(json, { detail: 'Not authenticated' });
    assert.match(res.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
  }
  const pre = await fetch(mock.url + EXT + '/tasks', {
    method: 'OPTIONS',
    headers: {
      origin: 'http://x.test',
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'x-network-api-key',
    },
  });
  assert.equal(pre.status, 204);
  assert.equal(pre.headers.get('access-control-allow-headers'), 'x-network-api-key');
  assert.equal(mock.requests.length, 2, 'preflights are not recorded');
  assert.equal((await call(mock, 'GET', '/nope')).res.status, 404);
  assert.equal((await call(mock, 'DELETE', '/tasks')).res.status, 405);
});

for (const shape of ['cards', 'options'] as const) {
  test(`REST: create, send, history round trip (${shape})`, async (t) => {
    const mock = await start(t, { productShape: shape });
    const created = await call(mock, 'POST', '/tasks', { user_id: 'u1', task_origin_type: 'web-widget' });
    assert.equal(created.res.status, 200);
    const task = created.json;
    assert.match(task.id, /^[0-9a-f]{24}$/);
    assert.equal(task.title, 'New Conversation');
    assert.equal(task.followup_suggestions.length, 3);
    assert.equal((await call(mock, 'POST', '/tasks', {})).res.status, 422);

    const sent = await call(mock, 'POST', '/message?is_external_api=true&include_business_trace=true', {
      task_id: task.id,
      text: 'I need a built-in microwave',
    });
    assert.equal(sent.res.status, 200);
    const msg = sent.json;
    assert.equal(msg.sender.type, 'agent');
    assert.equal(msg.receiver.id, 'u1');
    assert.match(msg.created_at, /Z$/);
    assert.equal(msg.trace_info.response.message, msg.text);
    if (shape === 'cards') {
      assert.equal(msg.cards.length, 3);
      assert.equal(msg.cards[0].category, 'microwaves');
      assert.ok(msg.cards[0].parameters.some((p: any) => p.param === 'price' && p.value === '$358.08'));
    } else {
      assert.equal(msg.options.length, 3);
      assert.deepEqual(msg.variants_options, []);
      assert.equal(msg.options[0].widget_parameters[0].title, 'Product name');
    }

    const history = await call(mock, 'GET', `/tasks/${task.id}/messages`);
    assert.deepEqual(
      history.json.map((m: any) => [m.sender.type, m.text]),
      [
        ['user', 'I need a built-in microwave'],
        ['agent', msg.text],
      ],
    );
    assert.equal(history.json[1].trace_info, undefined);
    assert.deepEqual(mock.history(task.id), history.json);
    const list = await call(mock, 'GET', '/tasks?user_id=u1');
    assert.deepEqual([list.json.total, list.json.page, list.json.size], [1, 1, 10]);
    assert.equal((await call(mock, 'GET', '/tasks/000000000000000000000000')).res.status, 404);
  });
}

test('REST faults: 500, 500, then the real handler; raw HTML with a 200', async (t) => {
  const mock = await start(t);
  mock.failRest({ match: 'POST /tasks', status: 500, times: 2 });
  mock.failRest({ match: 'GET /tasks', status: 200, body: '<html>oops</html>' });
  const first = await call(mock, 'POST', '/tasks', { user_id: 'u1' });
  assert.equal(first.res.status, 500);
  assert.deepEqual(first.json, {
    status_code: 500,
    description: 'Internal server error',
    message: 'An unexpected error occurred.',
    extra_data: {},
  });
  assert.equal((await call(mock, 'POST', '/tasks', { user_id: 'u1' })).res.status, 500);
  assert.equal((await call(mock, 'POST', '/tasks', { user_id: 'u1' })).res.status, 200);
  assert.equal(mock.requests.length, 3);

  const html = await call(mock, 'GET', '/tasks?user_id=u1');
  assert.equal(html.res.status, 200);
  assert.match(html.res.headers.get('content-type') ?? '', /^text\/html/);
  assert.equal(html.text, '<html>oops</html>');
  assert.equal((await call(mock, 'GET', '/tasks?user_id=u1')).json.total, 1);
});

for (const envelope of ['full', 'flat'] as const) {
  for (const mode of ['delta', 'cumulative'] as const) {
    test(`WS turn: ${envelope} envelope, ${mode} text`, async (t) => {
      const mock = await start(t, { envelope, text: mode });
      mock.setReply({
        text: 'Here are three great microwaves for you.',
        products: [{ name: 'Panasonic NN-SN98JS', price: '$358.08' }],
      });
      const task = (await call(mock, 'POST', '/tasks', { user_id: 'u1' })).json;
      const r = await turn(mock.wsUrl, { task_id: task.id, text: 'microwave please' });
      assert.equal(r.final.text, 'Here are three great microwaves for you.');
      assert.equal(streamedText(r.frames, mode), r.final.text);
      assert.equal(r.final.cards[0].name, 'Panasonic NN-SN98JS');
      const first = r.frames[0] as any;
      if (envelope === 'full') assert.equal(first.scope.context.message_id, r.final.id);
      else assert.deepEqual(Object.keys(first), ['event', 'data']);
      assert.equal(mock.history(task.id).length, 2);
      assert.equal(mock.sockets.opened, 1);
      assert.deepEqual(mock.sockets.messages, [{ task_id: task.id, text: 'microwave please' }]);
    });
  }
}

test('WS: a bad key is accepted, then closed 1008 before any frame', async (t) => {
  const mock = await start(t);
  const task = (await call(mock, 'POST', '/tasks', { user_id: 'u1' })).json;
  const r = await turn(mock.wsUrl, { task_id: task.id, text: 'hi' }, { key: 'wrong' });
  assert.deepEqual(r.close, { code: 1008, reason: 'Invalid API key' });
  assert.equal(r.raw.length, 0);
  assert.equal(mock.sockets.opened, 1);
});

test('WS: reject-403 refuses the upgrade with HTTP 403', async (t) => {
  const mock = await start(t, { handshake: 'reject-403' });
  const status = await new Promise<number>((resolve, reject) => {
    const ws = new WebSocket(`${mock.wsUrl}?network_api_key=${KEY}`);
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('open', () => reject(new Error('upgrade was accepted')));
    ws.on('error', () => {});
  });
  assert.equal(status, 403);
  assert.equal(mock.sockets.opened, 0);
  assert.equal(mock.requests.at(-1)?.method, 'WS');
});

test('WS: drop fault cuts the socket mid-stream; recordReply later stores the reply', async (t) => {
  const mock = await start(t, { reply: 'one two three four five' });
  const task = (await call(mock, 'POST', '/tasks', { user_id: 'u1' })).json;
  mock.failTurn({ kind: 'drop', afterFrames: 2, recordReply: 'later', laterMs: 50 });
  const r = await turn(mock.wsUrl, { task_id: task.id, text: 'hi' });
  assert.equal(r.close?.code, 1006);
  assert.equal(r.final, undefined);
  assert.equal(streamedText(r.frames, 'delta'), 'one two ');
  assert.deepEqual(
    mock.history(task.id).map((m: any) => m.sender.type),
    ['user'],
  );
  await new Promise((resolve) => setTimeout(resolve, 80));
  assert.deepEqual(
    mock.history(task.id).map((m: any) => m.text),
    ['hi', 'one two three four five'],
  );
  // The next turn is unaffected.
  const again = await turn(mock.wsUrl, { task_id: task.id, text: 'again' });
  assert.equal(again.final.text, 'one two three four five');
});
