'use client';
// The chat on the Edge route (app/api/aui-edge): the same page, another proxy.
import { createProxyClient } from 'aui-messaging/browser';
import { Chat } from '../chat';

const aui = createProxyClient({ url: '/api/aui-edge' });

export default function EdgePage() {
  return <Chat aui={aui} title="Next.js · Edge route" />;
}
