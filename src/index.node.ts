/**
 * aui-messaging (Node build) — the same surface as the web build. It differs only in how the
 * streaming engine finds a WebSocket on a Node without one (Node 20): `isomorphic-ws`, loaded
 * lazily on first connect. That is the only file allowed to name `ws`.
 */
export * from './index.ts';
