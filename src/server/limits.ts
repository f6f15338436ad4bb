/**
 * server/limits — the proxy's limits and their defaults: body bytes, text length, and turns
 * per user per minute through a pluggable `TurnCounter` (in memory by default). No timers: a
 * Workers isolate forbids them at module scope, and windows are checked when hit.
 * Imports: ./lru, ./errors, ./types (type). Never keys, mock or browser.
 */
import { Refusal } from './errors.ts';
import { Lru } from '../shared/lru.ts';
import type { AuiHandlerLimits, TurnCounter } from './types.ts';

export const TURN_WINDOW_MS = 60_000;

export interface ResolvedLimits {
  maxBodyBytes: number;
  maxTextLength: number;
  turnsPerMinute: number | undefined;
  counter: TurnCounter;
}

export function resolveLimits(limits: AuiHandlerLimits = {}): ResolvedLimits {
  return {
    maxBodyBytes: limits.maxBodyBytes ?? 64 * 1024,
    maxTextLength: limits.maxTextLength ?? 16_000,
    turnsPerMinute: limits.turnsPerMinute,
    counter: limits.counter ?? memoryCounter(),
  };
}

/**
 * Fixed windows per key, in a bounded LRU (10 000 keys): per process or isolate, so several
 * instances each allow the full rate — pass a shared `counter` (KV, Redis) when that matters.
 */
export function memoryCounter(maxKeys = 10_000): TurnCounter {
  const windows = new Lru<string, { start: number; count: number }>(maxKeys);
  return {
    hit(key, windowMs) {
      const now = Date.now();
      const current = windows.get(key);
      const window = current && now - current.start < windowMs ? current : { start: now, count: 0 };
      window.count++;
      windows.set(key, window);
      return window.count;
    },
  };
}

/** 429 with `retry-after` once the user's turns in this minute pass the limit. */
export async function checkTurnRate(limits: ResolvedLimits, userId: string): Promise<void> {
  if (limits.turnsPerMinute === undefined) return;
  const count = await limits.counter.hit(`aui-turns:${userId}`, TURN_WINDOW_MS);
  if (count > limits.turnsPerMinute) {
    // The counter reports counts, not window edges: a full window is the honest upper bound.
    throw new Refusal(
      429,
      `More than ${limits.turnsPerMinute} messages a minute; try again later.`,
      { retry_after_ms: TURN_WINDOW_MS },
      { 'retry-after': String(TURN_WINDOW_MS / 1000) },
    );
  }
}
