// cli/key-check — does a key work? One cheap authenticated call, used by `login` (before saving)
// and `whoami` (to say whether the saved key still works).
// Imports: the SDK's public entry, ./backend, ./render, ./terminal.

import { type ApiKeyInput, AuthenticationError, PermissionDeniedError } from '../index.node.ts';
import { createClient, describeTarget, type Target } from './backend.ts';
import { formatError } from './render.ts';
import type { Terminal } from './terminal.ts';

/**
 * The call is `tasks.list({ user_id: CHECK_USER, size: 1 })`: a GET, so it creates nothing in the
 * account (`tasks.create` would leave a task behind on every login); for a user id nobody uses it
 * returns an empty page of at most one task; and the server checks the key before anything else
 * (route, then the key, then the query), so a 401 means the key and nothing else.
 */
const CHECK_USER = 'aui-messaging-cli-key-check';
/** A check is one attempt, with no retries: a person is waiting for the answer. */
const CHECK_TIMEOUT_MS = 15_000;

export type KeyCheck =
  | { works: true }
  /** `rejected`: the server said no to the key (401/403); otherwise the check itself failed. */
  | { works: false; rejected: boolean; status?: number; reason: string };

export async function checkKey(
  apiKey: ApiKeyInput,
  target: Target,
  term: Terminal,
  signal?: AbortSignal,
): Promise<KeyCheck> {
  const aui = createClient(apiKey, target, term, { maxRetries: 0, timeout: CHECK_TIMEOUT_MS });
  const stop = term.spin(`checking the key with ${describeTarget(target)}…`);
  try {
    await aui.tasks.list({ user_id: CHECK_USER, size: 1 }, signal ? { signal } : {});
    return { works: true };
  } catch (error) {
    if (signal?.aborted) throw error; // interrupted: not an answer about the key
    if (error instanceof AuthenticationError || error instanceof PermissionDeniedError)
      return { works: false, rejected: true, status: error.status, reason: formatError(error) };
    return { works: false, rejected: false, reason: formatError(error) };
  } finally {
    stop();
  }
}
