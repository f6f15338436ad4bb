// keys/env — the one guarded environment accessor. Every read of process/Deno/Bun env in the
// SDK goes through `readEnv`, so the web build never names a bare `process` and a Deno run
// without --allow-env gets `undefined` instead of a thrown PermissionDenied. Bun is read
// through `process.env` (its `Bun.env` is an alias of it).
// Imports: runtime/globals (leaf).

import { runtimeGlobals as g } from '../runtime/globals.ts';

/** The variable's value; undefined when unset, empty, or not readable in this runtime. */
export function readEnv(name: string): string | undefined {
  try {
    // An empty variable counts as unset.
    return (g.Deno?.env?.get(name) ?? g.process?.env?.[name]) || undefined;
  } catch {
    return undefined;
  }
}
