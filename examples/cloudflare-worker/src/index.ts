// Cloudflare Worker: the AUI proxy as the whole Worker (see wrangler.toml beside src/).
// Key: a secret binding, `npx wrangler secret put AUI_NETWORK_API_KEY`, read from `env` per request.
// The glue is the last line: `export default { fetch: handler.fetch }`.
import { env } from 'cloudflare:workers';
import { createAuiHandler } from 'aui-messaging/server';

interface Env {
  AUI_NETWORK_API_KEY: string;
  AUI_BASE_URL?: string; // optional [vars]: another AUI deployment, or a local mock
}

const baseUrl = (env as Partial<Env>).AUI_BASE_URL;

const handler = createAuiHandler<Env>({
  apiKey: (env) => env.AUI_NETWORK_API_KEY,
  ...(baseUrl ? { baseUrl } : {}),
  authorize: (request) => {
    // PLACEHOLDER — replace with your session check (Cloudflare Access JWT, a signed cookie, …).
    // A plain header is only trustworthy behind a gateway that sets it; never from the browser.
    const userId = request.headers.get('x-demo-user');
    return userId ? { userId } : null; // null → 401
  },
});

export default { fetch: handler.fetch };
