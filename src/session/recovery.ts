/**
 * session/recovery — what became of a turn whose socket went away before its final message.
 * A lost turn the app can retry is better than a doubled turn the agent acts on twice, so this
 * only ever answers from the task's history, read over REST (DESIGN "Recovery"):
 *   exactly [our user entry, one agent entry] after the watermark → deliver that entry;
 *   our user entry, no reply yet                          → poll until recoveryTimeout, then delivered: true;
 *   no user entry on two reads ≥ 2 s apart, no frame seen,
 *     and this server is known to store user messages     → resend once;
 *   anything else                                          → delivered: 'unknown'.
 * Imports: schemas types, runtime/timers. Knows nothing of sockets.
 */
import { sleep } from '../runtime/timers.ts';
import type { Message } from '../schemas/wire.ts';

/** Where a task's history stood before a turn was sent. */
export interface Watermark {
  /** Id of the last history entry; none when the history was empty (every entry has an id). */
  lastId?: string | undefined;
}

// Tasks whose watermark a client remembers; the oldest is forgotten first (its next turn reads history again).
const WATERMARKS_KEPT = 1000;

/** Per-client memory of watermarks (bounded) and of what the server is seen to store. */
export class WatermarkStore {
  #entries = new Map<string, Watermark>();
  /** Any history read so far held a user entry: the server stores user messages. */
  sawUserEntries = false;
  /** Watermark reads in flight, shared by every session of the client (one read per task). */
  readonly reading = new Map<string, Promise<void>>();

  get(task_id: string): Watermark | undefined {
    return this.#entries.get(task_id);
  }

  set(task_id: string, watermark: Watermark): void {
    this.#entries.delete(task_id);
    this.#entries.set(task_id, watermark);
    if (this.#entries.size > WATERMARKS_KEPT)
      this.#entries.delete(this.#entries.keys().next().value as string);
  }

  /** Records a history read: the watermark for a task's first turn. */
  fromHistory(task_id: string, history: Message[]): void {
    this.noteHistory(history);
    this.set(task_id, { lastId: history.at(-1)?.id });
  }

  noteHistory(history: Message[]): void {
    this.sawUserEntries ||= history.some((entry) => sentBy(entry, 'user'));
  }

  /** A final message moves the watermark past this turn. */
  advance(task_id: string, message: Message): void {
    this.set(task_id, { lastId: message.id });
  }
}

export type Recovery =
  | { action: 'deliver'; message: Message }
  | { action: 'resend' }
  | { action: 'fail'; delivered: true | 'unknown' };

export interface RecoveryInput {
  text: string;
  watermark: Watermark | undefined;
  /** Frames of this turn that arrived before the drop. */
  frames: number;
  /** This turn was already resent once. */
  resent: boolean;
  store: WatermarkStore;
  read: () => Promise<Message[]>;
  timeout: number;
  signal: AbortSignal;
}

// Two empty reads at least this far apart before a message counts as never received (DESIGN).
const CONFIRM_GAP = 2_000;

export async function recover(input: RecoveryInput): Promise<Recovery> {
  const { watermark, signal } = input;
  // A frame of this turn proves AUI has the message; only whether its reply can be found is open.
  let delivered: true | 'unknown' = input.frames > 0 ? true : 'unknown';
  if (!watermark) return { action: 'fail', delivered };
  const deadline = Date.now() + input.timeout;
  let firstEmptyAt: number | undefined;
  for (let wait = 250; ; wait = Math.min(wait * 2, 5_000)) {
    if (signal.aborted) return { action: 'fail', delivered };
    const history = await input.read().catch(() => undefined);
    let pauseUntil: number | undefined;
    if (history) {
      input.store.noteHistory(history);
      const after = entriesAfter(history, watermark);
      if (!after) return { action: 'fail', delivered }; // the watermark entry is gone: cannot tell
      // Only [ours] or [ours, reply] is unambiguous: any other entry could be a late reply to an
      // earlier turn or another tab's message, and delivering it would put words in the agent's mouth.
      const [first, second, ...rest] = after;
      if (first && !(sentBy(first, 'user') && first.text === input.text))
        return { action: 'fail', delivered };
      if (first) {
        delivered = true;
        if (rest.length > 0 || (second && !sentBy(second, 'agent'))) return { action: 'fail', delivered };
        if (second) return { action: 'deliver', message: second };
      } else if (delivered !== true) {
        firstEmptyAt ??= Date.now();
        if (Date.now() - firstEmptyAt >= CONFIRM_GAP) {
          const provablyAbsent = input.store.sawUserEntries && !input.resent;
          return provablyAbsent ? { action: 'resend' } : { action: 'fail', delivered };
        }
        pauseUntil = firstEmptyAt + CONFIRM_GAP;
      }
    }
    const left = deadline - Date.now();
    if (left <= 0) return { action: 'fail', delivered };
    await sleep(
      Math.min(left, pauseUntil === undefined ? wait : Math.max(0, pauseUntil - Date.now())),
      signal,
    ).catch(() => undefined);
  }
}

function entriesAfter(history: Message[], watermark: Watermark): Message[] | undefined {
  if (watermark.lastId === undefined) return history;
  const index = history.findIndex((entry) => entry.id === watermark.lastId);
  return index === -1 ? undefined : history.slice(index + 1);
}

const sentBy = (entry: Message, type: 'user' | 'agent'): boolean => entry.sender?.type === type;
