// The AI SDK adapter against ai 6 (the root devDependency) on this Node (20): the shared suite in
// test/fixtures/ai-sdk.ts. The same suite runs against ai 7 under Node 22 in test/ai/ai7.
import { createRequire } from 'node:module';
import * as ai from 'ai';
import { aiSdkSuite } from '../fixtures/ai-sdk.ts';

const { version } = createRequire(import.meta.url)('ai/package.json') as { version: string };

aiSdkSuite({ ...ai, version }, 6);
