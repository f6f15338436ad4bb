// runtime/platform — what runtime we are in, read without touching anything a runtime
// forbids (only `globalThis` lookups, through ./globals).
// Leaf module: imports only this folder.

import { runtimeGlobals as g } from './globals.ts';
import { VERSION } from './version.ts';

/** `deno/…`, `bun/…`, `node/…`, `edge-runtime` or `workerd`; undefined in a browser or an unknown runtime. */
function serverRuntime(): string | undefined {
  if (g.Deno) return `deno/${g.Deno.version?.deno}`;
  if (g.Bun) return `bun/${g.Bun.version}`;
  if (g.process?.versions?.node) return `node/${g.process.versions.node}`;
  if (g.navigator?.userAgent === 'Cloudflare-Workers') return 'workerd';
  return g.EdgeRuntime;
}

/**
 * True in a browser page or a browser's own worker. Workers, Vercel Edge, Deno, Bun and Node
 * are never browsers: none of them has `document`, and none defines `importScripts`.
 */
export function isBrowser(): boolean {
  return !serverRuntime() && !!(g.document || g.importScripts);
}

/** `aui-messaging/<version> <runtime>/<version>` — sent as User-Agent from servers only. */
export function userAgent(): string {
  return `aui-messaging/${VERSION} ${serverRuntime() ?? 'unknown'}`;
}
