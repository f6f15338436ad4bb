// session/options — the streaming engine's whole timeout and reconnect policy on one screen: the
// defaults and how the client's and a session's values merge. A leaf: imports nothing.

/** How a session gets a new socket after losing one. Backoff is exponential with full jitter. */
export interface ReconnectOptions {
  /** Failed connects in a row before the session gives up (`APIConnectionError`). Default 10. */
  maxRetries?: number | undefined;
  /** Backoff base in ms: the first retry waits up to this long. Default 500. */
  minDelay?: number | undefined;
  /** Backoff cap in ms. Default 10 000. */
  maxDelay?: number | undefined;
  /** A socket that stayed open this long in ms counts as healthy: the failure count starts again. Default 5 000. */
  minUptime?: number | undefined;
}

/**
 * Streaming options: the client's `session` option sets them for every turn, `aui.session(options)`
 * overrides them for one session.
 *
 * @example
 * const aui = new AuiClient({ session: { idleTimeout: 30_000, reconnect: { maxRetries: 5 } } });
 */
export interface SessionOptions {
  /** ms for the WebSocket handshake before it counts as failed. Default 10 000. */
  connectTimeout?: number | undefined;
  /**
   * ms without a frame during a turn before its socket is closed and the turn is recovered from
   * history. Default 90 000 (the API defines no ping).
   */
  idleTimeout?: number | undefined;
  /** The reconnect policy; see {@link ReconnectOptions}. */
  reconnect?: ReconnectOptions | undefined;
  /** Bytes of turns waiting to be sent; a turn that would pass it is rejected. Default 1 MiB. */
  maxQueueBytes?: number | undefined;
  /** ms recovery may spend reading history for an interrupted turn. Default 60 000. */
  recoveryTimeout?: number | undefined;
}

/** Every option with its value: what the engine works with after the merge. */
export interface ResolvedSessionOptions {
  connectTimeout: number;
  idleTimeout: number;
  reconnect: { maxRetries: number; minDelay: number; maxDelay: number; minUptime: number };
  maxQueueBytes: number;
  recoveryTimeout: number;
}

/** The defaults (docs/streaming.md lists them for users). */
export const DEFAULTS: ResolvedSessionOptions = Object.freeze({
  connectTimeout: 10_000,
  idleTimeout: 90_000,
  maxQueueBytes: 1024 * 1024,
  recoveryTimeout: 60_000,
  reconnect: Object.freeze({ maxRetries: 10, minDelay: 500, maxDelay: 10_000, minUptime: 5_000 }),
});

/** Merges option layers over the defaults: a later layer wins; `undefined` sets nothing. */
export function resolveSessionOptions(...layers: Array<SessionOptions | undefined>): ResolvedSessionOptions {
  const { reconnect, ...timings } = DEFAULTS;
  return {
    ...withLayers(timings, layers),
    reconnect: withLayers(
      reconnect,
      layers.map((layer) => layer?.reconnect),
    ),
  };
}

/** A copy of `defaults` with every value a layer sets. */
function withLayers<T extends object>(
  defaults: T,
  layers: Array<{ [K in keyof T]?: T[K] | undefined } | undefined>,
): T {
  const merged = { ...defaults };
  for (const layer of layers) {
    for (const key of Object.keys(defaults) as Array<keyof T>) merged[key] = layer?.[key] ?? merged[key];
  }
  return merged;
}
