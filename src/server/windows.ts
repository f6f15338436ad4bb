// server/windows — the two ways a turn limit counts, as pure functions over one key's stored
// state (a fixed window's start and count, or a sliding window's accepted timestamps), and the
// in-memory counter built on them. The Durable Object counter (./cloudflare) stores the same
// state; the Redis counter (./redis) runs the same rules in Lua on the Redis server's clock.
// No timers: a Workers isolate forbids them at module scope, and windows are checked when hit.
// Imports: shared/lru, ./types (type). Never keys, mock or browser.

import { Lru } from '../shared/lru.ts';
import type { TurnCount, TurnCounter, TurnRule } from './types.ts';

/** One key's turns, as a counter stores them between hits. */
export type WindowState =
  { kind: 'fixed'; start: number; count: number } | { kind: 'sliding'; turns: number[] };

/** A hit counted: the state to store, the answer for the proxy, and when the state may be dropped. */
export interface Counted {
  state: WindowState;
  result: TurnCount;
  /** After this instant (ms since the epoch) the state counts nothing any more. */
  expiresAt: number;
}

/** Counts one turn at `now` against the state stored for its key (`undefined` when none). */
export function countTurn(
  stored: WindowState | undefined,
  now: number,
  windowMs: number,
  rule: TurnRule,
): Counted {
  if (rule.window === 'sliding') return countSliding(stored, now, windowMs, rule.limit);
  return countFixed(stored, now, windowMs);
}

/**
 * A window opens at a key's first turn and closes `windowMs` later; every hit, accepted or not,
 * adds one. The edge is known, so every answer carries it.
 */
function countFixed(stored: WindowState | undefined, now: number, windowMs: number): Counted {
  const open = stored?.kind === 'fixed' && now - stored.start < windowMs;
  const start = open ? stored.start : now;
  const count = open ? stored.count + 1 : 1;
  const expiresAt = start + windowMs;
  return {
    state: { kind: 'fixed', start, count },
    result: { count, retryAfterMs: expiresAt - now },
    expiresAt,
  };
}

/**
 * Only accepted turns are stored (a refused one must not push the user's next slot further
 * away), so the list never holds more than `limit` timestamps, oldest first.
 */
function countSliding(
  stored: WindowState | undefined,
  now: number,
  windowMs: number,
  limit: number,
): Counted {
  const recent = stored?.kind === 'sliding' ? stored.turns.filter((at) => now - at < windowMs) : [];
  if (recent.length < limit) {
    const turns = [...recent, now];
    return { state: { kind: 'sliding', turns }, result: { count: turns.length }, expiresAt: now + windowMs };
  }
  const result = { count: recent.length + 1, retryAfterMs: slidingRetryAfter(recent, now, windowMs, limit) };
  const newest = recent.at(-1) ?? now;
  return { state: { kind: 'sliding', turns: recent }, result, expiresAt: newest + windowMs };
}

/**
 * A full sliding window lets a turn in once enough of its oldest turns have aged out for the
 * count to drop below the limit: when the (length − limit)th turn (from 0) is `windowMs` old.
 */
export function slidingRetryAfter(turns: number[], now: number, windowMs: number, limit: number): number {
  const freeing = turns[turns.length - limit];
  return freeing === undefined ? windowMs : freeing + windowMs - now;
}

/**
 * The default counter: each key's state in a bounded LRU (10 000 keys) in this process or
 * isolate. Several instances each allow the full rate — the reason for the shared counters.
 */
export function memoryCounter(maxKeys = 10_000): TurnCounter {
  const windows = new Lru<string, WindowState>(maxKeys);
  return {
    hit(key, windowMs, rule) {
      const { state, result } = countTurn(windows.get(key), Date.now(), windowMs, rule);
      windows.set(key, state);
      return result;
    },
  };
}
