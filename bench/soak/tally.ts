// bench/soak/tally — what became of each soak turn, and the report of a run: the outcome of a turn
// from what the client saw (./run), then what the mock's history says about it at the end — lost
// (its reply is there although the turn failed), doubled (its user message is there twice), told
// `delivered: false` although the message is there — counted per mode.

import type { MockAui } from '../../src/mock/index.ts';
import { FAULT_NAMES, type FaultName, replyTo, type TurnPlan } from './plan.ts';

export type SoakMode = 'session' | 'one-shot';

export type Outcome = 'completed' | 'wrong reply' | 'typed failure' | 'own abort' | 'untyped' | 'hung';
export type Delivered = 'true' | 'false' | 'unknown' | 'unset';

export interface TurnRecord {
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

export function deliveredOf(error: unknown): Delivered {
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
export function historySince(mock: MockAui, task_id: string, reply: string | undefined): string {
  const history = mock.history(task_id) as Entry[];
  let from = history.length;
  while (from > 0 && history[from - 1]!.text !== reply) from--;
  return history
    .slice(from)
    .map((e) => `${e.sender?.type} "${(e.text ?? '').slice(0, 24)}"`)
    .join(', ');
}

export function replyStored(mock: MockAui, task_id: string, text: string): boolean {
  return entries(mock, task_id, 'agent', replyTo(text)) > 0;
}

export function tally(
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
    else if (outcome === 'wrong reply') {
      report.wrongReplies++;
      note(
        record,
        `resolved with "${record.wrongText}…"; the task's history since its last completed turn: ${record.historyAtFailure}`,
      );
    } else if (outcome === 'own abort') report.ownAborts++;
    else if (outcome === 'untyped') report.untyped++;
    else if (outcome === 'hung') report.hung++;
    else {
      const byClass = (report.typedFailures[record.error!] ??= byDelivered());
      byClass[record.delivered!]++;
    }
    if (outcome === 'wrong reply') note(record, `resolved with "${record.wrongText}…"`);
    if (outcome === 'untyped') note(record, `failed with ${record.error}, not an AuiError`);
    if (outcome === 'hung') note(record, 'no outcome within the per-turn cap (aborted)');
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
