// bench/soak/run — one soak mode against the package's mock on loopback: N turns over ONE long-lived
// `aui.session()` (small batches queue behind each other), or N one-shot `aui.messages.stream()`
// turns (a few workers, each on tasks of its own, so recovery's history reads stay meaningful).
// Each turn meets the fault its plan drew (./plan); its outcome is classified from what the
// client saw and what the mock stored:
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
import { batchSizes, FAULT_NAMES, type FaultName, planTurns, type TurnPlan } from './plan.ts';

export type SoakMode = 'session' | 'one-shot';

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

type Outcome = 'completed' | 'wrong reply' | 'typed failure' | 'own abort' | 'untyped' | 'hung';
type Delivered = 'true' | 'false' | 'unknown' | 'unset';

interface TurnRecord {
  plan: TurnPlan;
  task_id: string;
  outcome: Outcome;
  /** The error's class name, for failures. */
  error?: string;
  delivered?: Delivered;
  /** For failures: the reply was already in history when the turn failed. */
  storedAtFailure?: boolean;
  /** For failures: the task's history since the last turn that completed on it, when the turn failed. */
  historyAtFailure?: string;
  /** For a wrong reply: the start of the text it resolved with. */
  wrongText?: string;
  /** The first event-order rule the stream broke, if any. */
  orderProblem?: string;
}

export interface ModeReport {
  mode: SoakMode;
  seed: number;
  turns: number;
  durationMs: number;
  completed: number;
  wrongReplies: number;
  /** By error class, then by `delivered`. */
  typedFailures: Record<string, Record<Delivered, number>>;
  ownAborts: number;
  untyped: number;
  hung: number;
  lost: { total: number; byDelivered: Record<Delivered, number>; storedBeforeFailure: number };
  /** Failed with `delivered: false` although the mock stored the message: an app would resend it. */
  falselyUndelivered: number;
  doubled: number;
  orderViolations: number;
  sessionDeaths: string[];
  socketsOpened: number;
  faults: Record<FaultName, number>;
  heapBeforeMB: number | undefined;
  heapAfterMB: number | undefined;
  /** Every turn that makes the run fail (wrong, untyped, hung, doubled, order, delivered false), described; at most 50. */
  problems: string[];
  /** The first lost turns, described with the task's history when they failed. */
  lostTurns: string[];
}

const KEY = 'API_KEY_soak_0123456789';
const TASKS_PER_SESSION = 4;
const TASKS_PER_WORKER = 2;

/** The mock's reply to a turn: unique per turn, about a dozen frames long. */
export const replyTo = (text: string): string =>
  `Answer to ${text}: one soak reply, streamed in about a dozen small frames.`;

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
  mock.reset(); // the mock's history is not the client's heap
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
 * The stream's event rules (DESIGN "MessageStream"): the deltas since the last snapshot add up to
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

function deliveredOf(error: unknown): Delivered {
  const delivered = (error as { delivered?: unknown } | null)?.delivered;
  if (delivered === true) return 'true';
  if (delivered === false) return 'false';
  if (delivered === 'unknown') return 'unknown';
  return 'unset';
}

interface Entry {
  text?: string;
  sender?: { type?: string };
}

function entries(mock: MockAui, task_id: string, type: 'user' | 'agent', text: string): number {
  return (mock.history(task_id) as Entry[]).filter((e) => e.sender?.type === type && e.text === text).length;
}

/** `user "t-3", agent "Answer to t-3…"`: the task's entries after `reply` (all of them without one). */
function historySince(mock: MockAui, task_id: string, reply: string | undefined): string {
  const history = mock.history(task_id) as Entry[];
  let from = history.length;
  while (from > 0 && history[from - 1]!.text !== reply) from--;
  return history
    .slice(from)
    .map((e) => `${e.sender?.type} "${(e.text ?? '').slice(0, 24)}"`)
    .join(', ');
}

function replyStored(mock: MockAui, task_id: string, text: string): boolean {
  return entries(mock, task_id, 'agent', replyTo(text)) > 0;
}

function tally(
  mock: MockAui,
  records: TurnRecord[],
  run: { mode: SoakMode; seed: number; turns: number; durationMs: number; sessionDeaths: string[] },
): ModeReport {
  const report: ModeReport = {
    ...run,
    completed: 0,
    wrongReplies: 0,
    typedFailures: {},
    ownAborts: 0,
    untyped: 0,
    hung: 0,
    lost: { total: 0, byDelivered: byDelivered(), storedBeforeFailure: 0 },
    falselyUndelivered: 0,
    doubled: 0,
    orderViolations: 0,
    socketsOpened: 0,
    faults: Object.fromEntries(FAULT_NAMES.map((name) => [name, 0])) as Record<FaultName, number>,
    heapBeforeMB: undefined,
    heapAfterMB: undefined,
    problems: [],
    lostTurns: [],
  };
  const describe = (record: TurnRecord, what: string) =>
    `${record.plan.text} (${record.plan.fault}): ${what}`;
  const note = (record: TurnRecord, what: string) => {
    if (report.problems.length < 50) report.problems.push(describe(record, what));
  };
  for (const record of records) {
    const { plan, task_id, outcome } = record;
    report.faults[plan.fault]++;
    const stored = entries(mock, task_id, 'user', plan.text);
    if (stored > 1) {
      report.doubled++;
      note(record, `user message stored ${stored} times`);
    }
    if (record.orderProblem) {
      report.orderViolations++;
      note(record, record.orderProblem);
    }
    if (outcome === 'completed') report.completed++;
    else if (outcome === 'wrong reply') report.wrongReplies++;
    else if (outcome === 'own abort') report.ownAborts++;
    else if (outcome === 'untyped') report.untyped++;
    else if (outcome === 'hung') report.hung++;
    else {
      const byClass = (report.typedFailures[record.error!] ??= byDelivered());
      byClass[record.delivered!]++;
    }
    if (outcome === 'wrong reply') note(record, `resolved with "${record.wrongText}…"`);
    if (outcome === 'untyped' || outcome === 'hung')
      note(record, `${outcome} (${record.error ?? 'no error'})`);
    const failed = outcome === 'typed failure' || outcome === 'untyped' || outcome === 'hung';
    if (failed && record.delivered === 'false' && stored > 0) {
      report.falselyUndelivered++;
      note(record, `${record.error} with delivered false, but the message is in history`);
    }
    if (failed && replyStored(mock, task_id, plan.text)) {
      report.lost.total++;
      report.lost.byDelivered[record.delivered ?? 'unset']++;
      if (record.storedAtFailure) report.lost.storedBeforeFailure++;
      const when = record.storedAtFailure ? 'already stored when it failed' : 'stored after it failed';
      const history = record.historyAtFailure;
      const what = `${record.error} (delivered ${record.delivered}), reply ${when}; the task's history since its last completed turn, then: ${history}`;
      if (report.lostTurns.length < 12) report.lostTurns.push(describe(record, what));
    }
  }
  return report;
}

function byDelivered(): Record<Delivered, number> {
  return { true: 0, unknown: 0, false: 0, unset: 0 };
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
