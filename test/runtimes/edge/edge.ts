// Vercel Edge (edge-runtime): bundled by scripts/runtimes.mjs into one classic script (esbuild,
// conditions edge-light/worker/browser, platform browser, IIFE) and evaluated in an EdgeVM by
// run.ts. The whole scenario runs inside the VM, with the classes of this bundle.
import { runScenario, type MockInfo } from '../shared/scenario.ts';

export async function run(info: MockInfo): Promise<string> {
  const report = await runScenario(info);
  return JSON.stringify(report);
}
