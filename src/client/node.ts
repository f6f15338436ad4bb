// client/node — the Node build's AuiClient: the same client, except that on a Node without a
// global WebSocket (Node 20) it loads `isomorphic-ws` on first connect.
// Imports: runtime/websocket.node, ./client, ./options (a type), ./websocket.

import { nodeWebSocketSource } from '../runtime/websocket.node.ts';
import { AuiClient as WebAuiClient } from './client.ts';
import type { AuiClientOptions } from './options.ts';
import { findWebSocketWith } from './websocket.ts';

/** The AuiClient of the Node build: the same client; on a Node without a WebSocket (Node 20) it loads `ws` on first connect. */
export class AuiClient extends WebAuiClient {
  /** Checks and normalises `options`, as the web build's constructor does; nothing is sent until the first call. */
  constructor(options?: AuiClientOptions) {
    super(options);
    findWebSocketWith(this, nodeWebSocketSource);
  }
}
