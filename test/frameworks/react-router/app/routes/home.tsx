// The chat page. The client is made at module scope, as the README shows: this module is also
// rendered on the server (where there is no page to resolve '/api/aui' against), which must not
// throw; only the browser calls it.
import { createProxyClient } from 'aui-messaging/browser';
import { Chat } from '../chat';

const aui = createProxyClient({ url: '/api/aui' });

export default function Home() {
  return <Chat aui={aui} title="React Router · resource route" />;
}
