// bench/soak/run — one soak mode against the package's mock on loopback: N turns over ONE long-lived
// `aui.session()` (small batches queue behind each other), or N one-shot `aui.messages.stream()`
// turns (a few workers, each on tasks of its own, so recovery's history reads stay meaningful).
// Each turn meets the fault its plan drew (./plan); its outcome is classified here from what the
// client saw, and in ./tally from what the mock stored:
//   completed      the final text is the turn's own reply;
//   wrong reply    it resolved with another text (a reply landed on the wrong turn);
//   typed failure  it rejected with an AuiError (by class, with `delivered`);
//   own abort      it rejected with APIUserAbortError after the soak aborted it;
//   untyped        it rejected with anything else;
//   hung           no outcome within the per-turn cap (it is then aborted);
//   lost           it failed although its reply is in the task's history (by the end of the run);
//   doubled        the mock stored its user message more than once.
// Process-level crashes and unhandled rejections are counted by the caller (../soak.ts).

import { AuiClient, AuiError, type MessageStream } from '../../src/index.node.ts';
import { startMockAui, type MockAui } from '../../src/mock/index.ts';
import { batchSizes, planTurns, replyTo, type TurnPlan } from './plan.ts';
import {
  deliveredOf,
  historySince,
  type ModeReport,
  replyStored,
  type SoakMode,
  tally,
  type TurnRecord,
} from './tally.ts';

export interface SoakOptions {
  mode: SoakMode;
  turns: number;
  seed: number;
  /** The client's `recoveryTimeout` (ms); late replies are drawn around it. */
  recoveryTimeout: number;
  /** A turn with no outcome after this long (ms) is hung. */
  turnCap: number;
  /** One-shot turns in flight at once. */
  concurrency: number;
  /** Print a line to stderr every 250 turns. */
  progress?: boolean;
}

const KEY = 'API_KEY_soak_0123456789';
const TASKS_PER_SESSION = 4;
const TASKS_PER_WORKER = 2;

export async function runMode(options: SoakOptions): Promise<ModeReport> {
  const { mode, seed, turns } = options;
  const plans = planTurns({ seed, turns, recoveryTimeout: options.recoveryTimeout, label: mode });
  const mock = await startMockAui({ apiKey: KEY, reply: ({ text }) => ({ text: replyTo(text) }) });
  const refusals = applyPlanToMock(mock, plans);
  const aui = new AuiClient({
    apiKey: KEY,
    baseUrl: mock.url,
    wsUrl: mock.wsUrl,
    logLevel: 'off',
    timeout: 5_000,
    session: {
      connectTimeout: 2_000,
      idleTimeout: 5_000,
      recoveryTimeout: options.recoveryTimeout,
      // Short waits so the soak runs fast; enough retries to outlast a refused stretch (≤ 300 ms).
      reconnect: { minDelay: 5, maxDelay: 50, maxRetries: 30, minUptime: 1_000 },
    },
  });
  const lastCompleted = new Map<string, string>();
  let done = 0;
  const drive = async (plan: TurnPlan, task_id: string, open: () => MessageStream) => {
    const record = await driveTurn({ mock, plan, task_id, open, cap: options.turnCap, lastCompleted });
    if (options.progress && ++done % 250 === 0)
      process.stderr.write(`soak: ${mode}, ${done}/${turns} turns\n`);
    return record;
  };

  // Warm-up (not counted): modules loaded and code warm before the heap baseline.
  const warmTask = await aui.tasks.create({ user_id: 'soak-warm-up' });
  await aui.messages.stream({ task_id: warmTask.id, text: 'warm up' }).finalText();
  const heapBeforeMB = heapMB();
  const socketsBefore = mock.sockets.opened;
  const started = performance.now();

  let records: TurnRecord[];
  let sessionDeaths: string[] = [];
  if (mode === 'session') {
    ({ records, sessionDeaths } = await runSession(aui, plans, seed, drive));
  } else {
    records = await runOneShot(aui, plans, options.concurrency, drive);
  }
  const durationMs = performance.now() - started;

  // Late replies land up to 2 × recoveryTimeout after their turn: wait, then read the mock's history.
  await sleep(options.recoveryTimeout * 2 + 300);
  refusals.stop();
  const report = tally(mock, records, { mode, seed, turns, durationMs, sessionDeaths });
  report.socketsOpened = mock.sockets.opened - socketsBefore;
  // The heap after: the client's, with the soak's own per-turn data and the mock's history dropped.
  plans.length = 0;
  records.length = 0;
  lastCompleted.clear();
  mock.reset();
  await mock.close();
  report.heapBeforeMB = heapBeforeMB;
  report.heapAfterMB = heapMB();
  return report;
}

type Drive = (plan: TurnPlan, task_id: string, open: () => MessageStream) => Promise<TurnRecord>;

/** One long-lived session; turns in batches of 1–3 queue behind each other. A session that dies is replaced and counted. */
async function runSession(
  aui: AuiClient,
  plans: TurnPlan[],
  seed: number,
  drive: Drive,
): Promise<{ records: TurnRecord[]; sessionDeaths: string[] }> {
  const tasks = await createTasks(aui, TASKS_PER_SESSION, 'soak-session');
  const sessionDeaths: string[] = [];
  let closingOnPurpose = false;
  const open = () => {
    const session = aui.session();
    session.on('state', ({ current, reason }) => {
      if (current === 'closed' && !closingOnPurpose) sessionDeaths.push(reason ?? 'no reason');
    });
    return session;
  };
  let session = open();
  const records: TurnRecord[] = [];
  let next = 0;
  for (const size of batchSizes(seed, plans.length)) {
    if (session.state === 'closed') session = open();
    const current = session;
    const batch = plans.slice(next, next + size);
    next += size;
    const done = batch.map((plan) => {
      const task_id = tasks[plan.index % tasks.length]!;
      return drive(plan, task_id, () => current.stream({ task_id, text: plan.text }));
    });
    records.push(...(await Promise.all(done)));
  }
  closingOnPurpose = true;
  await session.close();
  return { records, sessionDeaths };
}

/** `concurrency` workers, each with tasks of its own, each running its turns one after another. */
async function runOneShot(
  aui: AuiClient,
  plans: TurnPlan[],
  concurrency: number,
  drive: Drive,
): Promise<TurnRecord[]> {
  const records: TurnRecord[] = [];
  const worker = async (w: number) => {
    const tasks = await createTasks(aui, TASKS_PER_WORKER, `soak-one-shot-${w}`);
    for (let i = w; i < plans.length; i += concurrency) {
      const plan = plans[i]!;
      const task_id = tasks[Math.floor(i / concurrency) % tasks.length]!;
      records.push(await drive(plan, task_id, () => aui.messages.stream({ task_id, text: plan.text })));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
  return records.sort((a, b) => a.plan.index - b.plan.index);
}

async function createTasks(aui: AuiClient, count: number, user_id: string): Promise<string[]> {
  const tasks = await Promise.all(Array.from({ length: count }, () => aui.tasks.create({ user_id })));
  return tasks.map((task) => task.id);
}

/**
 * The mock applies each turn's planned fault the first time it receives that turn (a resend goes
 * through clean), and starts the planned refused-handshake stretch then.
 */
function applyPlanToMock(mock: MockAui, plans: TurnPlan[]): { stop(): void } {
  const byText = new Map(plans.map((plan) => [plan.text, plan]));
  const received = new Set<string>();
  // Stretches may overlap: handshakes are accepted again when the last one ends. (A deadline compared
  // with Date.now() would not do: a timer may fire a millisecond before it by that clock.)
  let refusing = 0;
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const refuseFor = (ms: number) => {
    refusing++;
    mock.setOptions({ handshake: 'reject-403' });
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (--refusing === 0) mock.setOptions({ handshake: 'accept' });
    }, ms);
    timers.add(timer);
  };
  mock.chooseTurnFaults(({ text }) => {
    const plan = byText.get(text);
    if (!plan || received.has(text)) return undefined;
    received.add(text);
    if (plan.refuseHandshakesMs > 0) refuseFor(plan.refuseHandshakesMs);
    return plan.mockFault;
  });
  return {
    stop() {
      for (const timer of timers) clearTimeout(timer);
      mock.setOptions({ handshake: 'accept' });
    },
  };
}

/** Runs one turn to its outcome, observing every event, within the cap. */
async function driveTurn(turn: {
  mock: MockAui;
  plan: TurnPlan;
  task_id: string;
  open: () => MessageStream;
  cap: number;
  /** Per task, the reply text of the last turn that completed on it. */
  lastCompleted: Map<string, string>;
}): Promise<TurnRecord> {
  const { mock, plan, task_id, cap, lastCompleted } = turn;
  const stream = turn.open();
  const orderProblem = watchOrder(stream);
  let aborted = false;
  if (plan.abortAtFirstText) {
    stream.once('text', () => {
      aborted = true;
      stream.abort();
    });
  }
  const settled = stream.finalMessage().then(
    (message) => ({ message }),
    (error: unknown) => ({ error }),
  );
  let capTimer: ReturnType<typeof setTimeout> | undefined;
  const hung = new Promise<'hung'>((resolve) => (capTimer = setTimeout(() => resolve('hung'), cap)));
  const result = await Promise.race([settled, hung]);
  clearTimeout(capTimer);
  const record: TurnRecord = { plan, task_id, outcome: 'completed' };
  if (result === 'hung') {
    stream.abort();
    await settled;
    record.outcome = 'hung';
  } else if ('message' in result) {
    if (result.message.text !== replyTo(plan.text)) {
      record.outcome = 'wrong reply';
      record.wrongText = result.message.text.slice(0, 40);
      record.historyAtFailure = historySince(mock, task_id, lastCompleted.get(task_id));
    } else lastCompleted.set(task_id, result.message.text);
  } else {
    const { error } = result;
    record.storedAtFailure = replyStored(mock, task_id, plan.text);
    record.historyAtFailure = historySince(mock, task_id, lastCompleted.get(task_id));
    record.error = error instanceof Error ? error.name : typeof error;
    record.delivered = deliveredOf(error);
    if (!(error instanceof AuiError)) record.outcome = 'untyped';
    else if (aborted && error.name === 'APIUserAbortError') record.outcome = 'own abort';
    else record.outcome = 'typed failure';
  }
  const problem = orderProblem();
  if (problem) record.orderProblem = problem;
  return record;
}

/**
 * The stream's event rules (docs/streaming.md, "Reading a turn"): the deltas since the last snapshot add up to
 * it, the message's text equals the last snapshot, `end` comes once and last. Returns the first
 * rule broken, read after the turn settled.
 */
function watchOrder(stream: MessageStream): () => string | undefined {
  let shown = '';
  let ended = false;
  let messages = 0;
  let problem: string | undefined;
  const flag = (what: string) => (problem ??= what);
  stream
    .on('text', (delta, snapshot) => {
      if (ended) flag('text after end');
      shown += delta;
      if (shown !== snapshot) flag('the deltas do not add up to the snapshot');
    })
    .on('snapshot', (snapshot) => {
      if (ended) flag('snapshot after end');
      shown = snapshot;
    })
    .on('message', (message) => {
      if (ended || messages++ > 0) flag('a second message, or one after end');
      if (message.text !== shown) flag('the message text differs from the text shown');
    })
    .on('error', () => {
      if (ended || messages > 0) flag('an error after the message or end');
    })
    .on('end', () => {
      if (ended) flag('end twice');
      ended = true;
    });
  return () => problem ?? (ended ? undefined : 'no end event');
}

function heapMB(): number | undefined {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return undefined;
  for (let i = 0; i < 3; i++) gc();
  return Math.round((process.memoryUsage().heapUsed / 1024 / 1024) * 10) / 10;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
