// A hostile AUI: the defects a 2,000-turn soak against random drops, 1011s, closes after
// answers, repeated finals and stray error frames found in the session engine, each reproduced
// against the package's mock on loopback.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AuthenticationError, BadRequestError, TurnInterruptedError } from '../../src/index.node.ts';
import { clientFor, mockServer, rejection } from '../fixtures/mock.ts';

const mock = await mockServer({ reply: ({ text }) => ({ text: `Answer to ${text}.` }) });
const fast = { reconnect: { minDelay: 5, maxDelay: 20, maxRetries: 4 }, recoveryTimeout: 3000 };
const aui = clientFor(mock, { session: fast });
const received = (task_id: string, text: string) =>
  mock.history(task_id).filter((m: any) => m.sender.type === 'user' && m.text === text).length;

/** JSON nested `depth` levels deep, `{"a":{"a":…}}`, written by hand: JSON.stringify cannot go that deep. */
const deepJson = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

test('an error frame nested 5,000 levels deep fails that turn with a typed error; the next turn works', async () => {
  const task = await aui.tasks.create({ user_id: 'hostile' });
  const frame = `{"status_code":400,"description":"Deep","message":"too deep","extra_data":${deepJson(5000)}}`;
  mock.failTurn({ kind: 'raw-frame', frame, code: 1008 });
  const stream = aui.messages.stream({ task_id: task.id, text: 'deep' });
  const error = await rejection(stream.finalMessage());
  assert.ok(error instanceof BadRequestError, `${error?.name}: ${error?.message}`);
  assert.equal(error.status, 400);
  assert.equal(error.delivered, false);
  JSON.stringify(error); // and it can be logged
  assert.equal(
    await aui.messages.stream({ task_id: task.id, text: 'after' }).finalText(),
    'Answer to after.',
  );
});

test('a repeated final frame belongs to no turn: queued turns each get their own answer', async () => {
  const task = await aui.tasks.create({ user_id: 'hostile' });
  const session = aui.session();
  try {
    mock.failTurn({ kind: 'repeat-final' });
    const texts = ['q1', 'q2', 'q3'];
    const answers = await Promise.all(
      texts.map((text) => session.stream({ task_id: task.id, text }).finalText()),
    );
    assert.deepEqual(answers, ['Answer to q1.', 'Answer to q2.', 'Answer to q3.']);
  } finally {
    await session.close();
  }
});

test('a stray error frame after a final does not fail the queued turn the server never received', async () => {
  const task = await aui.tasks.create({ user_id: 'hostile' });
  const session = aui.session();
  try {
    mock.failTurn({ kind: 'error-after-final', error: { status_code: 500 } });
    const [first, second] = ['s1', 's2'].map((text) => session.stream({ task_id: task.id, text }));
    assert.equal(await first!.finalText(), 'Answer to s1.');
    assert.equal(await second!.finalText(), 'Answer to s2.');
    assert.equal(received(task.id, 's2'), 1);
  } finally {
    await session.close();
  }
});

test('a server that closes 1000 after every answer never kills a healthy session (15 turns), and nothing is recovered', async () => {
  const task = await aui.tasks.create({ user_id: 'hostile' });
  const session = aui.session();
  const reads = () => mock.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/messages')).length;
  try {
    mock.failTurn({ kind: 'close-after-final', code: 1000, times: 15 });
    assert.equal(await session.stream({ task_id: task.id, text: 't1' }).finalText(), 'Answer to t1.');
    const before = reads(); // after the task's one watermark read
    for (let i = 2; i <= 15; i++) {
      assert.equal(await session.stream({ task_id: task.id, text: `t${i}` }).finalText(), `Answer to t${i}.`);
    }
    assert.notEqual(session.state, 'closed');
    assert.equal(reads() - before, 0, 'no turn needed recovery: none was handed to a closing socket');
    for (let i = 1; i <= 15; i++) assert.equal(received(task.id, `t${i}`), 1, `t${i} stored once`);
  } finally {
    await session.close();
  }
});

test('twelve "stop generating" aborts in a row do not use up the reconnect budget', async () => {
  const task = await aui.tasks.create({ user_id: 'hostile' });
  mock.setOptions({ frameDelayMs: 20 });
  const session = aui.session();
  try {
    for (let i = 0; i < 12; i++) {
      const stream = session.stream({ task_id: task.id, text: `stop ${i}` });
      await new Promise<void>((resolve) => stream.once('text', () => resolve()));
      stream.abort();
      const error = await rejection(stream.finalMessage());
      assert.equal(error.name, 'APIUserAbortError');
      assert.equal(error.delivered, true, 'a frame had arrived: AUI had the message');
    }
    mock.setOptions({ frameDelayMs: 0 });
    assert.equal(
      await session.stream({ task_id: task.id, text: 'still here' }).finalText(),
      'Answer to still here.',
    );
  } finally {
    mock.setOptions({ frameDelayMs: 0 });
    await session.close();
  }
});

test('a close 1008 after the message was stored is not blindly resent: recovery finds the reply, stored once', async () => {
  const task = await aui.tasks.create({ user_id: 'hostile' });
  await aui.messages.stream({ task_id: task.id, text: 'warm up' }).finalText();
  // The server stores the message, then rejects the key; the reply lands in history a moment later.
  mock.failTurn({ kind: 'auth-close', recordUser: true });
  mock.setReply(({ text }) => ({ text: `Answer to ${text}.` }));
  const stream = aui.messages.stream({ task_id: task.id, text: 'once only' });
  setTimeout(() => mock.addHistory(task.id, { role: 'agent', text: 'Answer to once only.' }), 300);
  assert.equal(await stream.finalText(), 'Answer to once only.');
  assert.equal(received(task.id, 'once only'), 1, 'the message was not sent a second time');
});

test('a 401 error frame after the message was stored is not blindly resent', async () => {
  const task = await aui.tasks.create({ user_id: 'hostile' });
  await aui.messages.stream({ task_id: task.id, text: 'warm up' }).finalText();
  mock.failTurn({
    kind: 'error-frame',
    recordUser: true,
    error: { status_code: 401, message: 'Invalid API key' },
  });
  const error = await rejection(
    aui.messages.stream({ task_id: task.id, text: 'stored then 401' }).finalMessage(),
  );
  assert.ok(error instanceof TurnInterruptedError, `${error?.name}: ${error?.message}`);
  assert.equal(error.delivered, true, 'history shows the message: it was delivered');
  assert.equal(received(task.id, 'stored then 401'), 1);
});

test('a second 401 error frame after the one refresh closes the session with AuthenticationError', async () => {
  const task = await aui.tasks.create({ user_id: 'hostile' });
  const session = aui.session();
  const error401 = { status_code: 401, message: 'Invalid API key' };
  mock.failTurn({ kind: 'error-frame', recordUser: false, afterFrames: 0, error: error401, times: 2 });
  const first = session.stream({ task_id: task.id, text: 'rejected' });
  const queued = session.stream({ task_id: task.id, text: 'queued behind' });
  // Both observed from the start: the queued turn fails together with the first one.
  const [error, queuedError] = await Promise.all([
    rejection(first.finalMessage()),
    rejection(queued.finalMessage()),
  ]);
  assert.ok(error instanceof AuthenticationError, String(error));
  assert.ok(queuedError instanceof AuthenticationError, String(queuedError));
  assert.equal(queuedError.delivered, false);
  assert.equal(session.state, 'closed');
  await session.close();
});
