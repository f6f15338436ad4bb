// The AUI proxy as a Cloudflare Worker. The key is a secret binding (`wrangler secret put
// AUI_NETWORK_API_KEY`; for `wrangler dev`, a line in .dev.vars), read from `env` per request;
// AUI_BASE_URL is a plain var (the driver's mock AUI on 127.0.0.1).
import { env } from 'cloudflare:workers';
import { createAuiHandler } from 'aui-messaging/server';

interface Env {
  AUI_NETWORK_API_KEY: string;
  AUI_BASE_URL?: string;
}

const USER_COOKIE = 'aui_demo_user';
const baseUrl = (env as Partial<Env>).AUI_BASE_URL;

const handler = createAuiHandler<Env>({
  apiKey: (env) => env.AUI_NETWORK_API_KEY,
  ...(baseUrl ? { baseUrl } : {}),
  basePath: '/api/aui',
  authorize: (request) => {
    // A real Worker checks its own session here (Cloudflare Access JWT, a signed cookie, …).
    const userId = cookie(request, USER_COOKIE);
    return userId ? { userId } : null;
  },
});

export default {
  fetch(request: Request, env: Env, ctx: unknown): Promise<Response> | Response {
    const { pathname } = new URL(request.url);
    if (pathname === '/login') return signIn(request);
    return handler.fetch(request, env, ctx); // the proxy's own 404 for anything else
  },
};

/** A stand-in sign-in: sets the httpOnly user cookie, then goes to the chat page. */
function signIn(request: Request): Response {
  return new Response(null, {
    status: 302,
    headers: {
      location: new URL('/', request.url).href,
      'set-cookie': `${USER_COOKIE}=frameworks-user; HttpOnly; SameSite=Strict; Path=/`,
    },
  });
}

function cookie(request: Request, name: string): string | undefined {
  for (const part of (request.headers.get('cookie') ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return decodeURIComponent(value.join('='));
  }
  return undefined;
}
