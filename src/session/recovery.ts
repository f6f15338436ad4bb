// session/recovery — what became of a turn whose socket went away before its final message. A lost
// turn the app can retry is better than a doubled turn the agent acts on twice, so this answers
// only from the task's history, read over REST, and only counts entries after the watermark
// (DESIGN "Recovery"):
//   exactly [our user entry, one agent entry] → deliver that entry;
//   our user entry, no reply yet            → poll until recoveryTimeout, then delivered: true;
//   no user entry on two reads ≥ 2 s apart, no frame seen, and this server is known to store
//     user messages                          → resend once;
//   anything else                            → delivered: 'unknown'.
// Knows nothing of sockets. Imports: errors, schemas (types), runtime/timers, ./turn (type), ./watermarks.

import { AuthenticationError, TurnInterruptedError } from '../errors/errors.ts';
import { sleep } from '../runtime/timers.ts';
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
  read: (signal: AbortSignal) => Promise<Message[]>;
  timeout: number;
}

/** Recovers a turn whose socket went away: the driver around {@link recover}. */
export async function recoverTurn(turn: Turn, context: RecoveryContext): Promise<TurnRecovery> {
  const signal = turn.beginRecovery();
  const { task_id, text } = turn.params;
  const outcome = await recover({
    text,
    watermark: turn.watermark,
    frames: turn.sink.frames,
    resent: turn.resent,
    store: context.store,
    read: () => context.read(signal),
    timeout: context.timeout,
    signal,
  });
  if (outcome.action !== 'fail') return outcome;
  const { delivered } = outcome;
  const error =
    outcome.error ?? new TurnInterruptedError({ task_id, delivered, partialText: turn.sink.text });
  return { action: 'fail', error };
}

export interface RecoveryInput {
  text: string;
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

// Two empty reads at least this far apart before a message counts as never received (DESIGN).
const CONFIRM_GAP = 2_000;
const FIRST_POLL = 250;
const MAX_POLL = 5_000;

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
      const reading = readTurn(history, watermark, input.text);
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
 * Only [ours] or [ours, reply] after the watermark is unambiguous: any other entry could be a late
 * reply to an earlier turn or another tab's message, and delivering it would put words in the
 * agent's mouth.
 */
function readTurn(history: Message[], watermark: Watermark, text: string): Reading {
  const after = entriesAfter(history, watermark);
  if (!after) return { kind: 'ambiguous' }; // the watermark entry is gone: cannot tell
  const [first, second, ...rest] = after;
  if (!first) return { kind: 'absent' };
  if (!isFrom(first, 'user') || first.text !== text || rest.length > 0) return { kind: 'ambiguous' };
  if (!second) return { kind: 'received' };
  if (!isFrom(second, 'agent')) return { kind: 'ambiguous' };
  return { kind: 'replied', reply: second };
}

function entriesAfter(history: Message[], watermark: Watermark): Message[] | undefined {
  if (watermark.lastId === undefined) return history;
  const index = history.findIndex((entry) => entry.id === watermark.lastId);
  return index === -1 ? undefined : history.slice(index + 1);
}
