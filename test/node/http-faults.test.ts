// The REST transport against a hostile or broken server, over real HTTP on loopback: a key
// provider that fails before anything is sent, a signal that times out, error bodies nested
// thousands of levels deep, 200 replies that cannot be read, and Retry-After garbage.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  APIError,
  APITimeoutError,
  APIUserAbortError,
  AuiClient,
  AuiError,
  BadRequestError,
  envKey,
  InternalServerError,
  InvalidRequestError,
  ResponseValidationError,
  type Logger,
} from '../../src/index.node.ts';
import { errorFromFrame } from '../../src/errors/map.ts';
import { parseRetryAfter } from '../../src/http/retry.ts';
import { serveOnLoopback } from '../fixtures/http.ts';
import { clientFor, mockServer, rejection, TEST_KEY } from '../fixtures/mock.ts';

const mock = await mockServer();
const aui = clientFor(mock);
const task = await aui.tasks.create({ user_id: 'faults' });
const since = (start: number) => mock.requests.slice(start);

/** `{"a":{"a":…1…}}`, `depth` levels deep, as JSON text (JSON.stringify itself overflows on it). */
function deepJson(depth: number, leaf = '1'): string {
  return '{"a":'.repeat(depth) + leaf + '}'.repeat(depth);
}

function recordingLogger(lines: string[]): Logger {
  const push = (...args: unknown[]) => lines.push(args.map(String).join(' '));
  return { debug: push, info: push, warn: push, error: push };
}

test('a KeyProvider that throws during messages.send: delivered false, and not one request sent', async () => {
  const start = mock.requests.length;
  const failing = clientFor(mock, {
    apiKey: {
      getKey: () => {
        throw new Error('vault unreachable');
      },
    },
  });
  const error = await rejection(failing.messages.send({ task_id: task.id, text: 'hi' }));
  assert.ok(error instanceof AuiError, String(error));
  assert.equal(error.delivered, false);
  assert.equal(error.message, 'messages.send: your KeyProvider failed to give a key: vault unreachable.');
  assert.equal(since(start).length, 0, 'no request reached the server');

  // The provider's own AuiError (here: no key in the environment) is final and says so too.
  const unset = clientFor(mock, { apiKey: envKey('AUI_TEST_UNSET_VARIABLE') });
  const noKey = await rejection(unset.messages.send({ task_id: task.id, text: 'x' }));
  assert.ok(noKey instanceof InvalidRequestError);
  assert.equal(noKey.delivered, false);
  assert.equal(since(start).length, 0);
});

test('AbortSignal.timeout as the signal is an APITimeoutError, not a user abort', async () => {
  // A task of its own: if the aborted request never reaches the mock, the delay fault stays queued,
  // and only this task's requests can take it.
  const slow = await aui.tasks.create({ user_id: 'faults' });
  mock.failRest({ match: `GET /tasks/${slow.id}`, delayMs: 1_000 });
  const error = await rejection(aui.tasks.get(slow.id, { signal: AbortSignal.timeout(50) }));
  assert.ok(error instanceof APITimeoutError, String(error));
  assert.ok(!(error instanceof APIUserAbortError));
  assert.equal(error.message, 'tasks.get: the signal timed out.');

  // A signal that timed out before the call: the same, and nothing is sent.
  const gone = AbortSignal.timeout(1);
  await new Promise((resolve) => setTimeout(resolve, 20));
  const start = mock.requests.length;
  assert.ok((await rejection(aui.tasks.get(task.id, { signal: gone }))) instanceof APITimeoutError);
  assert.equal(since(start).length, 0);

  // A timed-out signal during messages.send: the request was out, so it may have been delivered.
  mock.failRest({ match: 'POST /message', delayMs: 1_000, passThrough: true });
  const send = await rejection(
    aui.messages.send({ task_id: task.id, text: 'slow' }, { signal: AbortSignal.timeout(50) }),
  );
  assert.ok(send instanceof APITimeoutError);
  assert.equal(send.delivered, 'unknown');
});

test('an error body nested 5,000 levels deep is a typed APIError with its status, not a RangeError', async () => {
  const body = deepJson(5_000);
  assert.ok(body.length > 29_000);
  mock.failRest({ match: 'POST /message', status: 400, body, contentType: 'application/json' });
  const refused = await rejection(aui.messages.send({ task_id: task.id, text: 'deep' }));
  assert.ok(refused instanceof BadRequestError, String(refused));
  assert.equal(refused.status, 400);
  assert.equal(refused.delivered, false);
  assert.ok(refused.message.length < 400, 'the summary is capped');
  assert.match(JSON.stringify(refused), /nested deeper than 32 levels/);

  mock.failRest({ match: 'POST /message', status: 500, body, contentType: 'application/json' });
  const failed = await rejection(aui.messages.send({ task_id: task.id, text: 'deep' }));
  assert.ok(failed instanceof InternalServerError, String(failed));
  assert.equal(failed.delivered, 'unknown');

  mock.failRest({ match: 'GET /tasks/*', status: 422, body: `{"detail":${deepJson(5_000, '[]')}}` });
  assert.ok((await rejection(aui.tasks.get(task.id))) instanceof APIError);
});

test('errorFromFrame never throws: a 5,000-deep extra_data, and any JSON value as the frame', () => {
  const frame: unknown = JSON.parse(
    `{"status_code":400,"description":"d","message":"m","extra_data":${deepJson(5_000)}}`,
  );
  const error = errorFromFrame(frame);
  assert.ok(error instanceof BadRequestError);
  assert.equal(error.message, '400 d: m');
  assert.doesNotThrow(() => JSON.stringify(error));
  for (const value of [null, 7, 'text', [], [1, [2]], {}, { status_code: 'x' }, { status_code: 1e9 }]) {
    const odd = errorFromFrame(value);
    assert.ok(odd instanceof APIError, JSON.stringify(value));
    assert.equal(odd.status, 500, JSON.stringify(value));
  }
  assert.equal(errorFromFrame({ status_code: 422, detail: deepJson(3) }).status, 422);
  const proto = errorFromFrame(JSON.parse('{"status_code":400,"__proto__":{"polluted":true}}'));
  assert.equal((proto as unknown as { polluted?: boolean }).polluted, undefined);
  assert.deepEqual(Object.keys(proto.body as object), ['status_code', '__proto__']);
});

test('messages.send answered 200 with a body that cannot be read was delivered: true', async () => {
  mock.failRest({ match: 'POST /message', status: 200, body: 'not json', contentType: 'text/plain' });
  const notJson = await rejection(aui.messages.send({ task_id: task.id, text: 'a' }));
  assert.ok(notJson instanceof ResponseValidationError);
  assert.equal(notJson.delivered, true);

  mock.failRest({ match: 'POST /message', status: 200, body: { id: 5 } });
  const wrongShape = await rejection(aui.messages.send({ task_id: task.id, text: 'b' }));
  assert.ok(wrongShape instanceof ResponseValidationError);
  assert.equal(wrongShape.delivered, true);

  // The body stream breaks after the 200 headers: a server the mock cannot imitate.
  let served = 0;
  const { origin } = await serveOnLoopback((_req, res) => {
    served++;
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': '500' });
    res.write('{"id":"m1","te');
    setTimeout(() => res.socket?.destroy(), 20);
  });
  const cut = new AuiClient({ apiKey: TEST_KEY, baseUrl: origin, logLevel: 'off' });
  const broken = await rejection(cut.messages.send({ task_id: 't', text: 'c' }));
  assert.ok(broken instanceof AuiError, String(broken));
  assert.equal(broken.delivered, true);
  assert.match(broken.message, /the connection broke while reading the body of a 200 reply/);
  assert.equal(served, 1, 'a delivered message is never sent again');

  // The same cut on a read is a network failure: retried.
  await rejection(cut.tasks.get('t1', { maxRetries: 1 }));
  assert.equal(served, 3);
});

test('Retry-After garbage ("2, 5", "1 2") is no hint: the wait is the jittered backoff', async () => {
  for (const garbage of ['2, 5', '1 2']) {
    const lines: string[] = [];
    const client = clientFor(mock, { logger: recordingLogger(lines), logLevel: 'info' });
    mock.failRest({ match: 'GET /tasks/*', status: 503, headers: { 'retry-after': garbage } });
    mock.failRest({ match: 'GET /tasks/*', status: 429, headers: { 'retry-after': garbage } });
    assert.equal((await client.tasks.get(task.id)).id, task.id);
    const retries = lines.filter((line) => / retry \d in /.test(line));
    assert.equal(retries.length, 2, lines.join('\n'));
    for (const line of retries) assert.match(line, /in \d+ ms \(backoff\) after/, line);

    // 429 garbage → no retryAfterMs on the error either.
    mock.failRest({ match: 'GET /tasks/*', status: 429, headers: { 'retry-after': garbage } });
    const limited = await rejection(client.tasks.get(task.id, { maxRetries: 0 }));
    assert.equal(limited.retryAfterMs, undefined);

    // messages.send is resent only on a readable Retry-After: garbage proves nothing.
    const start = mock.requests.length;
    mock.failRest({ match: 'POST /message', status: 503, headers: { 'retry-after': garbage } });
    const send = await rejection(client.messages.send({ task_id: task.id, text: 'once' }));
    assert.equal(send.delivered, 'unknown');
    assert.equal(since(start).length, 1);
  }

  const lines: string[] = [];
  mock.failRest({ match: 'GET /tasks/*', status: 503, headers: { 'retry-after': '0' } });
  await clientFor(mock, { logger: recordingLogger(lines), logLevel: 'info' }).tasks.get(task.id);
  assert.match(lines.find((line) => line.includes('retry 1')) ?? '', /retry 1 in 0 ms \(Retry-After\)/);
});

test('parseRetryAfter reads seconds and the three HTTP-date forms, and nothing else', () => {
  assert.equal(parseRetryAfter('7'), 7_000);
  assert.equal(parseRetryAfter(' 0.2 '), 200);
  const soon = new Date(Date.now() + 30_000);
  const imf = soon.toUTCString(); // "Sun, 06 Nov 1994 08:49:37 GMT"
  assert.ok(Math.abs(parseRetryAfter(imf)! - 30_000) < 2_000, imf);
  assert.equal(parseRetryAfter('Sun, 06 Nov 1994 08:49:37 GMT'), 0, 'a date in the past: go now');
  assert.equal(parseRetryAfter('Sunday, 06-Nov-94 08:49:37 GMT'), 0);
  assert.equal(parseRetryAfter('Sun Nov  6 08:49:37 1994'), 0);
  for (const garbage of ['2, 5', '1 2', '-1', 'soon', '1e3', 'Infinity', '', null, undefined]) {
    assert.equal(parseRetryAfter(garbage), undefined, String(garbage));
  }
});
