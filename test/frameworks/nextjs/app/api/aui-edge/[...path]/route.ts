// The same proxy on the Edge runtime: the bundler resolves aui-messaging with `edge-light`
// (the web build, no `ws`, no `node:`), where the Node route above gets the Node build.
import { envKey } from 'aui-messaging';
import { createAuiHandler } from 'aui-messaging/server';
import { userFromCookie } from '../../../../lib/user';

export const runtime = 'edge';

export const { GET, POST } = createAuiHandler({
  apiKey: envKey('AUI_NETWORK_API_KEY'),
  baseUrl: process.env.AUI_BASE_URL,
  basePath: '/api/aui-edge',
  authorize: () => userFromCookie(),
});
