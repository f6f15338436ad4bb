// errors/body — reading a server's error body for an error's message and fields: the one-line
// summary, and the 422 issue list whatever shape the server used. Bodies here are already
// redacted and depth-bounded (./redact), so nothing below can recurse without end.
// Leaf module: imports only shared/values.

import { isRecord } from '../shared/values.ts';

/** One validation problem, whatever shape the server used (`detail[]`, `errors[]`). */
export interface Issue {
  /** Where the problem is, e.g. `['body', 'user_id']`. */
  path: Array<string | number>;
  /** What is wrong there, in the server's words (`field required`). */
  message: string;
  /** The server's code for the problem, when it sent one (`value_error.missing`). */
  type?: string;
}

/** The longest summary an error message quotes from a server body; the whole body stays on `error.body`. */
export const MAX_SUMMARY = 300;

/** `text`, cut to MAX_SUMMARY characters with an ellipsis when longer. */
export function capped(text: string): string {
  return text.length > MAX_SUMMARY ? `${text.slice(0, MAX_SUMMARY)}…` : text;
}

/**
 * A one-line summary of an error body: its `detail` when that is a string, else
 * "<description>: <message>", else the body itself as text; `'no details'` for nothing.
 */
export function summarise(body: unknown): string {
  if (isRecord(body)) {
    if (typeof body.detail === 'string') return capped(body.detail);
    const text = [body.description, body.message].filter((part) => typeof part === 'string').join(': ');
    if (text) return capped(text);
  }
  // Depth-bounded by redactValue and never cyclic (it came from JSON.parse or a response's text).
  const text = typeof body === 'string' ? body : (JSON.stringify(body) ?? '');
  if (!text || text === '{}') return 'no details';
  return capped(text);
}

/** The list a 422 body carries: `detail: [...]` (FastAPI) or `errors: [...]`; anything else → []. */
function issueList(body: Record<string, unknown>): unknown[] {
  if (Array.isArray(body.detail)) return body.detail;
  if (Array.isArray(body.errors)) return body.errors;
  return [];
}

/** Normalises the 422 shapes seen (`{detail: [...]}`, `{errors: [...]}`) into one list; anything else → []. */
export function issuesOf(body: unknown): Issue[] {
  if (!isRecord(body)) return [];
  return issueList(body)
    .filter(isRecord)
    .map((item) => {
      const path = Array.isArray(item.loc)
        ? item.loc.filter((part): part is string | number => ['string', 'number'].includes(typeof part))
        : [];
      const message = [item.msg, item.message].find((part) => typeof part === 'string');
      const issue: Issue = { path, message: typeof message === 'string' ? message : 'invalid' };
      if (typeof item.type === 'string') issue.type = item.type;
      return issue;
    });
}

/** "body.user_id: field required; query.page: not an int" — the issues as one line. */
export function issuesLine(issues: readonly Issue[]): string {
  return capped(
    issues
      .map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
      .join('; '),
  );
}
