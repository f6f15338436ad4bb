/**
 * session/options — the whole reconnect/timeout policy of the streaming engine, on one screen:
 * defaults and how client and per-session values merge (the backoff is runtime/timers' jitter).
 * Leaf module: imports nothing.
 */

export interface ReconnectOptions {
  /** Reconnect attempts in a row before giving up. Default 10. */
  maxRetries?: number;
  /** Backoff base in ms. Default 500. */
  minDelay?: number;
  /** Backoff cap in ms. Default 10 000. */
  maxDelay?: number;
  /** A connection open this long resets the attempt count. Default 5 000. */
  minUptime?: number;
}

export interface SessionOptions {
  /** ms for the WebSocket handshake. Default 10 000. */
  connectTimeout?: number;
  /** ms without a frame during a turn before its socket is closed and recovery runs. Default 90 000 (the API defines no ping). */
  idleTimeout?: number;
  reconnect?: ReconnectOptions;
  /** Bytes of turns waiting to be sent; a turn that would overflow is rejected. Default 1 MiB. */
  maxQueueBytes?: number;
  /** ms recovery may spend reading history for an interrupted turn. Default 60 000. */
  recoveryTimeout?: number;
}

export interface ResolvedSessionOptions {
  connectTimeout: number;
  idleTimeout: number;
  reconnect: Required<ReconnectOptions>;
  maxQueueBytes: number;
  recoveryTimeout: number;
}

export function resolveSessionOptions(...layers: Array<SessionOptions | undefined>): ResolvedSessionOptions {
  // Each default is replaced by the last part that sets it (`undefined` sets nothing). `defaults`
  // is a fresh literal on every call, so it is filled in place.
  const merge = <T extends object>(defaults: T, parts: Array<Partial<T> | undefined>): T => {
    for (const part of parts) for (const key in defaults) defaults[key] = part?.[key] ?? defaults[key];
    return defaults;
  };
  return {
    ...merge(
      { connectTimeout: 10_000, idleTimeout: 90_000, maxQueueBytes: 1024 * 1024, recoveryTimeout: 60_000 },
      layers,
    ),
    reconnect: merge(
      { maxRetries: 10, minDelay: 500, maxDelay: 10_000, minUptime: 5_000 },
      layers.map((layer) => layer?.reconnect),
    ),
  };
}
