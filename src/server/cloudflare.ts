/**
 * The proxy's turn limit counted in a Cloudflare Durable Object (`durableObjectCounter`,
 * `AuiTurnCounterObject`), shared by every isolate of a Worker.
 * @module aui-messaging/server/cloudflare
 */
// server/cloudflare — entry of `aui-messaging/server/cloudflare`: the proxy's turn limit counted
// in a Durable Object, so every isolate of a Worker (and every Worker bound to the namespace)
// shares one count per user. One object per counter key (`aui-turns:<userId>`): a user's turns
// are serialised by their own object, and users spread over as many objects as there are users.
// The object keeps the same state as the in-memory counter (./windows) in its storage and
// deletes it with an alarm once it counts nothing. Web build: no `cloudflare:*` import (the
// class needs no base class), no node:*, no timers at module scope.
// Imports: errors/, ./windows, ./types (type). Never keys, mock or browser.

import { InvalidRequestError } from '../errors/errors.ts';
import type { TurnCount, TurnCounter, TurnRule } from './types.ts';
import { countTurn, type WindowState } from './windows.ts';

/**
 * The parts of a Durable Object namespace binding (`env.AUI_TURNS`) the counter uses; a
 * `DurableObjectNamespace` from `@cloudflare/workers-types` fits.
 */
export interface TurnCounterNamespace<Id = unknown> {
  /** The id of the object that counts `name` (one object per counter key). */
  idFromName(name: string): Id;
  /** A stub of that object, to send it one request per turn. */
  get(id: Id): {
    /** Sends one request to the object. */
    fetch(url: string, init: TurnCounterRequestInit): Promise<Response>;
  };
}

/** The request the counter sends to its object: one JSON POST per turn. */
export interface TurnCounterRequestInit {
  /** Always `'POST'`. */
  method: 'POST';
  /** `content-type: application/json`. */
  headers: Record<string, string>;
  /** The hit as JSON: the window and the rule. */
  body: string;
}

/** The parts of `DurableObjectState` the object uses: its key-value storage and its alarm. */
export interface TurnCounterObjectState {
  /** The object's own storage. */
  storage: {
    /** Reads a stored value. */
    get<T>(key: string): Promise<T | undefined>;
    /** Stores a value. */
    put<T>(key: string, value: T): Promise<void>;
    /** Empties the storage. */
    deleteAll(): Promise<void>;
    /** When the alarm is set for (epoch ms), or null. */
    getAlarm(): Promise<number | null>;
    /** Sets the alarm that empties the storage once the window has passed. */
    setAlarm(scheduledTime: number): Promise<void>;
  };
}

/** What one hit sends to the object. */
interface HitRequest extends TurnRule {
  windowMs: number;
}

/** What the object stores: the window's state and when it stops counting anything. */
interface StoredTurns {
  state: WindowState;
  expiresAt: number;
}

const STORAGE_KEY = 'turns';

/**
 * The Durable Object class behind `durableObjectCounter`. Export it from your Worker's main
 * module and bind it (wrangler: `durable_objects.bindings` with `class_name =
 * "AuiTurnCounterObject"`, and a migration listing it in `new_sqlite_classes`). Each object
 * counts one key; its storage is emptied by an alarm once the window has passed.
 * @example
 * // worker.ts
 * export { AuiTurnCounterObject } from 'aui-messaging/server/cloudflare';
 */
export class AuiTurnCounterObject {
  readonly #storage: TurnCounterObjectState['storage'];

  constructor(state: TurnCounterObjectState) {
    this.#storage = state.storage;
  }

  /** Counts one turn. Storage calls only between reading and writing: the object's input gate makes the pair atomic. */
  async fetch(request: Request): Promise<Response> {
    const hit = readHitRequest(await request.json().catch(() => undefined));
    if (!hit) return Response.json({ error: 'Expected { windowMs, limit, window }.' }, { status: 400 });
    const stored = await this.#storage.get<StoredTurns>(STORAGE_KEY);
    const { state, result, expiresAt } = countTurn(stored?.state, Date.now(), hit.windowMs, hit);
    await this.#storage.put<StoredTurns>(STORAGE_KEY, { state, expiresAt });
    if ((await this.#storage.getAlarm()) === null) await this.#storage.setAlarm(expiresAt);
    return Response.json(result satisfies TurnCount);
  }

  /** Empties the object once its window has passed, or looks again when the window will have. */
  async alarm(): Promise<void> {
    const stored = await this.#storage.get<StoredTurns>(STORAGE_KEY);
    if (stored && stored.expiresAt > Date.now()) await this.#storage.setAlarm(stored.expiresAt);
    else await this.#storage.deleteAll();
  }
}

function readHitRequest(body: unknown): HitRequest | undefined {
  const { windowMs, limit, window } = (body ?? {}) as Partial<HitRequest>;
  if (typeof windowMs !== 'number' || !(windowMs > 0) || typeof limit !== 'number' || !(limit >= 0))
    return undefined;
  if (window !== 'fixed' && window !== 'sliding') return undefined;
  return { windowMs, limit, window };
}

/**
 * A `TurnCounter` on Durable Objects, for `createAuiHandler`'s `limits.counter`: one object per
 * user (`namespace.idFromName('aui-turns:<userId>')`), shared by every isolate and every Worker
 * bound to the namespace. Supports both `limits.window` values and reports the window's edge,
 * so `retry-after` is exact. A failed or slow object is handled by `limits.counterFailure`.
 * @param namespace the binding of `AuiTurnCounterObject` (`env.AUI_TURNS`).
 * @throws InvalidRequestError when `namespace` is not a Durable Object namespace binding.
 * @example
 * import { env } from 'cloudflare:workers';
 * import { createAuiHandler } from 'aui-messaging/server';
 * import { durableObjectCounter } from 'aui-messaging/server/cloudflare';
 * export { AuiTurnCounterObject } from 'aui-messaging/server/cloudflare';
 *
 * const handler = createAuiHandler({
 *   apiKey: env.AUI_NETWORK_API_KEY,
 *   authorize: (request) => getUser(request),
 *   limits: { turnsPerMinute: 30, counter: durableObjectCounter(env.AUI_TURNS) },
 * });
 * export default { fetch: handler.fetch };
 */
export function durableObjectCounter<Id>(namespace: TurnCounterNamespace<Id>): TurnCounter {
  if (typeof namespace?.idFromName !== 'function' || typeof namespace.get !== 'function')
    throw new InvalidRequestError(
      'durableObjectCounter: `namespace` must be the Durable Object binding of AuiTurnCounterObject (env.AUI_TURNS, say).',
      ['namespace'],
    );
  return {
    async hit(key: string, windowMs: number, rule: TurnRule): Promise<TurnCount> {
      const object = namespace.get(namespace.idFromName(key));
      const hit: HitRequest = { windowMs, limit: rule.limit, window: rule.window };
      // The URL only has to parse: a stub routes every request to its object.
      const response = await object.fetch('https://aui-turn-counter.invalid/hit', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(hit),
      });
      if (!response.ok)
        throw new Error(`durableObjectCounter: the counter object answered ${response.status}.`);
      return (await response.json()) as TurnCount;
    },
  };
}
