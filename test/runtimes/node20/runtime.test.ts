// Node 20: the matrix scenario from the packed tarball (the machine's Node; no global WebSocket, so the `ws` fallback).
import { nodeMatrix } from '../shared/node.ts';

nodeMatrix({ major: 20, webSocket: 'ws' });
