// stream/listeners — a MessageStream's listeners: added, removed, and called in order, on the hot
// path once per frame. A listener's throw goes back to the caller, which decides what it means for
// the turn. Imports nothing.

type Listener = (a?: unknown, b?: unknown) => void;

export class Listeners<Event extends string> {
  #byEvent: { [E in Event]?: Array<{ fn: Listener; once: boolean }> | undefined } = {};

  add(event: Event, fn: Listener, once: boolean): void {
    (this.#byEvent[event] ??= []).push({ fn, once });
  }

  remove(event: Event, fn: Listener): void {
    this.#byEvent[event] = this.#byEvent[event]?.filter((entry) => entry.fn !== fn);
  }

  /**
   * Calls each listener of `event` with `a` and `b` until one throws: returns `{ error }` then (the
   * ones after it are not called), else undefined. No rest arguments, no copy of the array:
   * `remove` replaces it, so a listener removing itself cannot disturb this loop.
   */
  emit(event: Event, a?: unknown, b?: unknown): { error: unknown } | undefined {
    const listeners = this.#byEvent[event];
    if (listeners === undefined) return undefined;
    for (let i = 0; i < listeners.length; i++) {
      const listener = listeners[i]!;
      if (listener.once) this.remove(event, listener.fn);
      try {
        listener.fn(a, b);
      } catch (error) {
        return { error };
      }
    }
    return undefined;
  }

  /** Calls every listener of `event`, even after one threw; returns what they threw. */
  emitAll(event: Event, a?: unknown): unknown[] {
    const errors: unknown[] = [];
    for (const listener of this.#byEvent[event] ?? []) {
      if (listener.once) this.remove(event, listener.fn);
      try {
        listener.fn(a);
      } catch (error) {
        errors.push(error);
      }
    }
    return errors;
  }
}
