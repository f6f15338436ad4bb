// Found by the soak (bench/soak.ts, seed 42, session mode: session-42-254 resolved with another turn's
// reply). Recovery delivers "[our user entry, one agent entry] after the watermark" as the turn's reply
// — but when an EARLIER turn on the same task failed while its reply was still on its way (recovery
// gave up on it: TurnInterruptedError, delivered true), that late reply can land right after our user
// entry, and recovery hands it to this turn as its answer. The stream even corrects the text it had
// streamed ("Answer to c…") into the other turn's answer with a `snapshot` event.
// Sequence (one task): A dropped, its reply stored 600 ms later (after A's recovery gave up at 300 ms)
// → B completes (the watermark moves past A) → C dropped, its reply never stored → C's recovery reads
// [user C, agent "Answer to a."] and resolves C with A's answer.
// Possible fixes (the lead's call): the watermark store remembers that a turn on the task failed with
// its reply outstanding, and recovery then calls [ours, agent] ambiguous; and a recovered reply must
// continue the text that had already streamed for this turn.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type AuiClient, type Task, TurnInterruptedError } from '../../src/index.node.ts';
import { WatermarkStore } from '../../src/session/watermarks.ts';
import { clientFor, mockServer, rejection } from '../fixtures/mock.ts';

const mock = await mockServer({
  reply: ({ text }) => ({ text: `Answer to ${text}, in several words here.` }),
});
const aui = clientFor(mock, { session: { recoveryTimeout: 300, reconnect: { minDelay: 5, maxDelay: 20 } } });

test("a late reply to an earlier failed turn is never delivered as a later turn's answer", async () => {
  const task = await taskWhoseTurnAFailed(aui, 600);

  assert.equal(
    await aui.messages.stream({ task_id: task.id, text: 'b' }).finalText(),
    'Answer to b, in several words here.',
  );

  mock.failTurn({ kind: 'drop', afterFrames: 2, recordReply: 'never' });
  const c = aui.messages.stream({ task_id: task.id, text: 'c' });
  const outcome = await c.finalText().then(
    (text) => text,
    (error: unknown) => error,
  );
  // Today: 'Answer to a, in several words here.' — A's answer, as C's.
  assert.notEqual(outcome, 'Answer to a, in several words here.', "C resolved with A's answer");
  assert.ok(outcome instanceof TurnInterruptedError, `C: ${String(outcome)}`);
});

test("the reply to a turn the user stopped is never delivered as a later turn's answer", async () => {
  // Recovery here outlasts A's late reply, so C's recovery does read [C's message, A's reply].
  const aui = clientFor(mock, {
    session: { recoveryTimeout: 1500, reconnect: { minDelay: 5, maxDelay: 20 } },
  });
  const task = await aui.tasks.create({ user_id: 'found' });
  await aui.messages.stream({ task_id: task.id, text: 'warm up' }).finalText();

  // A: stopped after its first frame; the server finishes its run and stores the reply ~400 ms later.
  mock.failTurn({ kind: 'slow', frameDelayMs: 400 });
  const a = aui.messages.stream({ task_id: task.id, text: 'a' });
  await new Promise<void>((resolve) => a.once('text', () => resolve()));
  a.abort();
  assert.equal((await rejection(a.finalMessage())).delivered, true);

  assert.equal(
    await aui.messages.stream({ task_id: task.id, text: 'b' }).finalText(),
    'Answer to b, in several words here.',
  );

  // C: dropped before any frame, its reply never stored; A's reply lands after C's message.
  mock.failTurn({ kind: 'drop', afterFrames: 0, recordReply: 'never' });
  const outcome = await aui.messages
    .stream({ task_id: task.id, text: 'c' })
    .finalText()
    .then(
      (text) => text,
      (error: unknown) => error,
    );
  assert.notEqual(outcome, 'Answer to a, in several words here.', "C resolved with A's answer");
  assert.ok(outcome instanceof TurnInterruptedError, `C: ${String(outcome)}`);
});

test("once a failed turn's late reply is in history, a later turn's reply is delivered again", async () => {
  // The other side of the two tests above: the wait for A's reply must not make every later
  // recovery on the task give up. Once history shows every message since A answered (A's late
  // reply included), [C's message, C's reply] is C's, and C resolves with it.
  const aui = clientFor(mock, {
    session: { recoveryTimeout: 1000, reconnect: { minDelay: 5, maxDelay: 20 } },
  });
  // A's reply is stored 1.2 s after the drop, after A's recovery gave up (1 s).
  const task = await taskWhoseTurnAFailed(aui, 1200);
  await untilInHistory(aui, task.id, 'Answer to a, in several words here.');

  // C, still within the 2 s A's reply was waited for: dropped, and its reply stored at once.
  mock.failTurn({ kind: 'drop', afterFrames: 2, recordReply: 'now' });
  assert.equal(
    await aui.messages.stream({ task_id: task.id, text: 'c' }).finalText(),
    'Answer to c, in several words here.',
  );
});

test('each failed turn is waited for on its own: once the earlier wait ends, counting starts at the later turn', async () => {
  // Merging the waits (one deadline pushed out by every failure, one start kept from the first)
  // would keep counting from a turn whose wait had ended, as long as failures kept coming.
  const store = new WatermarkStore();
  store.awaitReply('task', 30, { lastId: 'before-first' });
  store.awaitReply('task', 60_000, { lastId: 'before-second' });
  assert.deepEqual(store.awaitedReply('task')?.since, { lastId: 'before-first' });
  await new Promise((resolve) => setTimeout(resolve, 60));
  assert.deepEqual(store.awaitedReply('task')?.since, { lastId: 'before-second' });
  assert.equal(store.awaitedReply('other task'), undefined);
});

/**
 * A task with one completed turn, then turn A ('a') dropped after two frames with its reply stored
 * `laterMs` after the drop: A has failed (TurnInterruptedError, delivered true) when this resolves.
 */
async function taskWhoseTurnAFailed(aui: AuiClient, laterMs: number): Promise<Task> {
  const task = await aui.tasks.create({ user_id: 'found' });
  await aui.messages.stream({ task_id: task.id, text: 'warm up' }).finalText();
  mock.failTurn({ kind: 'drop', afterFrames: 2, recordReply: 'later', laterMs });
  const a = await rejection(aui.messages.stream({ task_id: task.id, text: 'a' }).finalMessage());
  assert.ok(a instanceof TurnInterruptedError, String(a));
  assert.equal(a.delivered, true);
  return task;
}

/** Waits until an agent entry with `text` is in the task's history. */
async function untilInHistory(aui: AuiClient, task_id: string, text: string): Promise<void> {
  for (let tries = 0; tries < 100; tries++) {
    const history = await aui.tasks.messages(task_id);
    if (history.some((entry) => entry.text === text)) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`"${text}" never reached the history`);
}
