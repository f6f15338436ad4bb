/**
 * runtime/platform — what runtime we are in, read without touching anything a runtime
 * forbids (no bare `process`, no `Deno` or `Bun` identifiers: only `globalThis` lookups).
 * Leaf module: imports nothing.
 */
import { VERSION } from './version.ts';

type Globals = {
  Deno?: { version?: { deno?: string } };
  Bun?: { version?: string };
  process?: { versions?: { node?: string } };
  navigator?: { userAgent?: string };
  document?: unknown;
  importScripts?: unknown;
  EdgeRuntime?: unknown;
};
const g = globalThis as unknown as Globals;

/**
 * True in a browser page or a browser's own worker. Workers, Vercel Edge, Deno, Bun and Node
 * are never browsers: none of them has `document`, and none defines `importScripts`.
 */
export function isBrowser(): boolean {
  if (g.Deno || g.Bun || g.process?.versions?.node || g.EdgeRuntime) return false;
  return typeof g.document === 'object' || typeof g.importScripts === 'function';
}

/** `aui-messaging/<version> <runtime>/<version>` — sent as User-Agent from servers only. */
export function userAgent(): string {
  const runtime = g.Deno?.version?.deno
    ? `deno/${g.Deno.version.deno}`
    : g.Bun?.version
      ? `bun/${g.Bun.version}`
      : g.process?.versions?.node
        ? `node/${g.process.versions.node}`
        : g.EdgeRuntime
          ? 'edge-runtime'
          : g.navigator?.userAgent === 'Cloudflare-Workers'
            ? 'workerd'
            : 'unknown';
  return `aui-messaging/${VERSION} ${runtime}`;
}
