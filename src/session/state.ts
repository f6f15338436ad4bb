// session/state — the words a session's state is told in: its kind, where its connection stands,
// the `state` event a user listens to, and the name its messages start with. A leaf: imports nothing.

/** One turn on its own socket (`messages.stream`), or one socket across turns (`aui.session()`). */
export type SessionKind = 'one-shot' | 'long-lived';

/** Where a session's connection stands. */
export type SessionState = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** A `state` event: the change, with the wait before the next attempt and why, while reconnecting. */
export interface StateChange {
  /** The state before. */
  previous: SessionState;
  /** The state now. */
  current: SessionState;
  /** ms until the next attempt, while reconnecting. */
  retryIn?: number;
  /** Why: the close code or cause, with the host (`could not connect to host:443 (ECONNREFUSED)`). */
  reason?: string;
}

/** What a session's messages and errors start with: the call the user made. */
export function callName(kind: SessionKind): 'messages.stream' | 'session' {
  return kind === 'one-shot' ? 'messages.stream' : 'session';
}
