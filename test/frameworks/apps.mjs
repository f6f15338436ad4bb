// The apps of the framework builds (test/frameworks/run.mjs), one entry per build tested: where
// the app is, how it is built and served, which folders its build writes (cleaned before the
// build, searched for the key after it), and the chat pages to drive. Commands run inside the
// app's folder with its own node_modules/.bin; `port` and `mock` are filled in by the driver.
import { join } from 'node:path';

const bin = (name) => join('node_modules', '.bin', name);

/** Next.js: one app, built by Turbopack (the default) or by webpack, then served by `next start`. */
function nextjs(bundler) {
  return {
    name: `nextjs-${bundler}`,
    folder: 'nextjs',
    title: `Next.js (${bundler === 'turbopack' ? 'Turbopack' : 'webpack'})`,
    packages: ['next', 'react'],
    outputs: ['.next'],
    steps: [
      {
        name: 'build',
        command: bin('next'),
        args: bundler === 'turbopack' ? ['build'] : ['build', '--webpack'],
        timed: true,
      },
    ],
    serve: ({ port }) => ({ command: bin('next'), args: ['start', '-H', '127.0.0.1', '-p', String(port)] }),
    pages: [
      { name: 'node route', login: '/login?next=/', api: '/api/aui' },
      { name: 'edge route', login: '/login?next=/edge', api: '/api/aui-edge' },
    ],
  };
}

/** React Router 7 (framework mode): typegen and tsc, `react-router build`, then `react-router-serve`. */
const reactRouter = {
  name: 'react-router',
  folder: 'react-router',
  title: 'React Router',
  packages: ['react-router', 'vite', 'react'],
  outputs: ['build', '.react-router'],
  steps: [
    { name: 'typegen', command: bin('react-router'), args: ['typegen'] },
    { name: 'typecheck', command: bin('tsc'), args: ['-p', 'tsconfig.json'] },
    { name: 'build', command: bin('react-router'), args: ['build'], timed: true },
  ],
  serve: ({ port }) => ({
    command: bin('react-router-serve'),
    args: ['./build/server/index.js'],
    env: { PORT: String(port), HOST: '127.0.0.1' },
  }),
  pages: [{ name: 'resource route', login: '/login', api: '/api/aui' }],
};

/**
 * A Cloudflare Worker: `wrangler deploy --dry-run` builds it (the page's script, then the Worker
 * bundle, with esbuild's metafile for the resolution check) without deploying, then `wrangler
 * dev` builds it again and serves it in local workerd. The key is a secret binding: .dev.vars,
 * written by the driver; AUI_BASE_URL a plain var.
 */
const worker = {
  name: 'worker',
  folder: 'worker',
  title: 'Cloudflare Worker (wrangler)',
  packages: ['wrangler', 'workerd'],
  outputs: ['dist', '.wrangler', 'public/client.js', 'public/client.js.map'],
  secrets: '.dev.vars',
  steps: [
    {
      name: 'build',
      command: bin('wrangler'),
      args: ['deploy', '--dry-run', '--outdir', 'dist', '--metafile', 'dist/metafile.json'],
      timed: true,
    },
  ],
  serve: ({ port, inspectorPort, mock }) => ({
    command: bin('wrangler'),
    args: [
      'dev',
      '--ip',
      '127.0.0.1',
      '--port',
      String(port),
      '--inspector-port',
      String(inspectorPort),
      '--var',
      `AUI_BASE_URL:${mock.url}`,
      '--show-interactive-dev-session=false',
    ],
  }),
  pages: [{ name: 'worker', login: '/login', api: '/api/aui' }],
  // esbuild's record of what each bundle took: the tarball's web builds, nothing from outside the
  // app (without worker/tsconfig.json, esbuild took the repository's, whose `paths` lead to src/).
  bundles: [
    { metafile: 'dist/metafile.json', entry: 'node_modules/aui-messaging/dist/server.js' },
    { metafile: 'dist/client.metafile.json', entry: 'node_modules/aui-messaging/dist/browser.js' },
  ],
};

export const apps = [nextjs('turbopack'), nextjs('webpack'), reactRouter, worker];
