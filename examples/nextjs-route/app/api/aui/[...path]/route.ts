// Next.js (App Router): the AUI proxy as one catch-all route, app/api/aui/[...path]/route.ts.
// The browser talks to /api/aui with createProxyClient({ url: '/api/aui' }); the key stays here.
// The glue is `export const { GET, POST } = createAuiHandler(…)`: the handler's methods are the route's.
import { envKey } from 'aui-messaging';
import { createAuiHandler } from 'aui-messaging/server';

const baseUrl = process.env.AUI_BASE_URL; // optional: another AUI deployment, or a local mock

export const { GET, POST } = createAuiHandler({
  apiKey: envKey('AUI_NETWORK_API_KEY'), // read on each request, so `next build` needs no key
  ...(baseUrl ? { baseUrl } : {}),
  authorize: (request) => {
    // PLACEHOLDER — replace with your own session lookup (Auth.js `auth()`, a signed cookie, …).
    // A plain header is only trustworthy behind a gateway that sets it; never from the browser.
    const userId = request.headers.get('x-demo-user');
    return userId ? { userId } : null; // null → 401
  },
});
