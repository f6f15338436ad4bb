// A short soak in `npm test`: bench/soak.ts, 100 turns over one long-lived session and 100
// one-shot turns against the hostile mock, each mode in a child process of its own (so an uncaught
// exception is counted there, not taken for this runner's). Asserts the zeros the long soak must hold:
// nothing doubled, hung, untyped, out of order, crashed or unhandled, and no turn that failed saying
// `delivered: false` while AUI had the message. SOAK_TURNS and SOAK_SEED change the run.
// Also: the mock's per-turn fault chooser, which the soak is built on.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import type { ModeReport } from '../../bench/soak/tally.ts';
import { clientFor, mockServer, rejection } from '../fixtures/mock.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TURNS = Number(process.env.SOAK_TURNS) || 100;
const SEED = Number(process.env.SOAK_SEED) || 1;

interface Result extends ModeReport {
  crashes: string[];
  unhandled: string[];
}

/** Runs one mode of the soak in a child process; resolves with its JSON report (it exits 1 on a finding). */
function soak(mode: 'session' | 'one-shot'): Promise<Result> {
  const args = ['--expose-gc', '--import', 'tsx', 'bench/soak.ts', '--mode', mode, '--json'];
  args.push(
    '--turns',
    String(TURNS),
    '--seed',
    String(SEED),
    '--recovery-timeout',
    '300',
    '--turn-cap',
    '15000',
  );
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      try {
        const report = JSON.parse(stdout) as { results: Result[] };
        resolve(report.results[0]!);
      } catch {
        reject(
          new Error(`the soak did not report (${error?.message ?? 'no error'}): ${stderr.slice(-2000)}`),
        );
      }
    });
  });
}

// Both modes at once: together they take about as long as the session mode alone.
const runs = { session: soak('session'), 'one-shot': soak('one-shot') };

for (const mode of ['session', 'one-shot'] as const) {
  test(`${mode} soak, ${TURNS} turns with faults (seed ${SEED}): nothing doubled, hung, crashed, unhandled or untyped`, async () => {
    const r = await runs[mode];
    const context = JSON.stringify(
      { problems: r.problems, crashes: r.crashes, unhandled: r.unhandled },
      null,
      2,
    );
    assert.equal(r.turns, TURNS);
    assert.equal(r.doubled, 0, context);
    assert.equal(r.hung, 0, context);
    assert.deepEqual(r.crashes, []);
    assert.deepEqual(r.unhandled, []);
    assert.equal(r.untyped, 0, context);
    assert.equal(r.orderViolations, 0, context);
    assert.equal(r.lost.byDelivered.false, 0, 'a lost turn said delivered: false');
    assert.equal(r.falselyUndelivered, 0, context);
    assert.deepEqual(
      r.sessionDeaths,
      [],
      'the session never gave up: every refused stretch is shorter than its retries',
    );
    // The soak did what it says: most turns completed, and the faults were drawn and met.
    assert.ok(r.completed >= TURNS * 0.7, `only ${r.completed} of ${TURNS} turns completed`);
    const faulty = TURNS - r.faults.clean;
    assert.ok(faulty >= TURNS * 0.2, `only ${faulty} turns drew a fault`);
    assert.ok(Object.keys(r.typedFailures).length > 0, 'no turn failed: the faults did not reach the client');
  });

  test(`${mode} soak: no turn resolves with another turn's reply`, async () => {
    const r = await runs[mode];
    assert.equal(r.wrongReplies, 0, r.problems.join('\n'));
  });
}

test("the mock's fault chooser: a fault per turn from the turn itself; a queued fault wins; reset() stops it", async () => {
  const mock = await mockServer({ reply: ({ text }) => ({ text: `Answer to ${text}.` }) });
  const aui = clientFor(mock, {
    session: { recoveryTimeout: 200, reconnect: { minDelay: 5, maxDelay: 20 } },
  });
  const task = await aui.tasks.create({ user_id: 'chooser' });
  const asked: string[] = [];
  mock.chooseTurnFaults(({ task_id, text, turn }) => {
    assert.equal(task_id, task.id);
    asked.push(`${text}#${turn}`);
    return text === 'fail me'
      ? { kind: 'error-frame', recordUser: false, error: { status_code: 400 } }
      : undefined;
  });
  assert.equal(await aui.messages.stream({ task_id: task.id, text: 'fine' }).finalText(), 'Answer to fine.');
  const error = await rejection(aui.messages.stream({ task_id: task.id, text: 'fail me' }).finalMessage());
  assert.equal(error.name, 'BadRequestError');
  // A queued fault is taken first, without asking the chooser.
  mock.failTurn({ kind: 'error-frame', recordUser: false, error: { status_code: 400 } });
  assert.equal(
    (await rejection(aui.messages.stream({ task_id: task.id, text: 'queued' }).finalMessage())).name,
    'BadRequestError',
  );
  assert.deepEqual(asked, ['fine#1', 'fail me#2']);
  mock.reset();
  const again = await aui.tasks.create({ user_id: 'chooser' });
  assert.equal(
    await aui.messages.stream({ task_id: again.id, text: 'fail me' }).finalText(),
    'Answer to fail me.',
  );
  assert.deepEqual(asked, ['fine#1', 'fail me#2'], 'reset() stopped the chooser');
});
