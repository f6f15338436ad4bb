/**
 * client/node — the Node build's AuiClient: identical, except that on a Node without a global
 * WebSocket (Node 20) it loads `isomorphic-ws` on first connect.
 */
import { nodeWebSocketSource } from '../runtime/websocket.node.ts';
import type { WebSocketConstructor, WebSocketSource } from '../runtime/websocket.ts';
import { AuiClient as WebAuiClient } from './client.ts';

export class AuiClient extends WebAuiClient {
  protected override webSocket(): WebSocketSource | Promise<WebSocketSource> {
    return nodeWebSocketSource(this.config.WebSocket as WebSocketConstructor | undefined);
  }
}
