// shared/values — small checks over plain values that several folders need. A leaf: imports
// nothing, so every folder (errors and schemas included) may use it.

/** A plain object: not null, not an array. What JSON.parse returns for `{…}`. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `'https://host/base///'` → `'https://host/base'`: base URLs are joined as `${base}/${path}`. */
export function withoutTrailingSlashes(url: string): string {
  return url.replace(/\/+$/, '');
}
