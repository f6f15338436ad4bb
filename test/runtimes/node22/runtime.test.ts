// Node 22: the matrix scenario from the packed tarball (the `node@22` npm package installed here, called by path; native WebSocket).
import { nodeMatrix } from '../shared/node.ts';

nodeMatrix({ major: 22, webSocket: 'native' });
