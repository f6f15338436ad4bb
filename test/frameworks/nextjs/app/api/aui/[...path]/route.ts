// The AUI proxy on the Node.js runtime: createProxyClient({ url: '/api/aui' }) talks to it, the
// key stays here (AUI_NETWORK_API_KEY, read on each request, so `next build` needs none).
import { envKey } from 'aui-messaging';
import { createAuiHandler } from 'aui-messaging/server';
import { userFromCookie } from '../../../../lib/user';

export const { GET, POST } = createAuiHandler({
  apiKey: envKey('AUI_NETWORK_API_KEY'),
  baseUrl: process.env.AUI_BASE_URL, // the driver's mock AUI on 127.0.0.1
  basePath: '/api/aui',
  authorize: () => userFromCookie(),
});
