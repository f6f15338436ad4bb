// How the runtimes that have environment variables learn where the mock is (scripts/runtimes.mjs
// sets these for every runtime it spawns). Browsers fetch /__mock.json, the Worker gets bindings.
import type { MockInfo } from './scenario.ts';

export function mockFromEnv(get: (name: string) => string | undefined): MockInfo {
  const read = (name: string): string => {
    const value = get(name);
    if (!value)
      throw new Error(`${name} is not set: run this through scripts/runtimes.mjs (npm run test:runtimes)`);
    return value;
  };
  return { url: read('AUI_MOCK_URL'), wsUrl: read('AUI_MOCK_WS_URL'), apiKey: read('AUI_MOCK_KEY') };
}
