/**
 * aui-messaging (Node build) — the web build's surface, plus `storedKey()` (the key
 * `aui-messaging login` saved; it reads a file, so it exists here only). Otherwise it differs
 * only in how the streaming engine finds a WebSocket on a Node without one (Node 20):
 * `isomorphic-ws`, loaded lazily on first connect (src/runtime/websocket.node.ts, the only file
 * that may name `ws`).
 * @module aui-messaging (Node build)
 */
export * from './index.ts';
export { AuiClient } from './client/node.ts';
export { storedKey, type StoredKeyOptions } from './keys/stored.node.ts';
