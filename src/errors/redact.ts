// errors/redact — the one redactor. Every error message, error body, log line and stream
// event passes through here, so a network API key can never leave the SDK in text.
// It removes the exact keys in use first (see `noteSecret`), then what the patterns can spot.
// It also bounds what it copies: a server body nested thousands of levels deep becomes a
// marker below MAX_DEPTH instead of a stack overflow.
// Leaf module: imports nothing.

const REDACTED = '[redacted]';

/** Header and field names whose values are secrets, written once for both patterns below. */
const SECRET_NAMES = '(?:x-)?network[-_]api[-_]key|(?:proxy-)?authorization|(?:set-)?cookie';
// `name: value` / `"name": "value"` / `name=value` pairs whose names are secret names.
const SECRET_PAIRS = new RegExp(
  `((?:${SECRET_NAMES})["']?\\s*[:=]\\s*["']?)(?:(?:Bearer|Basic)\\s+)?[^\\s"'&,;}]+`,
  'gi',
);
// A whole name (no g flag: test() keeps no state).
const SECRET_NAME = new RegExp(`^(?:${SECRET_NAMES})$`, 'i');
// Keys as AUI issues them (`API_KEY_…`), wherever they appear on their own.
const BARE_KEYS = /\bAPI_KEY_[\w-]+/g;

/* ------------------------------------------------------------------ the keys in use */

/**
 * Shorter values are not redacted by value. Eight characters: nothing shorter is a credential
 * worth the name (it falls to brute force anyway), while shorter values are likely to occur
 * as ordinary words and numbers in server text ("Task", "1234"), which would be blanked out.
 */
export const MIN_SECRET_LENGTH = 8;
/** How many keys are remembered: enough for a rotation or two per client in a process full of clients. */
const MAX_SECRETS = 16;

// Most recently noted last; `byLength` is the same values longest first, so a key that
// contains another is removed whole.
const noted: string[] = [];
let byLength: readonly string[] = [];

/**
 * Remembers `value` as a secret in use: from now on `redact` and `redactValue` remove it
 * (and its URL-encoded form) wherever it appears, before any pattern runs. `resolveKey` notes
 * every key it hands out, so a key of any shape is covered in every error and log line —
 * REST or WebSocket, body, header, request id or close reason. Keeps the last 16.
 */
export function noteSecret(value: string): void {
  if (typeof value !== 'string' || value.length < MIN_SECRET_LENGTH) return;
  for (const form of new Set([value, encodeURIComponent(value)])) {
    const at = noted.indexOf(form);
    if (at !== -1) noted.splice(at, 1);
    noted.push(form);
  }
  noted.splice(0, Math.max(0, noted.length - MAX_SECRETS));
  byLength = [...noted].sort((a, b) => b.length - a.length);
}

/* ------------------------------------------------------------------ text */

/**
 * Removes every secret from `text`: the keys in use and `extra` exact values first (whole,
 * whatever characters they hold), then the secret-looking pairs and `API_KEY_…` words.
 */
export function redact(text: string, extra?: readonly string[]): string {
  let out = text;
  for (const secret of [...(extra ?? []), ...byLength]) {
    if (secret.length >= 4) out = out.replaceAll(secret, REDACTED);
  }
  return out.replace(SECRET_PAIRS, `$1${REDACTED}`).replace(BARE_KEYS, REDACTED);
}

/* ------------------------------------------------------------------ values */

/** Levels below this one are replaced by TOO_DEEP. Error bodies seen in the wild are under 6. */
const MAX_DEPTH = 32;
const TOO_DEEP = `[nested deeper than ${MAX_DEPTH} levels]`;

/**
 * A copy of a JSON-like value with every string and property name redacted, values under a
 * secret name replaced, and anything deeper than 32 levels replaced by a marker string. Never
 * throws for a value from `JSON.parse`, however deep (server bodies may be hostile).
 */
export function redactValue<T>(value: T, extra?: readonly string[]): T {
  return copy(value, extra, 0) as T;
}

function copy(value: unknown, extra: readonly string[] | undefined, depth: number): unknown {
  if (typeof value === 'string') return redact(value, extra);
  if (typeof value !== 'object' || value === null) return value;
  if (depth >= MAX_DEPTH) return TOO_DEEP;
  if (Array.isArray(value)) return value.map((item: unknown) => copy(item, extra, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [name, item] of Object.entries(value)) {
    // defineProperty, not assignment: a `__proto__` key from JSON.parse stays a plain field.
    Object.defineProperty(out, redact(name, extra), {
      value: SECRET_NAME.test(name) ? REDACTED : copy(item, extra, depth + 1),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/** Response headers as a plain object, secrets removed — what errors and `withResponse()` expose. */
export function headersToObject(headers: Headers | undefined): Record<string, string> {
  return redactValue(Object.fromEntries(headers ?? []));
}
