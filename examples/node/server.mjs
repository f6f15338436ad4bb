// Node (node:http, no framework): the AUI proxy on a plain Node server — `node server.mjs`.
// The key comes from AUI_NETWORK_API_KEY. Works on Node 20 (no global WebSocket needed).
// The glue is `http.createServer(toNodeListener(handler))`.
import http from 'node:http';
import { envKey } from 'aui-messaging';
import { createAuiHandler } from 'aui-messaging/server';
import { toNodeListener } from 'aui-messaging/server/node';

const baseUrl = process.env.AUI_BASE_URL; // optional: another AUI deployment, or a local mock

const handler = createAuiHandler({
  apiKey: envKey('AUI_NETWORK_API_KEY'),
  ...(baseUrl ? { baseUrl } : {}),
  authorize: async (request) => {
    // PLACEHOLDER — replace with your session lookup (a signed cookie, a JWT, …).
    // A plain header is only trustworthy behind a gateway that sets it; never from the browser.
    const userId = request.headers.get('x-demo-user');
    return userId ? { userId } : null; // null → 401
  },
});

// Everything outside /api/aui is yours: chain toNodeListener into your own router as needed.
const server = http.createServer(toNodeListener(handler));
server.listen(Number(process.env.PORT ?? 3000), () => {
  console.log(`Listening on http://localhost:${server.address().port}`);
});
