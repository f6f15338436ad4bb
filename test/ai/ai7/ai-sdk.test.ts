// The AI SDK adapter against ai 7, which declares Node >= 22: the shared suite in
// test/fixtures/ai-sdk.ts, with the `ai` installed in this folder (its own package.json and lock).
// Run by .ci/run under the Node 22 of test/runtimes/node22:
//   test/runtimes/node22/node_modules/node/bin/node --import tsx --test test/ai/ai7/*.test.ts
import { createRequire } from 'node:module';
import * as ai from 'ai';
import { aiSdkSuite } from '../../fixtures/ai-sdk.ts';

const { version } = createRequire(import.meta.url)('ai/package.json') as { version: string };

aiSdkSuite({ ...ai, version }, 7);
