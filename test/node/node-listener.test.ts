// `toNodeListener` (aui-messaging/server/node) on a real node:http server on 127.0.0.1, in front
// of the mock AUI server, driven by real keep-alive clients (undici's `fetch` behind the browser
// client, and node:http's `Agent({ keepAlive: true })`). What is checked here is the connection
// itself: an answer given before the body was read must leave the connection usable (the unread
// bytes drained) or close it cleanly (`Connection: close`), and a method the Fetch API cannot
// carry is a 405, not a 500.
import assert from 'node:assert/strict';
import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { after, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { APIError, createProxyClient } from '../../src/browser/proxy-client.ts';
import { createAuiHandler } from '../../src/server/handler.node.ts';
import { toNodeListener } from '../../src/server/node-listener.ts';
import { DRAIN_LIMIT_BYTES } from '../../src/server/node-request.ts';
import { serveOnLoopback } from '../fixtures/http.ts';
import { mockServer, rejection, TEST_KEY } from '../fixtures/mock.ts';

const mock = await mockServer();
// Like a session lookup, authorize takes a moment: by the time the handler answers, the first
// chunk of the body has arrived and the body stream has paused the request.
const authorize = async (request: Request) => {
  await delay(10);
  const user = /^Bearer (\w+)$/.exec(request.headers.get('authorization') ?? '')?.[1];
  return user ? { userId: user } : null;
};
const listener = toNodeListener(
  createAuiHandler({ apiKey: TEST_KEY, baseUrl: mock.url, wsUrl: mock.wsUrl, authorize }),
);

// Which client connection (by its port) carried each request, in order.
const connections: number[] = [];
const { origin } = await serveOnLoopback((req, res) => {
  connections.push(req.socket.remotePort!);
  listener(req, res);
});
const url = `${origin}/api/aui`;
const aui = createProxyClient({ url, headers: { authorization: 'Bearer alice' } });

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One request through `agent`; the body is written in one piece (or in `chunks`, chunked). */
function send(
  agent: Agent,
  method: string,
  path: string,
  { headers = {}, body, chunks }: { headers?: Record<string, string>; body?: string; chunks?: string[] } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${url}${path}`, { method, headers, agent }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode!, headers: response.headers, body: text }),
      );
      response.on('error', reject);
    });
    // A client still uploading when the answer came may see its write fail afterwards: the
    // answer is what counts, and it was already resolved.
    request.on('error', reject);
    for (const chunk of chunks ?? []) request.write(chunk);
    request.end(body);
  });
}

const json = { authorization: 'Bearer alice', 'content-type': 'application/json' };

function keepAliveAgent(): Agent {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  after(() => agent.destroy());
  return agent;
}

test('after a 413 for 2 MiB of text, the browser client’s next three sends on the same keep-alive fetch succeed', async () => {
  const task = await aui.tasks.create();
  const tooLong = await rejection(aui.messages.send({ task_id: task.id, text: 'x'.repeat(2 * 1024 * 1024) }));
  assert.ok(tooLong instanceof APIError);
  assert.equal(tooLong.status, 413);
  for (let i = 0; i < 3; i++) {
    const answer = await aui.messages.send({ task_id: task.id, text: `hello ${i}` });
    assert.match(answer.text, new RegExp(`hello ${i}`));
  }
});

test('an early answer to a large body (2 MiB declared, over the drain limit) says Connection: close, and the agent’s next request succeeds on a new connection', async () => {
  const agent = keepAliveAgent();
  const task = JSON.parse((await send(agent, 'POST', '/tasks', { headers: json, body: '{}' })).body) as {
    id: string;
  };
  const big = JSON.stringify({ task_id: task.id, text: 'x'.repeat(2 * 1024 * 1024) });
  assert.ok(big.length > DRAIN_LIMIT_BYTES);
  for (const [headers, status] of [
    [json, 413],
    [{ 'content-type': 'application/json' }, 401],
    [{ authorization: 'Bearer alice', 'content-type': 'text/plain' }, 415],
  ] as const) {
    const refused = await send(agent, 'POST', '/messages', { headers, body: big });
    assert.equal(refused.status, status);
    assert.equal(refused.headers.connection, 'close');
    const before = connections.length;
    const next = await send(agent, 'POST', '/messages', {
      headers: json,
      body: JSON.stringify({ task_id: task.id, text: 'still here' }),
    });
    assert.equal(next.status, 200, next.body);
    assert.notEqual(connections[before], connections[before - 1], 'a new connection after the close');
  }
});

test('an early answer to a body within the drain limit (401, 415, 413 on the declared length) drains it and keeps the connection', async () => {
  const agent = keepAliveAgent();
  const task = JSON.parse((await send(agent, 'POST', '/tasks', { headers: json, body: '{}' })).body) as {
    id: string;
  };
  // Large enough that Node has not parsed it all by the time of the answer, within the limit.
  const body = JSON.stringify({ task_id: task.id, text: 'y'.repeat(DRAIN_LIMIT_BYTES / 2) });
  for (const [headers, status] of [
    [{ 'content-type': 'application/json' }, 401],
    [{ authorization: 'Bearer alice', 'content-type': 'text/plain' }, 415],
    [json, 413],
  ] as const) {
    const first = connections.length;
    const refused = await send(agent, 'POST', '/messages', { headers, body });
    assert.equal(refused.status, status);
    assert.equal(refused.headers.connection, 'keep-alive');
    const next = await send(agent, 'POST', '/messages', {
      headers: json,
      body: JSON.stringify({ task_id: task.id, text: 'same connection' }),
    });
    assert.equal(next.status, 200, next.body);
    assert.equal(connections[first + 1], connections[first], 'the next request reused the connection');
  }
});

test('a chunked body cut off at the cap (413 while reading) closes the connection; the next request succeeds', async () => {
  const agent = keepAliveAgent();
  const refused = await send(agent, 'POST', '/messages', {
    headers: { ...json, 'transfer-encoding': 'chunked' },
    chunks: ['{"task_id":"abc","text":"', ...Array<string>(20).fill('z'.repeat(16 * 1024))],
    body: '"}',
  });
  assert.equal(refused.status, 413);
  assert.equal(refused.headers.connection, 'close');
  const listed = await send(agent, 'GET', '/tasks', { headers: { authorization: 'Bearer alice' } });
  assert.equal(listed.status, 200, listed.body);
});

test('TRACE (a method the Fetch API cannot carry) is a 405 with allow, and the connection stays usable', async () => {
  const agent = keepAliveAgent();
  for (const path of ['/tasks', '/messages']) {
    const traced = await send(agent, 'TRACE', path, { headers: { authorization: 'Bearer alice' } });
    assert.equal(traced.status, 405);
    assert.equal(traced.headers.allow, 'GET, POST');
    assert.match(traced.headers['content-type'] ?? '', /^application\/json/);
    const { error } = JSON.parse(traced.body) as { error: { status: number; message: string } };
    assert.equal(error.status, 405);
    assert.equal(error.message, 'TRACE is not allowed; use GET or POST.');
  }
  const listed = await send(agent, 'GET', '/tasks', { headers: { authorization: 'Bearer alice' } });
  assert.equal(listed.status, 200);
});
