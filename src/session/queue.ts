// session/queue — a session's turns: the one on the socket (or being recovered), which the others
// wait behind, and the waiting ones, first in first out within a byte budget. Every way a turn ends
// goes through here, so a turn always leaves the queue, stops its timers and ends its stream
// together. Knows no sockets. Imports: errors, schemas (types), ./turn, ./watermarks.

import { APIConnectionError, type AuiError } from '../errors/errors.ts';
import type { Message } from '../schemas/wire.ts';
import type { Turn } from './turn.ts';
import type { WatermarkStore } from './watermarks.ts';

export class TurnQueue {
  readonly #waiting: Turn[] = [];
  readonly #maxBytes: number;
  readonly #watermarks: WatermarkStore;
  readonly #replyWait: number;
  #bytes = 0;
  #current: Turn | undefined;

  /** `replyWait`: how long (ms) a failed turn's reply may still come. */
  constructor(maxBytes: number, watermarks: WatermarkStore, replyWait: number) {
    this.#maxBytes = maxBytes;
    this.#watermarks = watermarks;
    this.#replyWait = replyWait;
  }

  /** The turn on the socket or being recovered: nothing else is sent until it is done. */
  get current(): Turn | undefined {
    return this.#current;
  }

  /** Turns waiting to be sent. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /** The turn to send next, when none is current. */
  get next(): Turn | undefined {
    return this.#current ? undefined : this.#waiting[0];
  }

  /** The turn whose task a REST read is about: the current one, else the next. */
  get first(): Turn | undefined {
    return this.#current ?? this.#waiting[0];
  }

  /** The error for a turn that would pass the byte budget (it is then not queued), or undefined. */
  overflow(turn: Turn, where: string): APIConnectionError | undefined {
    if (this.#bytes + turn.bytes <= this.#maxBytes) return undefined;
    const error = new APIConnectionError(
      `${where}: the queue is full (maxQueueBytes); the turn was not sent.`,
    );
    error.delivered = false;
    return error;
  }

  add(turn: Turn): void {
    this.#waiting.push(turn);
    this.#bytes += turn.bytes;
  }

  /** The next turn becomes current (the caller sends it). */
  start(turn: Turn): void {
    this.#remove(turn);
    this.#current = turn;
  }

  /** The turn ends with its final message. */
  complete(turn: Turn, message: Message, recovered = false): void {
    this.#release(turn);
    turn.sink.final(message, recovered);
  }

  /**
   * The turn ends with an error, which says whether AUI got the message (unless it already does).
   * A sent turn AUI may still answer is remembered for its task: that late reply must never be
   * taken for a later turn's.
   */
  fail(turn: Turn, error: AuiError): void {
    const sent = turn.state !== 'queued';
    error.delivered ??= turn.delivered;
    this.#release(turn);
    turn.sink.fail(error);
    if (sent && error.delivered !== false) {
      this.#watermarks.awaitReply(turn.params.task_id, this.#replyWait, turn.watermark);
    }
  }

  /** Back at the head of the queue, before the turns that waited behind it: it is sent again. */
  requeue(turn: Turn): void {
    if (this.#current === turn) this.#current = undefined;
    turn.requeue();
    this.#waiting.unshift(turn);
    this.#bytes += turn.bytes;
  }

  /** Every turn, current and waiting, fails with (a copy of) `error`: each copy carries its own turn's `delivered`. */
  failAll(error: AuiError): void {
    const turns = this.#current ? [this.#current, ...this.#waiting] : [...this.#waiting];
    for (const turn of turns) this.fail(turn, copyOf(error));
  }

  /** The waiting turns only; the current one stays. */
  takeWaiting(): Turn[] {
    const turns = this.#waiting.splice(0);
    this.#bytes = 0;
    return turns;
  }

  #release(turn: Turn): void {
    this.#remove(turn);
    if (this.#current === turn) this.#current = undefined;
    turn.finish();
  }

  #remove(turn: Turn): void {
    const index = this.#waiting.indexOf(turn);
    if (index === -1) return;
    this.#waiting.splice(index, 1);
    this.#bytes -= turn.bytes;
  }
}

/** The same failure for another turn. */
function copyOf(error: AuiError): AuiError {
  const copy = Object.create(Object.getPrototypeOf(error) as object) as AuiError;
  for (const key of Reflect.ownKeys(error)) {
    if (key !== 'delivered') Object.defineProperty(copy, key, Object.getOwnPropertyDescriptor(error, key)!);
  }
  return copy;
}
