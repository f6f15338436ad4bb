// stream/event-queue — what a `for await` reader of a MessageStream has not read yet: the events in
// order, then the end (or the error, thrown once). One waiting reader at a time, as an async
// iterator has. Imports nothing.

const DONE: IteratorResult<never, undefined> = Object.freeze({ value: undefined, done: true });

export class EventQueue<T> {
  #items: T[] = [];
  #head = 0;
  #ended = false;
  #error: { value: unknown } | undefined;
  #waiting:
    { resolve: (result: IteratorResult<T, undefined>) => void; reject: (error: unknown) => void } | undefined;

  push(item: T): void {
    const waiting = this.#waiting;
    if (waiting) {
      this.#waiting = undefined;
      waiting.resolve({ value: item, done: false });
    } else {
      this.#items.push(item);
    }
  }

  /** No more events; `error` (if any) is what the next read after the last event throws. */
  end(error?: { value: unknown }): void {
    this.#ended = true;
    this.#error = error;
    const waiting = this.#waiting;
    if (!waiting) return;
    this.#waiting = undefined;
    this.#settleEnd(waiting.resolve, waiting.reject);
  }

  next(): Promise<IteratorResult<T, undefined>> {
    if (this.#head < this.#items.length) {
      const value = this.#items[this.#head++] as T;
      // Reset once drained, so a long turn read as fast as it arrives keeps a short array.
      if (this.#head === this.#items.length) {
        this.#items.length = 0;
        this.#head = 0;
      }
      return Promise.resolve({ value, done: false });
    }
    return new Promise((resolve, reject) => {
      if (this.#ended) this.#settleEnd(resolve, reject);
      else this.#waiting = { resolve, reject };
    });
  }

  /** Drops what was not read (the reader left with `break`). */
  clear(): void {
    this.#items.length = 0;
    this.#head = 0;
    this.#ended = true;
    this.#error = undefined;
  }

  #settleEnd(
    resolve: (result: IteratorResult<T, undefined>) => void,
    reject: (error: unknown) => void,
  ): void {
    const error = this.#error;
    this.#error = undefined; // thrown once; reads after it are done
    if (error) reject(error.value);
    else resolve(DONE);
  }
}
