// server/input — what the proxy accepts from a browser, as an allowlist: a task id that matches
// `^[A-Za-z0-9_-]{1,128}$` (anything else is 404, so `..%2F` can never become another upstream
// path), a text within `maxTextLength` (413), page/size numbers. Every other field the browser
// sends — `user_id`, `agent`, `agent_variables`, `context`, trace flags — is dropped here.
// Imports: ./errors. Never keys, mock or browser.

import { badInput, notFound, Refusal } from './errors.ts';

const ID = /^[A-Za-z0-9_-]{1,128}$/;

/** A path segment as received (percent-encoded) → a checked task id, or 404. */
export function taskIdFromPath(raw: string): string {
  let id: string;
  try {
    id = decodeURIComponent(raw);
  } catch {
    throw notFound();
  }
  return checkId(id);
}

/** A task id from a body (a chat's metadata included): the id itself, or 404 when malformed. */
export function checkId(id: unknown): string {
  if (typeof id !== 'string' || !ID.test(id)) throw notFound();
  return id;
}

/** `{ task_id, text }` and nothing else from a browser's message body. Length first: 413 precedes 404. */
export function messageInput(
  body: Record<string, unknown>,
  maxTextLength: number,
): { task_id: string; text: string } {
  const { text, task_id } = body;
  if (typeof text === 'string' && text.length > maxTextLength)
    throw new Refusal(413, `The text is longer than ${maxTextLength} characters.`);
  if (typeof task_id !== 'string') throw badInput('task_id must be a string.', 'task_id');
  const id = checkId(task_id);
  if (typeof text !== 'string' || text === '') throw badInput('text must be a non-empty string.', 'text');
  return { task_id: id, text };
}

/** `?page=&size=` as positive integers (size at most 100); absent → AUI's defaults. */
export function pageInput(query: URLSearchParams): { page?: number; size?: number } {
  const out: { page?: number; size?: number } = {};
  for (const name of ['page', 'size'] as const) {
    const raw = query.get(name);
    if (raw === null || raw === '') continue;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1 || (name === 'size' && value > 100)) {
      throw badInput(`${name} must be a whole number from 1${name === 'size' ? ' to 100' : ''}.`, name);
    }
    out[name] = value;
  }
  return out;
}
