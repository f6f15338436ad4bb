// Node 24: the matrix scenario from the packed tarball (the `node@24` npm package installed here, called by path; native WebSocket).
import { nodeMatrix } from '../shared/node.ts';

nodeMatrix({ major: 24, webSocket: 'native' });
