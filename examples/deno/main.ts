// Deno: the AUI proxy as a Deno server — `deno run --allow-net --allow-env main.ts`.
// `aui-messaging` comes from npm (`deno add npm:aui-messaging`); the key from AUI_NETWORK_API_KEY.
// The glue is the last line: `Deno.serve(handler)`.
import { envKey } from 'aui-messaging';
import { createAuiHandler } from 'aui-messaging/server';

const baseUrl = Deno.env.get('AUI_BASE_URL'); // optional: another AUI deployment, or a local mock

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

Deno.serve({ port: Number(Deno.env.get('PORT') ?? 8000) }, handler);
