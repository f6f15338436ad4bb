// server/ownership — "is this task the user's?" A task of another user must look exactly like
// a task that does not exist (404), so the answer comes from AUI: `tasks.get(id).user_id`, or,
// where the server has no such endpoint (404/405), a scan of the user's own task list.
// Verdicts are cached per (user, task) in a bounded LRU; they never change, since ids are
// minted by AUI. Transient failures (5xx, timeouts) are thrown, never cached.
// Imports: client (type), errors/, shared/. Never keys, mock or browser.

import type { AuiClient } from '../client/client.ts';
import { APIError } from '../errors/errors.ts';
import { Lru } from '../shared/lru.ts';

// A user with more tasks than this is not scanned further: the older tasks read as not theirs.
const MAX_SCAN = 5_000;

export class Ownership {
  readonly #verdicts: Lru<string, boolean>;
  // Set once tasks.get proved absent on this server; from then on ownership is read from the list.
  #noGet = false;

  constructor(size = 1_000) {
    this.#verdicts = new Lru(size);
  }

  /** A task just created for the user through the proxy: no need to ask AUI again. */
  remember(userId: string, taskId: string): void {
    this.#verdicts.set(key(userId, taskId), true);
  }

  async owns(client: AuiClient, userId: string, taskId: string, signal?: AbortSignal): Promise<boolean> {
    const cacheKey = key(userId, taskId);
    const cached = this.#verdicts.get(cacheKey);
    if (cached !== undefined) return cached;
    const options = signal ? { signal } : {};
    let verdict: boolean | undefined;
    if (!this.#noGet) {
      try {
        verdict = (await client.tasks.get(taskId, options)).user_id === userId;
      } catch (error) {
        if (!(error instanceof APIError) || (error.status !== 404 && error.status !== 405)) throw error;
        if (error.status === 405) this.#noGet = true;
      }
    }
    if (verdict === undefined) {
      verdict = await scan(client, userId, taskId, options);
      // tasks.get said 404 for a task the user does have: the endpoint is what is missing.
      if (verdict) this.#noGet = true;
    }
    this.#verdicts.set(cacheKey, verdict);
    return verdict;
  }
}

// Task ids are looked up only after ./input checked them (^[A-Za-z0-9_-]{1,128}$): no newline,
// so the pair cannot be confused.
const key = (userId: string, taskId: string) => `${userId}\n${taskId}`;

async function scan(
  client: AuiClient,
  userId: string,
  taskId: string,
  options: { signal?: AbortSignal },
): Promise<boolean> {
  let seen = 0;
  for await (const task of client.tasks.iterate({ user_id: userId, size: 100 }, options)) {
    if (task.id === taskId) return true;
    if (++seen >= MAX_SCAN) break;
  }
  return false;
}
