// Recovery: no lost turn, no doubled turn. Each branch of the watermark rule (docs/streaming.md, "A dropped socket"),
// driven by the mock's socket faults on loopback: what reached AUI is read back from history.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Message, TurnInterruptedError } from '../../src/index.node.ts';
import { clientFor, mockServer } from '../fixtures/mock.ts';

const mock = await mockServer({ reply: { text: 'Here is the full answer you asked for.' } });
const session = { recoveryTimeout: 1500, reconnect: { minDelay: 20, maxDelay: 50 } };
const aui = clientFor(mock, { session });
// A resend needs two empty reads ≥ 2 s apart, so its recovery window must be longer than that.
const patient = clientFor(mock, { session: { ...session, recoveryTimeout: 4000 } });

/** Text events in order plus the outcome, with the invariant checked at the end. */
async function run(task_id: string, text: string, client = aui) {
  const stream = client.messages.stream({ task_id, text });
  let streamed = '';
  const kinds: string[] = [];
  stream.on('text', (delta) => ((streamed += delta), kinds.push('text')));
  stream.on('snapshot', (snapshot) => ((streamed = snapshot), kinds.push('snapshot')));
  stream.on('message', () => kinds.push('message'));
  const outcome = await stream.finalMessage().catch((error: unknown) => error);
  if (!(outcome instanceof Error))
    assert.equal(streamed, (outcome as Message).text, 'the stream ends equal to the final text');
  return { outcome: outcome as any, streamed, kinds };
}

const userTexts = (task_id: string) =>
  (mock.history(task_id) as Message[]).filter((m) => m.sender?.type === 'user').map((m) => m.text);
const sent = (text: string) =>
  mock.sockets.messages.filter((m) => (m as { text?: string }).text === text).length;

test('dropped after some frames, reply already in history → delivered from history, the missing text emitted', async () => {
  const task = await aui.tasks.create({ user_id: 'r1' });
  mock.failTurn({ kind: 'drop', afterFrames: 3, recordReply: 'now' });
  const { outcome, kinds } = await run(task.id, 'first');
  assert.equal(outcome.text, 'Here is the full answer you asked for.');
  const history = mock.history(task.id) as Message[];
  assert.equal(outcome.id, history.at(-1)!.id, 'the history entry is the final message');
  assert.deepEqual(kinds.slice(-2), ['text', 'message'], 'missing text arrives as a delta, then message');
  assert.equal(sent('first'), 1, 'never resent once a frame arrived');
});

test('closed 1011 mid-turn, reply recorded later → recovery polls until it appears', async () => {
  const task = await aui.tasks.create({ user_id: 'r2' });
  mock.failTurn({ kind: 'close', code: 1011, afterFrames: 2, recordReply: 'later', laterMs: 600 });
  const { outcome } = await run(task.id, 'second');
  assert.equal(outcome.text, 'Here is the full answer you asked for.');
  assert.equal(sent('second'), 1);
});

test('our user entry but no reply within recoveryTimeout → TurnInterruptedError { delivered: true }', async () => {
  const task = await aui.tasks.create({ user_id: 'r3' });
  mock.failTurn({ kind: 'drop', afterFrames: 2, recordReply: 'never' });
  const { outcome } = await run(task.id, 'third');
  assert.ok(outcome instanceof TurnInterruptedError);
  assert.equal(outcome.delivered, true);
  assert.equal(outcome.task_id, task.id);
  assert.ok(outcome.partialText.length > 0, 'partialText holds what streamed');
  assert.equal(sent('third'), 1);
});

test('no frame, no user entry on two reads ≥ 2 s apart, server known to store user messages → resent once', async () => {
  const task = await patient.tasks.create({ user_id: 'r4' });
  await patient.messages.send({ task_id: task.id, text: 'warm up' }); // history now shows a stored user entry
  mock.failTurn({ kind: 'drop', afterFrames: 0, recordUser: false, recordReply: 'never' });
  const started = Date.now();
  const { outcome } = await run(task.id, 'fourth', patient);
  assert.equal(outcome.text, 'Here is the full answer you asked for.');
  assert.ok(Date.now() - started >= 2000, 'two reads at least 2 s apart before resending');
  assert.equal(sent('fourth'), 2, 'sent, lost, resent once');
  assert.deepEqual(userTexts(task.id), ['warm up', 'fourth'], 'one user entry: not doubled');
});

test('a resent message lost again is not sent a third time → delivered: unknown', async () => {
  const task = await patient.tasks.create({ user_id: 'r5' });
  await patient.messages.send({ task_id: task.id, text: 'warm up' });
  mock.failTurn({ kind: 'drop', afterFrames: 0, recordUser: false, times: 2 });
  const { outcome } = await run(task.id, 'fifth', patient);
  assert.ok(outcome instanceof TurnInterruptedError);
  assert.equal(outcome.delivered, 'unknown');
  assert.equal(sent('fifth'), 2);
});

test('no frame and no user entry, but this client never saw user messages stored → unknown, not resent', async () => {
  // A new client: it has not seen this server store user entries.
  const fresh = clientFor(mock, { session: { ...session, recoveryTimeout: 4000 } });
  const task = await fresh.tasks.create({ user_id: 'r6' });
  mock.failTurn({ kind: 'drop', afterFrames: 0, recordUser: false });
  const { outcome } = await run(task.id, 'sixth', fresh);
  assert.ok(outcome instanceof TurnInterruptedError);
  assert.equal(outcome.delivered, 'unknown');
  assert.equal(sent('sixth'), 1);
});

test('no frame but the user entry and reply are in history → delivered, not resent', async () => {
  const task = await aui.tasks.create({ user_id: 'r7' });
  mock.failTurn({ kind: 'drop', afterFrames: 0, recordUser: true, recordReply: 'now' });
  const { outcome } = await run(task.id, 'seventh');
  assert.equal(outcome.text, 'Here is the full answer you asked for.');
  assert.equal(sent('seventh'), 1);
  assert.deepEqual(userTexts(task.id), ['seventh']);
});

test('the same text twice in a row: the watermark tells the second turn from the first', async () => {
  const task = await aui.tasks.create({ user_id: 'r8' });
  mock.setReply(({ turn }) => ({ text: `Reply number ${turn}.` }));
  try {
    const first = await run(task.id, 'yes');
    assert.equal(first.outcome.text, 'Reply number 1.');
    mock.failTurn({ kind: 'drop', afterFrames: 1, recordReply: 'now' });
    const second = await run(task.id, 'yes');
    assert.equal(second.outcome.text, 'Reply number 2.', "not the first turn's reply");
    assert.deepEqual(userTexts(task.id), ['yes', 'yes']);
  } finally {
    mock.setReply({ text: 'Here is the full answer you asked for.' });
  }
});

test('history that lags: entries appear after the first recovery read → still delivered', async () => {
  const task = await aui.tasks.create({ user_id: 'r9' });
  mock.failTurn({ kind: 'drop', afterFrames: 2, recordUser: false, recordReply: 'never' });
  setTimeout(() => {
    mock.addHistory(task.id, { role: 'user', text: 'ninth' });
    mock.addHistory(task.id, { role: 'agent', text: 'Here is the full answer you asked for.' });
  }, 400);
  const { outcome } = await run(task.id, 'ninth');
  assert.equal(outcome.text, 'Here is the full answer you asked for.');
  assert.equal(sent('ninth'), 1);
});

test('history that is ambiguous (someone else wrote to the task) → delivered: unknown, never a guess', async () => {
  const task = await aui.tasks.create({ user_id: 'r10' });
  mock.failTurn({ kind: 'drop', afterFrames: 1, recordUser: true, recordReply: 'never' });
  setTimeout(() => mock.addHistory(task.id, { role: 'user', text: 'another tab' }), 100);
  const { outcome } = await run(task.id, 'tenth');
  assert.ok(outcome instanceof TurnInterruptedError);
  assert.equal(outcome.delivered, true, 'a frame arrived, so AUI had it');
});

test('a drop on a long-lived session: recovered from history, the session reconnects, the next turn works', async () => {
  const s = aui.session(session);
  const task = await aui.tasks.create({ user_id: 'r11' });
  try {
    mock.failTurn({ kind: 'drop', afterFrames: 2, recordReply: 'now' });
    const states: string[] = [];
    s.on('state', ({ current }) => states.push(current));
    const lost = s.stream({ task_id: task.id, text: 'eleventh' });
    const next = s.stream({ task_id: task.id, text: 'twelfth' });
    assert.equal((await lost.finalMessage()).text, 'Here is the full answer you asked for.');
    assert.equal((await next.finalMessage()).text, 'Here is the full answer you asked for.');
    assert.ok(states.includes('reconnecting') && states.at(-1) === 'open', states.join(' → '));
    assert.deepEqual(userTexts(task.id), ['eleventh', 'twelfth'], 'in order, once each');
  } finally {
    await s.close();
  }
});

test('recovery gives up after recoveryTimeout even while history keeps failing', async () => {
  const task = await aui.tasks.create({ user_id: 'r12' });
  mock.failTurn({ kind: 'drop', afterFrames: 1 });
  mock.failRest({ match: 'GET /tasks/*/messages', status: 500, headers: { 'retry-after': '0' }, times: 100 });
  try {
    const started = Date.now();
    const { outcome } = await run(task.id, 'twelve');
    assert.ok(outcome instanceof TurnInterruptedError);
    assert.equal(outcome.delivered, true);
    assert.ok(Date.now() - started < 5000);
  } finally {
    mock.reset();
  }
});
