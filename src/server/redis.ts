/**
 * The proxy's turn limit counted in Redis (`redisCounter`), shared by every process that talks to
 * one Redis.
 * @module aui-messaging/server/redis
 */
// server/redis — entry of `aui-messaging/server/redis`: `redisCounter(client)`, the proxy's turn
// limit counted in Redis, so every process, serverless instance and region that talks to one
// Redis shares one count per user. Each hit is one short Lua script (atomic on the server, on
// the Redis server's clock: one clock for every proxy), on keys that expire on their own.
// Takes the client as an argument and imports nothing from `redis`: the package stays an
// optional peer, and any client that can run EVAL fits (see `RedisEvalClient`).
// Imports: errors/, ./types (type). Never node:*, keys, mock or browser.

import { InvalidRequestError } from '../errors/errors.ts';
import type { TurnCount, TurnCounter, TurnRule } from './types.ts';

/**
 * The one method `redisCounter` calls: EVAL with keys and arguments, resolving with the script's
 * reply (an array of integers). The official `redis` client has it as is (the same signature in
 * node-redis 4, 5 and 6; tested with 6.4.0). Each call names one key, so a cluster client fits
 * too. Other clients take a one-line wrapper (not tested here):
 * @example
 * // ioredis
 * redisCounter({ eval: (script, { keys, arguments: args }) => io.eval(script, keys.length, ...keys, ...args) });
 * // @upstash/redis (HTTP, so it also runs on Workers and Vercel Edge)
 * redisCounter({ eval: (script, { keys, arguments: args }) => upstash.eval(script, keys, args) });
 */
export interface RedisEvalClient {
  /** Runs `script` with `keys` and `arguments`, resolving with its reply. */
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
}

/** Options of `redisCounter`. */
export interface RedisCounterOptions {
  /**
   * Put before every key, so the counter's keys are told apart from the app's own. Default
   * `'aui-messaging:'`; a key reads `aui-messaging:fixed:aui-turns:<userId>`.
   */
  prefix?: string;
}

// KEYS[1]: the key. ARGV[1]: the window in ms. Every hit adds one; the first one of a window
// (a key with no expiry yet) sets it to expire at the window's edge, which PTTL then reports.
const FIXED_WINDOW = `
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
`;

// KEYS[1]: the key. ARGV[1]: the window in ms. ARGV[2]: the limit. A sorted set of the accepted
// turns, scored by the server's time in ms: drop the ones older than the window, then accept
// this turn if fewer than the limit remain. A refused turn is not stored, and answers when the
// turn that keeps the window full ages out. The member adds the microseconds and the count, so
// two turns in one millisecond are two members.
const SLIDING_WINDOW = `
local window = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
if count < limit then
  redis.call('ZADD', KEYS[1], now, time[1] .. '.' .. time[2] .. '-' .. count)
  redis.call('PEXPIRE', KEYS[1], window)
  return {count + 1}
end
local freeing = redis.call('ZRANGE', KEYS[1], count - limit, count - limit, 'WITHSCORES')
if freeing[2] == nil then
  return {count + 1, window}
end
return {count + 1, tonumber(freeing[2]) + window - now}
`;

/**
 * A `TurnCounter` on Redis, for `createAuiHandler`'s `limits.counter`: one count per user shared
 * by every proxy instance that uses this Redis. Supports both `limits.window` values (a fixed
 * window is a counter key with an expiry; a sliding one is a sorted set of at most `limit`
 * timestamps) and reports the window's edge, so `retry-after` is exact. Give the client an
 * `error` listener (node-redis emits one on every lost connection) and consider
 * `disableOfflineQueue: true`, so a turn fails at once while Redis is unreachable instead of
 * waiting out `limits.counterTimeoutMs`; `limits.counterFailure` decides what happens then.
 * @param client a connected `redis` client (`createClient().connect()`), a cluster client, or
 *   anything with the same `eval` (see `RedisEvalClient`).
 * @throws InvalidRequestError when `client` has no `eval` method.
 * @example
 * import { createClient } from 'redis';
 * import { createAuiHandler } from 'aui-messaging/server';
 * import { redisCounter } from 'aui-messaging/server/redis';
 *
 * const redis = await createClient({ url: process.env.REDIS_URL }).on('error', console.error).connect();
 * export const handler = createAuiHandler({
 *   apiKey: process.env.AUI_NETWORK_API_KEY,
 *   authorize: (request) => getUser(request),
 *   limits: { turnsPerMinute: 30, counter: redisCounter(redis) },
 * });
 */
export function redisCounter(client: RedisEvalClient, options: RedisCounterOptions = {}): TurnCounter {
  if (typeof client?.eval !== 'function')
    throw new InvalidRequestError(
      'redisCounter: `client` must be a connected Redis client with an `eval(script, { keys, arguments })` method.',
      ['client'],
    );
  const prefix = options.prefix ?? 'aui-messaging:';
  if (typeof prefix !== 'string')
    throw new InvalidRequestError('redisCounter: `prefix` must be a string.', ['prefix']);

  return {
    async hit(key: string, windowMs: number, rule: TurnRule): Promise<TurnCount> {
      const window = String(Math.ceil(windowMs));
      // The two kinds store different types (a string, a sorted set): the window is in the key.
      const keys = [`${prefix}${rule.window}:${key}`];
      if (rule.window === 'sliding')
        return readReply(
          await client.eval(SLIDING_WINDOW, { keys, arguments: [window, String(rule.limit)] }),
        );
      return readReply(await client.eval(FIXED_WINDOW, { keys, arguments: [window] }));
    },
  };
}

/** `[count]` or `[count, retryAfterMs]` → a `TurnCount`; anything else is a failed hit. */
function readReply(reply: unknown): TurnCount {
  const [count, retryAfterMs] = Array.isArray(reply) ? (reply as unknown[]).map(Number) : [];
  if (count === undefined || !Number.isFinite(count))
    throw new TypeError(`redisCounter: Redis answered ${String(reply)}; expected [count] or [count, ms].`);
  if (retryAfterMs === undefined || !Number.isFinite(retryAfterMs)) return { count };
  return { count, retryAfterMs };
}
