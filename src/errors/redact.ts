/**
 * errors/redact — the one redactor. Every error message, error body, log line and stream
 * event passes through here, so a network API key can never leave the SDK in text.
 * Leaf module: imports nothing.
 */

const REDACTED = '[redacted]';

// Header-ish `name: value` / `"name": "value"` / `name=value` pairs whose values are secrets
// (the names SECRET_NAME matches).
const SECRET_PAIRS =
  /((?:(?:x-)?network[-_]api[-_]key|(?:proxy-)?authorization|(?:set-)?cookie)["']?\s*[:=]\s*["']?)(?:(?:Bearer|Basic)\s+)?[^\s"'&,;}]+/gi;
// Header and field names whose values are secrets (no g flag: test() keeps no state).
const SECRET_NAME = /^(?:(?:x-)?network[-_]api[-_]key|(?:proxy-)?authorization|(?:set-)?cookie)$/i;
// Keys as AUI issues them (`API_KEY_…`), wherever they appear on their own.
const BARE_KEYS = /\bAPI_KEY_[\w-]+/g;

/** Removes every secret the SDK knows how to spot, plus `extra` exact values (a key in hand). */
export function redact(text: string, extra?: readonly string[]): string {
  let out = text.replace(SECRET_PAIRS, `$1${REDACTED}`).replace(BARE_KEYS, REDACTED);
  for (const secret of extra ?? []) if (secret.length >= 4) out = out.replaceAll(secret, REDACTED);
  return out;
}

/** Deep copy of a JSON-like value with every string redacted (server bodies may echo a key). */
export function redactValue<T>(value: T, extra?: readonly string[]): T {
  if (typeof value === 'string') return redact(value, extra) as T;
  if (Array.isArray(value)) return value.map((item) => redactValue(item, extra)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [name, item] of Object.entries(value)) {
      out[name] = SECRET_NAME.test(name) ? REDACTED : redactValue(item, extra);
    }
    return out as T;
  }
  return value;
}

/** Response headers as a plain object, secrets removed — what errors and `withResponse()` expose. */
export function headersToObject(headers: Headers | undefined): Record<string, string> {
  return redactValue(Object.fromEntries(headers ?? []));
}
