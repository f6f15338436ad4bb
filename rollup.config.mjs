// One rollup run: every entry, shared chunks (so each class is defined once), ESM + CJS, and
// bundled .d.ts/.d.cts. valibot is bundled (tree-shaken with our code); ws stays external and is
// only ever reached from the Node build.
import { nodeResolve } from '@rollup/plugin-node-resolve';
import { dts } from 'rollup-plugin-dts';
import esbuild from 'rollup-plugin-esbuild';

export const entries = {
  index: 'src/index.ts',
  'index.node': 'src/index.node.ts',
  mock: 'src/mock/index.ts',
  server: 'src/server/handler.ts',
  // The `node` condition of ./server: the same handler with the Node client (ws fallback on Node 20).
  'server.node': 'src/server/handler.node.ts',
  'server/node': 'src/server/node-listener.ts',
  // Shared turn counters: web-standard code that takes the store (a Redis client, a Durable
  // Object binding) as an argument, so `redis` stays an optional peer and is never imported.
  'server/redis': 'src/server/redis.ts',
  'server/cloudflare': 'src/server/cloudflare.ts',
  browser: 'src/browser/proxy-client.ts',
  // The AI SDK adapter (web build only): its code needs no WebSocket; `ai` is a types-only import.
  ai: 'src/ai/ui-message-stream.ts',
  cli: 'src/cli/index.ts',
};

// `ai` (an optional peer) is imported for types only: the declarations keep `import type … from 'ai'`.
const external = (id) => id.startsWith('node:') || id === 'ws' || id === 'isomorphic-ws' || id === 'ai';

export default [
  {
    input: entries,
    external,
    plugins: [
      nodeResolve({ exportConditions: ['import', 'module', 'default'] }),
      esbuild({ target: 'es2022', sourceMap: false }),
    ],
    output: [
      { dir: 'dist', format: 'es', entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js' },
      {
        dir: 'dist',
        format: 'cjs',
        entryFileNames: '[name].cjs',
        chunkFileNames: 'chunks/[name]-[hash].cjs',
      },
    ],
  },
  {
    // The CLI exports nothing, so it has no declarations.
    input: Object.fromEntries(Object.entries(entries).filter(([name]) => name !== 'cli')),
    external,
    // stripInternal: constructors the SDK calls itself (Session, MessageStream, APIPromise) are marked
    // @internal, so the types they take (engine deps, sinks) never reach a user's editor.
    plugins: [dts({ respectExternal: false, compilerOptions: { stripInternal: true } })],
    output: [
      {
        dir: 'dist',
        format: 'es',
        entryFileNames: '[name].d.ts',
        chunkFileNames: 'chunks/[name]-[hash].d.ts',
      },
      {
        dir: 'dist',
        format: 'es',
        entryFileNames: '[name].d.cts',
        chunkFileNames: 'chunks/[name]-[hash].d.cts',
      },
    ],
  },
];
