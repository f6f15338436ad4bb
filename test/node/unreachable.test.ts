// AUI unreachable. A one-shot streamed turn to a refused port fails at once, like a REST
// call does, naming the host and the cause (never the key-bearing URL); a long-lived session keeps
// reconnecting, and its state events and final error say the host and the last cause.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { APIConnectionError, APITimeoutError, APIUserAbortError, AuiClient } from '../../src/index.node.ts';
import { clientFor, mockServer, rejection, TEST_KEY } from '../fixtures/mock.ts';

/** A loopback port nothing listens on: bound once, then closed. */
async function refusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const port = await refusedPort();
const host = `127.0.0.1:${port}`;
const unreachable = new AuiClient({
  apiKey: TEST_KEY,
  baseUrl: `http://${host}/api/ia-controller`,
  logLevel: 'off',
});

test('a one-shot turn to a refused port fails at once with APIConnectionError naming the host and cause', async () => {
  const started = performance.now();
  const error = await rejection(
    unreachable.messages.stream({ task_id: 'task-1', text: 'hello?' }).finalMessage(),
  );
  const elapsed = performance.now() - started;
  assert.ok(error instanceof APIConnectionError, `${error?.name}: ${error?.message}`);
  assert.equal(error.delivered, false);
  assert.match(error.message, new RegExp(`^messages\\.stream: .*${host.replace('.', '\\.')}.*ECONNREFUSED`));
  assert.doesNotMatch(error.message, /network_api_key|API_KEY_|ws:\/\//);
  // Bounded, not timed: well inside one connectTimeout (10 s), where it used to take ~46 s.
  assert.ok(elapsed < 5_000, `failed after ${Math.round(elapsed)} ms`);
});

test('a long-lived session to a refused port says the host and cause in its state events and its final error', async () => {
  const session = unreachable.session({ reconnect: { maxRetries: 3, minDelay: 5, maxDelay: 20 } });
  const reasons: string[] = [];
  session.on('state', ({ current, reason }) => {
    if (current === 'reconnecting' && reason) reasons.push(reason);
  });
  const error = await rejection(session.stream({ task_id: 'task-1', text: 'anyone?' }).finalMessage());
  assert.ok(error instanceof APIConnectionError, String(error));
  assert.equal(error.delivered, false);
  assert.match(
    error.message,
    new RegExp(
      `^session: could not connect to ${host.replace('.', '\\.')} after 3 attempts \\(ECONNREFUSED\\)\\.$`,
    ),
  );
  assert.ok(reasons.length > 0);
  for (const reason of reasons) assert.match(reason, new RegExp(`${host.replace('.', '\\.')}.*ECONNREFUSED`));
  assert.equal(session.state, 'closed');
});

test('AbortSignal.timeout() as a turn signal is an APITimeoutError; every error of a turn says delivered', async () => {
  const mock = await mockServer({ frameDelayMs: 30 });
  const aui = clientFor(mock);
  const task = await aui.tasks.create({ user_id: 'unreachable' });
  const timedOut = await rejection(
    aui.messages
      .stream({ task_id: task.id, text: 'slow' }, { signal: AbortSignal.timeout(50) })
      .finalMessage(),
  );
  assert.ok(timedOut instanceof APITimeoutError, `${timedOut?.name}: ${timedOut?.message}`);
  assert.notEqual(timedOut.delivered, undefined);
  const controller = new AbortController();
  const stream = aui.messages.stream({ task_id: task.id, text: 'stop' }, { signal: controller.signal });
  controller.abort();
  const aborted = await rejection(stream.finalMessage());
  assert.ok(aborted instanceof APIUserAbortError);
  assert.equal(aborted.delivered, false, 'aborted while still queued: never sent');
  const late = aui.messages.stream({ task_id: task.id, text: 'stop later' });
  await new Promise<void>((resolve) => late.once('text', () => resolve()));
  late.abort();
  assert.equal((await rejection(late.finalMessage())).delivered, true, 'a frame had arrived');
});
