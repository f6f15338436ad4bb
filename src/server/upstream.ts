// server/upstream — which AuiClient serves a request. A given `client` always; a string or
// KeyProvider `apiKey` → one client, made on the first request (never at module scope: Workers
// forbid I/O and timers there); an `apiKey` function → called with each request's `env`
// (Workers bindings), one client per distinct key so a rotated binding takes effect at once.
// The build (web or Node) decides how a client is made: only Node 20 lacks a global WebSocket.
// Imports: client (types), errors/, shared/. Never mock, cli or browser.

import type { AuiClient } from '../client/client.ts';
import type { AuiClientOptions } from '../client/options.ts';
import { InvalidRequestError } from '../errors/errors.ts';
import { Lru } from '../shared/lru.ts';
import type { AuiHandlerOptions } from './types.ts';

export type MakeClient = (options: AuiClientOptions) => AuiClient;

// Distinct keys seen from `env` at once: the current one and a few during a rotation.
const KEYS_KEPT = 4;

export function upstreamClients<Env>(
  options: AuiHandlerOptions<Env>,
  make: MakeClient,
): (env: Env | undefined) => AuiClient | Promise<AuiClient> {
  const { client, apiKey } = options;
  if (client) return () => client;
  const base: AuiClientOptions = {};
  if (options.region) base.region = options.region;
  if (options.baseUrl) base.baseUrl = options.baseUrl;
  if (options.wsUrl) base.wsUrl = options.wsUrl;
  if (typeof apiKey === 'function') {
    const clients = new Lru<string, AuiClient>(KEYS_KEPT);
    return async (env) => {
      const key = await apiKey(env as Env);
      if (typeof key !== 'string' || key === '')
        throw new InvalidRequestError('apiKey(env) returned no key.', ['apiKey']);
      let made = clients.get(key);
      if (!made) {
        made = make({ ...base, apiKey: key });
        clients.set(key, made);
      }
      return made;
    };
  }
  // Made on the first request, inside the pipeline's error handling: a missing key is that
  // request's failure (logged, a 500), not a throw at import time.
  let single: AuiClient | undefined;
  return () => (single ??= make(apiKey === undefined ? base : { ...base, apiKey }));
}
