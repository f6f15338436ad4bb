// Next.js (App Router): the endpoint of the AI SDK's `useChat`, app/api/chat/route.ts — the URL
// useChat() posts to by default. `protocol: 'ai-sdk'` makes the AUI proxy answer useChat's
// requests with a UI message stream; the network key stays here.
import { envKey } from 'aui-messaging';
import { createAuiHandler } from 'aui-messaging/server';

const baseUrl = process.env.AUI_BASE_URL; // optional: another AUI deployment, or a local mock

export const { POST } = createAuiHandler({
  protocol: 'ai-sdk',
  apiKey: envKey('AUI_NETWORK_API_KEY'), // read on each request, so `next build` needs no key
  ...(baseUrl ? { baseUrl } : {}),
  authorize: (request) => {
    // PLACEHOLDER — replace with your own session lookup (Auth.js `auth()`, a signed cookie, …).
    // This one trusts a `demo-user` cookie: anyone can set it, so never ship it.
    const userId = /(?:^|;\s*)demo-user=([\w-]+)/.exec(request.headers.get('cookie') ?? '')?.[1];
    return userId ? { userId } : null; // null → 401, which useChat shows as its error
  },
});
