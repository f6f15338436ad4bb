// The AUI proxy, on the server only (the .server suffix keeps it out of the browser bundle): the
// key is AUI_NETWORK_API_KEY, read on each request, so `react-router build` needs none.
import { envKey } from 'aui-messaging';
import { createAuiHandler } from 'aui-messaging/server';
import { userFromCookie } from './user.server';

export const auiHandler = createAuiHandler({
  apiKey: envKey('AUI_NETWORK_API_KEY'),
  baseUrl: process.env.AUI_BASE_URL, // the driver's mock AUI on 127.0.0.1
  basePath: '/api/aui',
  authorize: (request) => userFromCookie(request),
});
