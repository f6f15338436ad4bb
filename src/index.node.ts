/**
 * aui-messaging (Node build) — the same surface as the web build. It differs only in how the
 * streaming engine finds a WebSocket on a Node without one (Node 20): `isomorphic-ws`, loaded
 * lazily on first connect (src/runtime/websocket.node.ts, the only file that may name `ws`).
 */
export * from './index.ts';
export { AuiClient } from './client/node.ts';
