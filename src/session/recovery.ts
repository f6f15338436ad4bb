// session/recovery — what became of a turn whose socket went away before its final message. A lost
// turn the app can retry is better than a doubled turn the agent acts on twice, so this answers
// only from the task's history, read over REST, and only counts entries after the watermark
// (docs/streaming.md explains it to users):
//   exactly [our user entry, one agent entry] → deliver that entry;
//   our user entry, no reply yet            → poll until recoveryTimeout, then delivered: true;
//   no user entry on two reads ≥ 2 s apart, no frame seen, and this server is known to store
//     user messages                          → resend once;
//   anything else                            → delivered: 'unknown'.
// Knows nothing of sockets. Imports: errors, schemas (types), runtime/timers, ./turn (type), ./watermarks.

import { AuthenticationError, TurnInterruptedError } from '../errors/errors.ts';
import { sleep } from '../runtime/timers.ts';
import type { Log } from '../runtime/logger.ts';
import type { Message } from '../schemas/wire.ts';
import type { Turn } from './turn.ts';
import { isFrom, type Watermark, type WatermarkStore } from './watermarks.ts';

export type Recovery =
  | { action: 'deliver'; message: Message }
  | { action: 'resend' }
  | { action: 'fail'; delivered: true | 'unknown'; error?: AuthenticationError };

/** What became of `turn`, as the session acts on it. */
export type TurnRecovery =
  | { action: 'deliver'; message: Message }
  | { action: 'resend' }
  | { action: 'fail'; error: AuthenticationError | TurnInterruptedError };

export interface RecoveryContext {
  store: WatermarkStore;
  /** The task's history over REST, stopped by `signal` when the turn ends meanwhile. */
  history: (task_id: string, options: { signal: AbortSignal }) => Promise<Message[]>;
  timeout: number;
  log: Log;
  /** How messages start: `messages.stream` or `session`. */
  where: string;
}

/** Recovers a turn whose socket went away (`why`): the driver around {@link recover}; a delivered reply advances the watermark. */
export async function recoverTurn(turn: Turn, why: string, context: RecoveryContext): Promise<TurnRecovery> {
  const signal = turn.beginRecovery();
  const { task_id, text } = turn.params;
  const { store, log, where } = context;
  log('info', `${where}: turn interrupted (${why}); recovering from history.`);
  const outcome = await recover({
    task_id,
    text,
    streamedText: turn.sink.text,
    watermark: turn.watermark,
    frames: turn.sink.frames,
    resent: turn.resent,
    store,
    read: () => context.history(task_id, { signal }),
    timeout: context.timeout,
    signal,
  });
  if (outcome.action === 'deliver') store.advance(task_id, outcome.message);
  if (outcome.action === 'resend') log('info', `${where}: the message never reached AUI; sending it again.`);
  if (outcome.action !== 'fail') return outcome;
  const { delivered } = outcome;
  const message = `${where}: turn interrupted (${why}; task ${task_id}, delivered: ${delivered}).`;
  const error =
    outcome.error ?? new TurnInterruptedError({ task_id, delivered, partialText: turn.sink.text, message });
  return { action: 'fail', error };
}

export interface RecoveryInput {
  task_id: string;
  text: string;
  /** The text that streamed before the drop: a reply that does not continue it is not this turn's. */
  streamedText: string;
  watermark: Watermark | undefined;
  /** Frames of this turn that arrived before the drop: any frame proves AUI had the message. */
  frames: number;
  /** This turn was already resent once. */
  resent: boolean;
  store: WatermarkStore;
  read: () => Promise<Message[]>;
  timeout: number;
  signal: AbortSignal;
}

/** What one read of history says about our turn. */
type Reading =
  | { kind: 'replied'; reply: Message }
  | { kind: 'received' } // our user entry, no reply yet
  | { kind: 'absent' } // nothing after the watermark
  | { kind: 'ambiguous' }; // anything else: never a guess

// Two empty reads at least this far apart before a message counts as never received.
const CONFIRM_GAP = 2_000;
const FIRST_POLL = 250;
const MAX_POLL = 5_000;

/** Polls history until it tells what became of the turn. */
export async function recover(input: RecoveryInput): Promise<Recovery> {
  const { watermark, signal } = input;
  let delivered: true | 'unknown' = input.frames > 0 ? true : 'unknown';
  if (!watermark) return { action: 'fail', delivered };
  const deadline = Date.now() + input.timeout;
  let firstAbsentAt: number | undefined;

  for (let poll = FIRST_POLL; !signal.aborted; poll = Math.min(poll * 2, MAX_POLL)) {
    let wakeAt = Date.now() + poll;
    let history: Message[] | undefined;
    try {
      history = await input.read();
    } catch (error) {
      // The key is refused over REST too: polling cannot get anywhere.
      if (error instanceof AuthenticationError) return { action: 'fail', delivered, error };
    }
    if (history) {
      input.store.noteHistory(history);
      const reading = readTurn(history, watermark, input);
      if (reading.kind === 'ambiguous') return { action: 'fail', delivered };
      if (reading.kind === 'replied') return { action: 'deliver', message: reading.reply };
      if (reading.kind === 'received') delivered = true;
      if (reading.kind === 'absent' && delivered !== true) {
        firstAbsentAt ??= Date.now();
        if (Date.now() - firstAbsentAt >= CONFIRM_GAP) return absentTwice(input, delivered);
        wakeAt = firstAbsentAt + CONFIRM_GAP;
      }
    }
    const left = deadline - Date.now();
    if (left <= 0) return { action: 'fail', delivered };
    await sleep(Math.min(left, Math.max(0, wakeAt - Date.now())), signal).catch(() => undefined);
  }
  return { action: 'fail', delivered };
}

/** No user entry on two reads ≥ 2 s apart: a resend is safe only if this server stores user entries. */
function absentTwice(input: RecoveryInput, delivered: 'unknown'): Recovery {
  const provablyAbsent = input.store.sawUserEntries && !input.resent;
  return provablyAbsent ? { action: 'resend' } : { action: 'fail', delivered };
}

/**
 * What history says of our message: the one user entry with our text after the watermark, and
 * what follows it. An agent entry right after it is our reply only when it can be nobody else's:
 * it is the last entry; no earlier message is still unanswered — neither one after the watermark
 * (more user entries than agent entries before ours) nor one since an earlier failed turn whose
 * reply may still come (the store remembers those turns) — since a late reply to it could land
 * right after ours, and texts alike in their first words prove nothing; and it continues what
 * already streamed for this turn. Anything else is ambiguous: delivering it would put words in the
 * agent's mouth.
 */
function readTurn(history: Message[], watermark: Watermark, input: RecoveryInput): Reading {
  const after = entriesAfter(history, watermark);
  if (!after) return { kind: 'ambiguous' }; // the watermark entry is gone: cannot tell
  const ours = after.flatMap((entry, index) =>
    isFrom(entry, 'user') && entry.text === input.text ? [index] : [],
  );
  if (ours.length === 0) return { kind: 'absent' };
  if (ours.length > 1) return { kind: 'ambiguous' }; // our text twice: which one is this turn's?
  const ourIndex = ours[0]!;
  const [reply, ...later] = after.slice(ourIndex + 1);
  if (!reply) return { kind: 'received' };
  if (later.length > 0 || !isFrom(reply, 'agent')) return { kind: 'ambiguous' };
  if (hasUnanswered(after.slice(0, ourIndex)) || awaitsEarlierReply(history, after[ourIndex]!, input))
    return { kind: 'ambiguous' };
  if (!reply.text.startsWith(input.streamedText)) return { kind: 'ambiguous' };
  return { kind: 'replied', reply };
}

/** More user entries than agent entries: some message among them has no reply yet. */
function hasUnanswered(entries: Message[]): boolean {
  const users = entries.filter((entry) => isFrom(entry, 'user')).length;
  const agents = entries.filter((entry) => isFrom(entry, 'agent')).length;
  return users > agents;
}

/**
 * An earlier turn on the task failed while its reply could still come, and history does not show
 * every message since that turn answered before ours: an agent entry after ours could be that reply.
 */
function awaitsEarlierReply(history: Message[], ourEntry: Message, input: RecoveryInput): boolean {
  const awaited = input.store.awaitedReply(input.task_id);
  if (!awaited) return false;
  if (!awaited.since) return true; // where that turn began is not known: nothing can be counted
  const sinceFailed = entriesAfter(history, awaited.since);
  if (!sinceFailed) return true;
  const ourIndex = sinceFailed.indexOf(ourEntry);
  if (ourIndex === -1) return true; // ours came before that turn began: the two cannot be told apart
  return hasUnanswered(sinceFailed.slice(0, ourIndex));
}

function entriesAfter(history: Message[], watermark: Watermark): Message[] | undefined {
  if (watermark.lastId === undefined) return history;
  const index = history.findIndex((entry) => entry.id === watermark.lastId);
  return index === -1 ? undefined : history.slice(index + 1);
}
