// The WebSocket session engine against the mock on loopback: queueing, one turn at a time,
// state events, close(), aborts, timeouts, auth failures (close 1008, error frames, handshakes
// refused before accept), reconnects — and each failure mode seen in the official SDK 2.0.0.
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { test } from 'node:test';
import WebSocket from 'ws';
import {
  APIConnectionError,
  APITimeoutError,
  APIUserAbortError,
  AuthenticationError,
  type Logger,
  SessionClosedError,
} from '../../src/index.node.ts';
import { clientFor, mockServer, rejection, TEST_KEY } from '../fixtures/mock.ts';

const mock = await mockServer({ reply: ({ text }) => ({ text: `Answer to ${text}.` }) });
const fast = { reconnect: { minDelay: 10, maxDelay: 40, maxRetries: 4 }, recoveryTimeout: 1500 };
const logLines: string[] = [];
const logger: Logger = {
  debug: (...a) => logLines.push(a.map(String).join(' ')),
  info: (...a) => logLines.push(a.map(String).join(' ')),
  warn: (...a) => logLines.push(a.map(String).join(' ')),
  error: (...a) => logLines.push(a.map(String).join(' ')),
};
const aui = clientFor(mock, { session: fast, logger, logLevel: 'debug' });
const task = await aui.tasks.create({ user_id: 'sessions' });
const upgrades = () => mock.requests.filter((r) => r.method === 'WS').length;
const sent = (text: string) =>
  mock.sockets.messages.filter((m) => (m as { text?: string }).text === text).length;

test('a session carries turns one at a time on one socket, in order; state goes connecting → open → closed', async () => {
  const session = aui.session();
  const states: string[] = [session.state];
  session.on('state', ({ previous, current }) => {
    assert.equal(previous, states.at(-1));
    states.push(current);
  });
  const opened = mock.sockets.opened;
  const turns = ['one', 'two', 'three'].map((text) => session.stream({ task_id: task.id, text }));
  const texts = await Promise.all(turns.map((t) => t.finalText()));
  assert.deepEqual(texts, ['Answer to one.', 'Answer to two.', 'Answer to three.']);
  assert.equal(mock.sockets.opened - opened, 1, 'one socket for all turns');
  const order = mock.sockets.messages.slice(-3).map((m) => (m as { text: string }).text);
  assert.deepEqual(order, ['one', 'two', 'three']);
  await session.close();
  assert.deepEqual(states, ['connecting', 'open', 'closed']);
  assert.equal(session.state, 'closed');
});

test('concurrent messages.stream turns on two tasks run on independent sockets', async () => {
  const other = await aui.tasks.create({ user_id: 'sessions' });
  const opened = mock.sockets.opened;
  const [a, b] = await Promise.all([
    aui.messages.stream({ task_id: task.id, text: 'left' }).finalText(),
    aui.messages.stream({ task_id: other.id, text: 'right' }).finalText(),
  ]);
  assert.deepEqual([a, b], ['Answer to left.', 'Answer to right.']);
  assert.equal(mock.sockets.opened - opened, 2);
});

test("the socket uses the client's key: query string always, header from the Node ws fallback", async () => {
  await aui.messages.stream({ task_id: task.id, text: 'keyed' }).finalText();
  const upgrade = mock.requests.filter((r) => r.method === 'WS').at(-1)!;
  assert.equal(upgrade.query.network_api_key, TEST_KEY);
  assert.equal(upgrade.headers['x-network-api-key'], TEST_KEY);
});

test('a user-supplied WebSocket constructor gets the URL only, never an options object', async () => {
  const calls: unknown[][] = [];
  class Recording extends WebSocket {
    constructor(...args: unknown[]) {
      calls.push(args);
      super(args[0] as string);
    }
  }
  const custom = clientFor(mock, { WebSocket: Recording });
  assert.equal(
    await custom.messages.stream({ task_id: task.id, text: 'custom' }).finalText(),
    'Answer to custom.',
  );
  assert.equal(calls.length, 1);
  assert.equal(calls[0]!.length, 1);
  assert.match(String(calls[0]![0]), /network_api_key=/);
});

test('close(): the turn in flight finishes, queued turns reject with SessionClosedError', async () => {
  mock.setOptions({ frameDelayMs: 5 });
  const session = aui.session();
  const inFlight = session.stream({ task_id: task.id, text: 'finishing' });
  const queued = rejection(session.stream({ task_id: task.id, text: 'never sent' }).finalMessage());
  await new Promise<void>((resolve) => inFlight.once('text', () => resolve()));
  const closing = session.close();
  assert.equal(await inFlight.finalText(), 'Answer to finishing.');
  const error = await queued;
  assert.ok(error instanceof SessionClosedError);
  assert.equal(error.delivered, false);
  await closing;
  assert.ok(
    (await rejection(session.stream({ task_id: task.id, text: 'late' }).finalMessage())) instanceof
      SessionClosedError,
  );
  assert.equal(sent('never sent'), 0);
  mock.setOptions({ frameDelayMs: 0 });
});

test('a turn that would overflow maxQueueBytes is rejected, not sent', async () => {
  const session = aui.session({ maxQueueBytes: 200 });
  try {
    const error = await rejection(session.stream({ task_id: task.id, text: 'x'.repeat(300) }).finalMessage());
    assert.ok(error instanceof APIConnectionError);
    assert.match(error.message, /maxQueueBytes/);
    assert.equal(error.delivered, false);
    assert.equal(await session.stream({ task_id: task.id, text: 'small' }).finalText(), 'Answer to small.');
  } finally {
    await session.close();
  }
});

test("abort closes that turn's socket; the session reconnects for the next turn", async () => {
  mock.setOptions({ frameDelayMs: 30 });
  const session = aui.session();
  try {
    const opened = mock.sockets.opened;
    const doomed = session.stream({ task_id: task.id, text: 'doomed long question here' });
    await new Promise<void>((resolve) => doomed.once('text', () => resolve()));
    doomed.abort();
    assert.ok((await rejection(doomed.finalMessage())) instanceof APIUserAbortError);
    mock.setOptions({ frameDelayMs: 0 });
    assert.equal(await session.stream({ task_id: task.id, text: 'after' }).finalText(), 'Answer to after.');
    assert.equal(
      mock.sockets.opened - opened,
      2,
      "the aborted turn's socket was closed and a new one opened",
    );
  } finally {
    mock.setOptions({ frameDelayMs: 0 });
    await session.close();
  }
});

test('an AbortSignal aborts a turn; a per-turn timeout fails it with APITimeoutError', async () => {
  mock.setOptions({ frameDelayMs: 50 });
  try {
    const controller = new AbortController();
    const aborted = aui.messages.stream({ task_id: task.id, text: 'signal' }, { signal: controller.signal });
    setTimeout(() => controller.abort(), 80);
    assert.ok((await rejection(aborted.finalMessage())) instanceof APIUserAbortError);
    const slow = await rejection(
      aui.messages.stream({ task_id: task.id, text: 'slow one' }, { timeout: 120 }).finalMessage(),
    );
    assert.ok(slow instanceof APITimeoutError);
    assert.equal(slow.delivered, true, 'frames had arrived: AUI had the message');
  } finally {
    mock.setOptions({ frameDelayMs: 0 });
  }
});

test('idle timeout: a silent socket is closed and the turn is recovered from history', async () => {
  const idle = clientFor(mock, { session: { ...fast, idleTimeout: 150 } });
  const quiet = await idle.tasks.create({ user_id: 'sessions' });
  mock.failTurn({ kind: 'slow', frameDelayMs: 400 });
  const message = await idle.messages.stream({ task_id: quiet.id, text: 'quiet' }).finalMessage();
  assert.equal(message.text, 'Answer to quiet.');
  assert.equal(sent('quiet'), 1);
});

test('official-SDK failure: a bad key (1008) must not reconnect forever → one refresh, then AuthenticationError', async () => {
  let refreshes = 0;
  const bad = clientFor(mock, {
    session: fast,
    apiKey: ({ forceRefresh }) => ((refreshes += forceRefresh ? 1 : 0), 'API_KEY_wrong'),
  });
  const before = upgrades();
  const error = await rejection(bad.messages.stream({ task_id: task.id, text: 'locked out' }).finalMessage());
  assert.ok(error instanceof AuthenticationError, String(error));
  assert.equal(upgrades() - before, 2, 'exactly one reconnect, with a refreshed key');
  assert.ok(refreshes >= 1);
  const session = bad.session();
  await rejection(session.stream({ task_id: task.id, text: 'locked out' }).finalMessage());
  assert.equal(session.state, 'closed');
  await session.close(); // resolves at once on a session a failure already closed
});

test('the watermark read refused for the key (401 after the refresh) → AuthenticationError, the message never sent', async () => {
  // Whichever of the REST refusal and the socket's 1008 comes first, the caller learns of the key
  // (a browser often has the REST answer first: the turn must not go out without a watermark).
  const fresh = await aui.tasks.create({ user_id: 'sessions' });
  mock.failRest({
    match: `GET /tasks/${fresh.id}/messages`,
    status: 401,
    body: { detail: 'Not authenticated' },
    times: 2,
  });
  const error = await rejection(
    aui.messages.stream({ task_id: fresh.id, text: 'refused first' }).finalMessage(),
  );
  assert.ok(error instanceof AuthenticationError, String(error));
  assert.equal(error.delivered, false);
  assert.match(error.message, /^messages\.stream: the key was refused, so the message was not sent: 401 /);
  assert.equal(sent('refused first'), 0);
});

test('close 1008 → the key provider is asked with forceRefresh → the turn succeeds on the new key', async () => {
  const rotating = clientFor(mock, {
    session: fast,
    apiKey: ({ forceRefresh }) => (forceRefresh ? 'API_KEY_new' : 'API_KEY_old'),
  });
  mock.setApiKey([TEST_KEY, 'API_KEY_new']);
  try {
    assert.equal(
      await rotating.messages.stream({ task_id: task.id, text: 'rotated' }).finalText(),
      'Answer to rotated.',
    );
    const last = mock.requests.filter((r) => r.method === 'WS').at(-1)!;
    assert.equal(last.query.network_api_key, 'API_KEY_new');
  } finally {
    mock.setApiKey(TEST_KEY);
  }
});

test('an auth error frame (401) on a sent message → refresh, reconnect, and a resend only once history proves it never arrived', async () => {
  // Recovery needs two empty reads 2 s apart before it may resend (never a blind resend).
  const patient = clientFor(mock, { session: { ...fast, recoveryTimeout: 5000 } });
  // A turn first, so this client has seen the server store user messages.
  await patient.messages.stream({ task_id: task.id, text: 'before reauth' }).finalText();
  mock.failTurn({
    kind: 'error-frame',
    recordUser: false,
    error: { status_code: 401, description: 'Authentication failed', message: 'Invalid API key' },
  });
  assert.equal(
    await patient.messages.stream({ task_id: task.id, text: 'reauth' }).finalText(),
    'Answer to reauth.',
  );
  assert.equal(sent('reauth'), 2, 'refused once (not stored), then sent again and answered');
});

test('official-SDK failure: a refused handshake (HTTP 403 before accept) is retried, and the queued turn goes out once it opens', async () => {
  mock.setOptions({ handshake: 'reject-403' });
  const session = aui.session({ reconnect: { minDelay: 20, maxDelay: 60, maxRetries: 20 } });
  try {
    const states: string[] = [];
    session.on('state', ({ current, retryIn }) =>
      states.push(retryIn === undefined ? current : `${current}(${retryIn})`),
    );
    const turn = session.stream({ task_id: task.id, text: 'patient' }); // queued while disconnected
    await new Promise((resolve) => setTimeout(resolve, 250));
    assert.ok(states.filter((s) => s.startsWith('reconnecting')).length >= 2, states.join(' '));
    mock.setOptions({ handshake: 'accept' });
    assert.equal(await turn.finalText(), 'Answer to patient.');
    assert.equal(sent('patient'), 1);
    const probes = mock.requests.filter(
      (r) => r.method === 'GET' && r.path.endsWith(`/tasks/${task.id}/messages`),
    );
    assert.ok(probes.length >= 2, 'watermark read plus at least one REST probe');
  } finally {
    mock.setOptions({ handshake: 'accept' });
    await session.close();
  }
});

test('a user-supplied ws constructor survives refused handshakes (ws throws error events nobody listens to)', async () => {
  mock.setOptions({ handshake: 'reject-403' });
  const custom = clientFor(mock, { WebSocket, session: fast });
  const own = await custom.tasks.create({ user_id: 'sessions' }); // its own task: the shared one's history stays this file's
  const session = custom.session({ reconnect: { minDelay: 20, maxDelay: 60, maxRetries: 20 } });
  try {
    const turn = session.stream({ task_id: own.id, text: 'own ws' });
    await new Promise((resolve) => setTimeout(resolve, 200)); // several refused handshakes
    mock.setOptions({ handshake: 'accept' });
    assert.equal(await turn.finalText(), 'Answer to own ws.');
  } finally {
    mock.setOptions({ handshake: 'accept' });
    await session.close();
  }
});

test('handshakes that never open and a REST probe answering 401 → AuthenticationError, session closed', async () => {
  mock.setOptions({ handshake: 'reject-403' });
  const locked = clientFor(mock, { session: fast, apiKey: 'API_KEY_revoked' });
  try {
    const session = locked.session();
    const error = await rejection(session.stream({ task_id: task.id, text: 'revoked' }).finalMessage());
    assert.ok(error instanceof AuthenticationError, String(error));
    assert.equal(error.delivered, false);
    assert.equal(session.state, 'closed');
  } finally {
    mock.setOptions({ handshake: 'accept' });
  }
});

test('official-SDK failure: a server that hangs up during the handshake is retried until maxRetries → APIConnectionError', async () => {
  const sockets = new Set<Socket>();
  const hangUp = createServer((socket) => {
    sockets.add(socket);
    socket.once('data', () => socket.destroy());
  });
  await new Promise<void>((resolve) => hangUp.listen(0, '127.0.0.1', resolve));
  const port = (hangUp.address() as { port: number }).port;
  try {
    const client = clientFor(mock, {
      wsUrl: `ws://127.0.0.1:${port}/session`,
      session: { reconnect: { minDelay: 5, maxDelay: 20, maxRetries: 3 } },
    });
    const session = client.session();
    const reconnects: number[] = [];
    session.on(
      'state',
      ({ current, retryIn }) => current === 'reconnecting' && reconnects.push(retryIn ?? -1),
    );
    const error = await rejection(session.stream({ task_id: task.id, text: 'nobody home' }).finalMessage());
    assert.ok(error instanceof APIConnectionError, String(error));
    assert.match(
      error.message,
      /^session: could not connect to 127\.0\.0\.1:\d+ after 3 attempts \(ECONNRESET\)\.$/,
    );
    assert.equal(error.delivered, false);
    assert.equal(reconnects.length, 3);
    assert.ok(
      reconnects.every((ms) => ms >= 0 && ms <= 20),
      'full jitter within the cap',
    );
  } finally {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => hangUp.close(resolve));
  }
});

test('a handshake that hangs past connectTimeout counts as a failed handshake', async () => {
  const held = new Set<Socket>();
  const silent = createServer((socket) => held.add(socket));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const port = (silent.address() as { port: number }).port;
  try {
    const client = clientFor(mock, {
      wsUrl: `ws://127.0.0.1:${port}/session`,
      session: { connectTimeout: 80, reconnect: { minDelay: 5, maxDelay: 10, maxRetries: 1 } },
    });
    const started = Date.now();
    const error = await rejection(client.messages.stream({ task_id: task.id, text: 'hung' }).finalMessage());
    assert.ok(error instanceof APIConnectionError);
    assert.ok(Date.now() - started < 2000);
  } finally {
    for (const socket of held) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  }
});

test('official-SDK failure: an in-flight turn is not lost when the socket drops', async () => {
  mock.failTurn({ kind: 'drop', afterFrames: 1, recordReply: 'now' });
  assert.equal(
    await aui.messages.stream({ task_id: task.id, text: 'survivor' }).finalText(),
    'Answer to survivor.',
  );
});

test('official-SDK failure: the key-bearing socket URL never reaches a log line', () => {
  assert.ok(logLines.length > 20, 'debug logging was on for this file');
  for (const line of logLines) {
    assert.ok(!line.includes(TEST_KEY), line);
    assert.ok(!/network_api_key=(?!\[redacted\])/.test(line), line);
    assert.ok(!line.includes('API_KEY_'), line);
  }
});
