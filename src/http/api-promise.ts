// http/api-promise — what every REST method returns: a Promise of the data that also offers
// `.withResponse()` for the raw `Response` and the server's request id.
// Imports nothing.

/** What `.withResponse()` resolves to: the parsed data with the reply it came from. */
export interface WithResponse<T> {
  /** The checked data, as the method itself resolves. */
  data: T;
  /** The raw reply (status, headers); its body has already been read. */
  response: Response;
  /** The server's `x-request-id`, when it sent one (quote it to AUI support). */
  requestId?: string;
}

/**
 * What every REST method returns: a Promise of the data, so `await aui.tasks.get(id)` gives the
 * task, that also offers `.withResponse()` for the raw `Response` and the server's request id.
 * It rejects with an `AuiError` subclass (docs/errors.md lists them).
 * @example
 * const { data: task, response, requestId } = await aui.tasks.get(id).withResponse();
 */
export class APIPromise<T> extends Promise<T> {
  #result: Promise<WithResponse<T>>;

  /** @internal Made by every REST method. */
  constructor(result: Promise<WithResponse<T>>) {
    // The base promise is never used: every then/catch/finally goes to `#result` (and returns a
    // plain Promise, not another APIPromise), so an error is reported once, by whichever of the
    // two the caller awaited.
    super((resolve) => resolve(undefined as T));
    this.#result = result;
  }

  /**
   * The parsed data together with the `Response` it came from and its `x-request-id`. Rejects
   * with the same error as the promise itself.
   */
  withResponse(): Promise<WithResponse<T>> {
    return this.#result;
  }

  #parsed(): Promise<T> {
    return this.#result.then((r) => r.data);
  }

  override then<A = T, B = never>(
    onfulfilled?: ((value: T) => A | PromiseLike<A>) | null,
    onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return this.#parsed().then(onfulfilled, onrejected);
  }

  // `catch` is Promise's own: it calls `this.then(undefined, onrejected)`, the override above.
  // `finally` is not: Promise's would build its result through this class's constructor.
  override finally(onfinally?: (() => void) | null): Promise<T> {
    return this.#parsed().finally(onfinally);
  }
}
