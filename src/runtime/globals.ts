// runtime/globals — the one typed view of the runtime globals the SDK reads. Each runtime has
// a different subset (Deno, Bun, Node's process, a browser's document, Vercel's EdgeRuntime), so
// every field is optional and every read is a property lookup on `globalThis`: the web build
// never names a bare `process`, `Deno` or `Bun`, which would throw where they do not exist.
// Leaf module: imports nothing.

/** What the SDK reads from `globalThis`, and nothing else. */
export interface RuntimeGlobals {
  Deno?: { version?: { deno?: string }; env?: { get(name: string): string | undefined } };
  Bun?: { version?: string };
  process?: { versions?: { node?: string }; env?: Record<string, string | undefined> };
  navigator?: { userAgent?: string };
  document?: unknown;
  importScripts?: unknown;
  /** Vercel Edge's name for itself: `'edge-runtime'`. */
  EdgeRuntime?: string;
  WebSocket?: unknown;
  /** Node and Bun: a task after the current one, with no timer clamp. */
  setImmediate?: (fn: () => void) => unknown;
}

/**
 * `globalThis` seen through RuntimeGlobals. Reads happen at use time, so a global defined after
 * this module loaded (a polyfill, a test's fake `document`) is seen.
 */
export const runtimeGlobals = globalThis as unknown as RuntimeGlobals;
