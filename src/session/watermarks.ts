// session/watermarks — where each task's history stood before its latest turn, per client. Recovery
// only counts history entries after the watermark, so a late reply to an earlier turn or the same
// text sent twice is never taken for this turn's. Bounded (an LRU): a forgotten task's next turn
// reads its history again. Also remembers whether this server is seen to store user messages,
// which is what lets recovery call a missing user entry proof that the message never arrived.
// Imports: errors, runtime (types), schemas (types), shared/lru.

import { AuthenticationError } from '../errors/errors.ts';
import type { Log } from '../runtime/logger.ts';
import type { Message } from '../schemas/wire.ts';
import { Lru } from '../shared/lru.ts';

/** Where a task's history stood before a turn was sent. */
export interface Watermark {
  /** Id of the last history entry; none when the history was empty (every entry has an id). */
  lastId?: string | undefined;
}

/** A failed turn's reply that may still come: an agent entry after a later message could be it. */
export interface AwaitedReply {
  /** Until when (`Date.now()` ms) the reply is waited for. */
  until: number;
  /** Where history stood before the failed turn; undefined when that is not known (nothing can be counted). */
  since: Watermark | undefined;
}

// Tasks whose watermark a client remembers.
const WATERMARKS_KEPT = 1000;

export class WatermarkStore {
  readonly #entries = new Lru<string, Watermark>(WATERMARKS_KEPT);
  /** Per task, the failed turns whose replies may still come, oldest first (see {@link AwaitedReply}). */
  readonly #awaiting = new Lru<string, AwaitedReply[]>(WATERMARKS_KEPT);
  /** Any history read so far held a user entry: the server stores user messages. */
  sawUserEntries = false;
  /** Watermark reads in flight, shared by every session of the client (one read per task). */
  readonly reading = new Map<string, Promise<void>>();
  /**
   * Tasks whose watermark read was refused for the key (after its one refresh). The socket takes
   * the same key, so a turn waiting on that read is failed before it is sent: nothing is lost, and
   * the caller learns of the key rather than of a turn cut off by the socket's 1008.
   */
  readonly #keyRefusals = new Lru<string, AuthenticationError>(WATERMARKS_KEPT);

  get(task_id: string): Watermark | undefined {
    return this.#entries.get(task_id);
  }

  /**
   * Reads the history that gives a task's first turn its watermark, unless the watermark is known
   * or being read (one read per task at a time, for every session of the client).
   */
  readFor(task_id: string, history: (task_id: string) => Promise<Message[]>, log: Log, where: string): void {
    if (this.get(task_id) || this.reading.has(task_id)) return;
    this.#keyRefusals.delete(task_id); // a new read, perhaps with a new key
    const read = history(task_id)
      .then((entries) => this.fromHistory(task_id, entries))
      .catch((error: unknown) => {
        if (error instanceof AuthenticationError) this.#keyRefusals.set(task_id, error);
        log('debug', `${where}: the watermark read failed; recovery cannot resend.`);
      })
      .finally(() => this.reading.delete(task_id));
    this.reading.set(task_id, read);
  }

  /**
   * The key was refused when the task's watermark was last read, so no turn on it can get through:
   * the error a turn fails with unsent (its message starts with `where`), else undefined.
   */
  keyRefusal(task_id: string, where: string): AuthenticationError | undefined {
    const refusal = this.#keyRefusals.get(task_id);
    if (!refusal) return undefined;
    return new AuthenticationError({
      status: refusal.status,
      body: refusal.body,
      headers: refusal.headers,
      requestId: refusal.requestId,
      // The refusal's message ends with the hint on where the key came from and who refused it.
      message: `${where}: the key was refused, so the message was not sent: ${refusal.message}`,
    });
  }

  /** Records a history read: the watermark for a task's first turn. */
  fromHistory(task_id: string, history: Message[]): void {
    this.#keyRefusals.delete(task_id);
    this.noteHistory(history);
    this.#entries.set(task_id, { lastId: history.at(-1)?.id });
  }

  /** What any read of a task's history teaches: does the server store user entries. */
  noteHistory(history: Message[]): void {
    this.sawUserEntries ||= history.some((entry) => isFrom(entry, 'user'));
  }

  /**
   * A turn that was sent failed, and its reply may still come within `ms`. `since` is the failed
   * turn's watermark: while the wait lasts, an agent entry after a later message counts as that
   * message's reply only if every message since `since` has one. Time ends each wait, because a
   * reply that never comes would otherwise hold every later recovery on the task.
   */
  awaitReply(task_id: string, ms: number, since: Watermark | undefined): void {
    const waits = this.#stillAwaited(task_id);
    waits.push({ until: Date.now() + ms, since });
    this.#awaiting.set(task_id, waits);
  }

  /** The earliest failed turn on the task whose reply may still come, if any: count from there. */
  awaitedReply(task_id: string): AwaitedReply | undefined {
    return this.#stillAwaited(task_id)[0];
  }

  /** The task's waits that have not ended, oldest first. */
  #stillAwaited(task_id: string): AwaitedReply[] {
    const now = Date.now();
    const waits = (this.#awaiting.get(task_id) ?? []).filter((wait) => wait.until > now);
    if (waits.length === 0) this.#awaiting.delete(task_id);
    else this.#awaiting.set(task_id, waits);
    return waits;
  }

  /** A final message moves the watermark past its turn. */
  advance(task_id: string, message: Message): void {
    this.#entries.set(task_id, { lastId: message.id });
  }
}

/** Who wrote a history entry. */
export function isFrom(entry: Message, type: 'user' | 'agent'): boolean {
  return entry.sender?.type === type;
}
