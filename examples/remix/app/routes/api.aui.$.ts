// Remix / React Router v7: the AUI proxy as a resource route, app/routes/api.aui.$.ts (splat).
// The browser talks to /api/aui with createProxyClient({ url: '/api/aui' }); the key stays here.
// The glue is `loader` (GET) and `action` (POST), both handing the Request to the handler.
import { envKey } from 'aui-messaging';
import { createAuiHandler } from 'aui-messaging/server';

const baseUrl = process.env.AUI_BASE_URL; // optional: another AUI deployment, or a local mock

const handler = createAuiHandler({
  apiKey: envKey('AUI_NETWORK_API_KEY'),
  ...(baseUrl ? { baseUrl } : {}),
  authorize: (request) => {
    // PLACEHOLDER — replace with your session lookup, e.g. `(await getSession(request.headers.get('Cookie'))).get('userId')`.
    // A plain header is only trustworthy behind a gateway that sets it; never from the browser.
    const userId = request.headers.get('x-demo-user');
    return userId ? { userId } : null; // null → 401
  },
});

// `LoaderFunctionArgs` / `ActionFunctionArgs` fit here; only `request` is used.
export const loader = ({ request }: { request: Request }) => handler(request);
export const action = ({ request }: { request: Request }) => handler(request);
