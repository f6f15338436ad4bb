// Bun: the AUI proxy as a Bun server — `bun run server.ts`.
// The key comes from AUI_NETWORK_API_KEY (Bun also loads it from .env).
// The glue is `Bun.serve({ fetch: handler })`.
import { envKey } from 'aui-messaging';
import { createAuiHandler } from 'aui-messaging/server';

const baseUrl = Bun.env.AUI_BASE_URL; // optional: another AUI deployment, or a local mock

const handler = createAuiHandler({
  apiKey: envKey('AUI_NETWORK_API_KEY'),
  ...(baseUrl ? { baseUrl } : {}),
  authorize: (request) => {
    // PLACEHOLDER — replace with your session lookup (a signed cookie, a JWT, …).
    // A plain header is only trustworthy behind a gateway that sets it; never from the browser.
    const userId = request.headers.get('x-demo-user');
    return userId ? { userId } : null; // null → 401
  },
});

const server = Bun.serve({ port: Number(Bun.env.PORT ?? 3000), fetch: handler });
console.log(`Listening on ${server.url}`);
